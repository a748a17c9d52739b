import { execFile } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The files of a packed tarball, as a consumer's `node_modules/<name>` holds them. */
export interface Tarball {
  /** Paths inside the package, forward slashes: `dist/index.js`. */
  readonly files: ReadonlySet<string>;
  read(path: string): string;
}

export interface Packed {
  readonly tarballPath: string;
  /** The extracted `package/` folder. */
  readonly dir: string;
  readonly tarball: Tarball;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

/**
 * Packs `packageDir` with `pnpm pack` (what `changeset publish` runs: `workspace:` and `catalog:`
 * specifiers are rewritten as they will be published) and extracts the tarball into `outDir`.
 */
export async function packAndExtract(packageDir: string, outDir: string): Promise<Packed> {
  await mkdir(outDir, { recursive: true });
  const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", outDir], {
    cwd: packageDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  const { filename } = JSON.parse(stdout) as { filename: string };
  const extractDir = join(outDir, "extracted");
  await mkdir(extractDir, { recursive: true });
  await run("tar", ["-xzf", filename, "-C", extractDir]);
  const dir = join(extractDir, "package");
  const files = new Set(await listFiles(dir));
  const contents = new Map<string, string>();
  await Promise.all([...files].map(async (path) => contents.set(path, await readFile(join(dir, path), "utf8"))));
  return {
    tarballPath: filename,
    dir,
    tarball: {
      files,
      read: (path) => {
        const text = contents.get(path);
        if (text === undefined) throw new Error(`${path} is not in the tarball`);
        return text;
      },
    },
  };
}

/** A tarball made of the given files, for testing the checks. */
export function tarballOf(contents: Readonly<Record<string, string>>): Tarball {
  return {
    files: new Set(Object.keys(contents)),
    read: (path) => {
      const text = contents[path];
      if (text === undefined) throw new Error(`${path} is not in the tarball`);
      return text;
    },
  };
}
