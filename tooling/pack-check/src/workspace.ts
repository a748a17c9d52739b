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

/** Every package under `packages/` that is not private: what `changeset publish` would publish. */
export function publishedPackages(root: string = repoRoot): PublishedPackage[] {
  const packagesDir = join(root, "packages");
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, "package.json")))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = readManifest(join(dir, "package.json"));
      return { name: manifest.name, dir, path: `packages/${entry.name}`, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}
