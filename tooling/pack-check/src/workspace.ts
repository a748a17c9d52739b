import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** What this check reads of a package.json; everything else is passed through untyped. */
export interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly [field: string]: unknown;
}

export interface PublishedPackage {
  readonly name: string;
  /** Absolute path of the package folder. */
  readonly dir: string;
  /** Path from the repository root, with forward slashes: `packages/log`. */
  readonly path: string;
  readonly manifest: Manifest;
}

export function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, "utf8")) as Manifest;
}

/**
 * Every package under `packages/` and `apps/` that is not private: what `changeset publish` would
 * publish (apps/cli, with its `bin`, is one).
 */
export function publishedPackages(root: string = repoRoot): PublishedPackage[] {
  return ["packages", "apps"]
    .flatMap((folder) => {
      const parent = join(root, folder);
      return readdirSync(parent, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, "package.json")))
        .map((entry) => {
          const dir = join(parent, entry.name);
          const manifest = readManifest(join(dir, "package.json"));
          return { name: manifest.name, dir, path: `${folder}/${entry.name}`, manifest };
        });
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A package a program imports (it has `exports` or `main`), as opposed to one that only ships a command (`bin`). */
export function isLibrary(manifest: Manifest): boolean {
  return manifest["exports"] !== undefined || manifest["main"] !== undefined;
}

/** The commands a package installs: `bin` as a map of name to path (a string `bin` is named after the package). */
export function binEntries(manifest: Manifest): Array<readonly [string, string]> {
  const bin = manifest["bin"];
  if (typeof bin === "string") return [[manifest.name.replace(/^@[^/]+\//, ""), bin]];
  if (bin === null || typeof bin !== "object") return [];
  return Object.entries(bin as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string");
}
