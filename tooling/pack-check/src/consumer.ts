import { execFile } from "node:child_process";
import { chmod, cp, mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { exportTargets } from "./checks.js";
import { binEntries, type Manifest, type PublishedPackage } from "./workspace.js";

const run = promisify(execFile);

export interface Installed {
  readonly pkg: PublishedPackage;
  /** The packed package.json (what a consumer reads). */
  readonly manifest: Manifest;
  /** The extracted tarball. */
  readonly dir: string;
}

/** Export subpaths a consumer can import: `"."`, `"./conformance"`; not patterns or package.json. */
export function importableSubpaths(manifest: Manifest): string[] {
  const exports = manifest["exports"];
  if (typeof exports === "string" || Array.isArray(exports)) return ["."];
  if (exports === null || typeof exports !== "object") return ["."];
  const keys = Object.keys(exports);
  if (!keys.every((key) => key.startsWith("."))) return ["."]; // conditions only: one entry
  return keys.filter((key) => !key.includes("*") && !key.endsWith(".json") && exportTargets((exports as Record<string, unknown>)[key]).length > 0);
}

export function specifier(name: string, subpath: string): string {
  return subpath === "." ? name : `${name}/${subpath.slice(2)}`;
}

/**
 * A project of its own outside the workspace (`"type": "commonjs"`, as most older projects are)
 * with every tarball extracted into its `node_modules`. What the tarballs depend on outside the
 * packed set (and `@types/node`) is linked from the workspace's own install, as a registry
 * install would provide it.
 */
export async function makeConsumer(dir: string, installed: readonly Installed[], typesNodeFrom: string): Promise<void> {
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "commonjs" })}\n`);
  const packed = new Set(installed.map(({ pkg }) => pkg.name));
  const linked = new Set<string>();
  for (const { pkg, manifest, dir: extracted } of installed) {
    const target = join(dir, "node_modules", pkg.name);
    await mkdir(dirname(target), { recursive: true });
    await cp(extracted, target, { recursive: true });
    const needs = { ...(manifest["dependencies"] ?? {}), ...(manifest["peerDependencies"] ?? {}) } as Record<string, string>;
    for (const name of Object.keys(needs)) {
      if (packed.has(name) || linked.has(name)) continue;
      const source = join(pkg.dir, "node_modules", name);
      if (!existsSync(source)) throw new Error(`${pkg.name} depends on ${name}, which is not installed in ${pkg.path}`);
      await linkPackage(dir, name, source);
      linked.add(name);
    }
  }
  await linkPackage(dir, "@types/node", join(typesNodeFrom, "node_modules", "@types", "node"));
  for (const { pkg, manifest } of installed) await linkBins(dir, pkg.name, manifest);
}

/** What npm's bin-links does at install: `node_modules/.bin/<name>` links the file, made executable. */
async function linkBins(consumerDir: string, name: string, manifest: Manifest): Promise<void> {
  const binDir = join(consumerDir, "node_modules", ".bin");
  for (const [command, target] of binEntries(manifest)) {
    const file = join(consumerDir, "node_modules", name, target);
    await mkdir(binDir, { recursive: true });
    await symlink(relative(binDir, file), join(binDir, command));
    await chmod(file, 0o755);
  }
}

async function linkPackage(consumerDir: string, name: string, source: string): Promise<void> {
  const target = join(consumerDir, "node_modules", name);
  await mkdir(dirname(target), { recursive: true });
  await symlink(await realpath(source), target, "dir");
}

export interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** Runs `node <args>` in `cwd`; resolves with the exit code and both outputs, never rejects on exit code. */
export async function runNode(args: readonly string[], cwd: string): Promise<RunResult> {
  return runFile(process.execPath, args, cwd);
}

/** Runs the executable `file` (a command of node_modules/.bin: its #! line picks node from PATH) in `cwd`. */
export async function runFile(file: string, args: readonly string[], cwd: string): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(file, [...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof failure.code !== "number") throw error;
    return { code: failure.code, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  }
}

/** The workspace's own TypeScript compiler (the catalog's version). */
export function tscPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
}
