import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBin, checkEntryPoints, checkLicense, checkManifest, checkReadme, checkSourceMaps } from "../src/checks.js";
import { importableSubpaths, makeConsumer, runFile, runNode, specifier, tscPath, type Installed } from "../src/consumer.js";
import { packAndExtract, type Packed } from "../src/pack.js";
import { binEntries, isLibrary, publishedPackages, readManifest, repoRoot } from "../src/workspace.js";

// Packs every published package as `changeset publish` would and checks what a consumer gets.
// turbo builds each of them first because each is a devDependency of this package (checked below).

const packages = publishedPackages();
/** The packages a program imports; the others (apps/cli) only ship commands. */
const libraries = packages.filter((pkg) => isLibrary(pkg.manifest));
const commands = packages.flatMap((pkg) => binEntries(pkg.manifest).map(([command]) => [command, pkg.name] as const));
const packed = new Map<string, Packed>();
let scratch = "";
let consumerDir = "";

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "pack-check-"));
  for (const pkg of packages) packed.set(pkg.name, await packAndExtract(pkg.dir, join(scratch, pkg.name.replace("/", "+"))));
  const installed: Installed[] = packages.map((pkg) => {
    const { dir } = packed.get(pkg.name)!;
    return { pkg, dir, manifest: readManifest(join(dir, "package.json")) };
  });
  consumerDir = join(scratch, "consumer");
  await makeConsumer(consumerDir, installed, join(repoRoot, "tooling", "pack-check"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function tarballOf(name: string): Packed {
  const result = packed.get(name);
  if (result === undefined) throw new Error(`${name} was not packed`);
  return result;
}

describe("the published packages", () => {
  it("are the non-private packages under packages/ and apps/ (apps/cli with its bin), each a devDependency here so turbo builds it first", async () => {
    expect(packages.length).toBeGreaterThan(0);
    const own = readManifest(join(repoRoot, "tooling", "pack-check", "package.json"));
    const devDependencies = Object.keys(own["devDependencies"] ?? {});
    for (const pkg of packages) {
      expect(devDependencies, `add "${pkg.name}": "workspace:*" to tooling/pack-check's devDependencies`).toContain(pkg.name);
    }
    expect(packages.map((pkg) => pkg.name)).not.toContain("@store/testkit");
    expect(packages.map((pkg) => pkg.name)).not.toContain("@store/bot");
    expect(commands).toContainEqual(["store", "@store/cli"]);
  });
});

describe.each(packages.map((pkg) => [pkg.name, pkg] as const))("the tarball of %s", (name, pkg) => {
  it("holds the repository's LICENSE and a README whose links stay inside the package", async () => {
    const rootLicense = await readFile(join(repoRoot, "LICENSE"), "utf8");
    const { tarball } = tarballOf(name);
    expect([...checkLicense(tarball, rootLicense), ...checkReadme(tarball)]).toEqual([]);
  });

  // pnpm pack falls back to the workspace root's LICENSE; npm pack and other packers do not.
  it("keeps its own copy of the repository's LICENSE, so that any packer ships it", async () => {
    const rootLicense = await readFile(join(repoRoot, "LICENSE"), "utf8");
    const own = await readFile(join(pkg.dir, "LICENSE"), "utf8").catch(() => null);
    expect(own, `cp LICENSE ${pkg.path}/LICENSE`).toBe(rootLicense);
  });

  it("holds every entry point and command its manifest names, and every file its source maps point at", () => {
    const { tarball } = tarballOf(name);
    const manifest = JSON.parse(tarball.read("package.json")) as Parameters<typeof checkEntryPoints>[1];
    expect([...checkEntryPoints(tarball, manifest), ...checkBin(tarball, manifest), ...checkSourceMaps(tarball)]).toEqual([]);
  });

  it("has a packed manifest a registry and a consumer can use", () => {
    const { tarball } = tarballOf(name);
    expect(checkManifest(JSON.parse(tarball.read("package.json")) as Parameters<typeof checkManifest>[0], pkg.path)).toEqual([]);
  });
});

describe("a consumer project with the tarballs installed", () => {
  const entries = (): { name: string; subpaths: string[] }[] =>
    libraries.map((pkg) => ({ name: pkg.name, subpaths: importableSubpaths(readManifest(join(tarballOf(pkg.name).dir, "package.json"))) }));

  it("imports every export of every package from ESM", async () => {
    const specifiers = entries().flatMap(({ name, subpaths }) => subpaths.map((subpath) => specifier(name, subpath)));
    const script = specifiers.map((spec) => `await import(${JSON.stringify(spec)});`).join("\n");
    await writeFile(join(consumerDir, "esm.mjs"), `${script}\nconsole.log("imported ${specifiers.length}");\n`);
    const result = await runNode(["esm.mjs"], consumerDir);
    expect(result).toEqual({ code: 0, output: `imported ${specifiers.length}\n` });
  });

  // The READMEs promise that require() works on Node 20.19+ (no module in them uses top-level
  // await): a graph with top-level await would throw ERR_REQUIRE_ASYNC_MODULE here.
  it("requires each package from CommonJS (Node's require(esm))", async () => {
    const names = libraries.map((pkg) => pkg.name);
    const script = names.map((name) => `require(${JSON.stringify(name)});`).join("\n");
    await writeFile(join(consumerDir, "cjs.cjs"), `${script}\nconsole.log("required ${names.length}");\n`);
    const result = await runNode(["cjs.cjs"], consumerDir);
    expect(result).toEqual({ code: 0, output: `required ${names.length}\n` });
  });

  /** `esm.mts` imports every export of every package; `cjs.cts`, a CommonJS file, each package. */
  async function writeTypeScriptProbes(): Promise<void> {
    const all = entries();
    const imports = all.flatMap(({ name, subpaths }, index) =>
      subpaths.map((subpath, sub) => `import * as m${index}_${sub} from ${JSON.stringify(specifier(name, subpath))};`),
    );
    const uses = all.flatMap(({ subpaths }, index) => subpaths.map((_, sub) => `m${index}_${sub}`));
    await writeFile(join(consumerDir, "esm.mts"), `${imports.join("\n")}\nexport const all = [${uses.join(", ")}];\n`);
    const cjsImports = all.map(({ name }, index) => `import * as c${index} from ${JSON.stringify(name)};`);
    const cjsUses = all.map((_, index) => `c${index}`).join(", ");
    await writeFile(join(consumerDir, "cjs.cts"), `${cjsImports.join("\n")}\nexport const all = [${cjsUses}];\n`);
  }

  const tsc = (module: string, files: readonly string[]): string[] =>
    [tscPath(), "--noEmit", "--strict", "--module", module, "--target", "es2022", "--types", "node", ...files];

  it("type-checks against the tarballs' declarations from ESM and CommonJS with module nodenext, libraries checked too", async () => {
    await writeTypeScriptProbes();
    const result = await runNode(tsc("nodenext", ["esm.mts", "cjs.cts"]), consumerDir);
    expect(result).toEqual({ code: 0, output: "" });
  });

  // The READMEs say what a CommonJS project on "module": "node16" sees; this keeps them honest.
  it("gets TS1479 for each package from CommonJS with module node16, as the READMEs say", async () => {
    await writeTypeScriptProbes();
    const result = await runNode(tsc("node16", ["cjs.cts"]), consumerDir);
    expect(result.code).not.toBe(0);
    const errors = result.output.split("\n").filter((line) => line.includes("error TS"));
    expect(errors).toHaveLength(libraries.length);
    for (const error of errors) expect(error).toContain("error TS1479");
  });

  // npm links each bin into node_modules/.bin; run it that way, by its #! line, as an operator would.
  it.each(commands)("runs the command %s (of %s) from node_modules/.bin: --help prints its usage and exits 0", async (command) => {
    const result = await runFile(join(consumerDir, "node_modules", ".bin", command), ["--help"], consumerDir);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(new RegExp(`^Usage: ${command} `));
  });
});
