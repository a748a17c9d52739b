import { posix } from "node:path";
import type { Tarball } from "./pack.js";
import { binEntries, type Manifest } from "./workspace.js";

/**
 * Each check returns the problems it found, one sentence each (what, where, what to do); an empty
 * list means the tarball passes. They read only the tarball, never the source folder, because the
 * tarball is what a consumer gets.
 */
export type Problems = string[];

export function checkLicense(tarball: Tarball, rootLicense: string): Problems {
  if (!tarball.files.has("LICENSE")) {
    return ["LICENSE is not in the tarball: copy the repository's LICENSE into the package folder"];
  }
  if (tarball.read("LICENSE") !== rootLicense) {
    return ["LICENSE differs from the repository's LICENSE: copy it again (cp LICENSE packages/<name>/)"];
  }
  return [];
}

/** Fenced code blocks and inline code spans hold code, not links: `a[0](b)` is a call. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The targets of the links and images of a markdown text: inline, reference definitions and HTML. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets: string[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) targets.push(match[1]!);
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(match[1]!);
  for (const match of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(match[1]!);
  return targets;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//") || target.startsWith("#");
}

/** Where a relative link from `from` lands inside the package, or null if it leaves the package. */
function resolveInside(from: string, target: string): string | null {
  const path = decodeURI(target.replace(/[?#].*$/, ""));
  if (path.startsWith("/")) return null;
  const resolved = posix.normalize(posix.join(posix.dirname(from), path)).replace(/\/$/, "");
  return resolved === ".." || resolved.startsWith("../") ? null : resolved;
}

function existsIn(tarball: Tarball, path: string): boolean {
  if (path === "." || tarball.files.has(path)) return true;
  for (const file of tarball.files) if (file.startsWith(`${path}/`)) return true;
  return false;
}

export function checkReadme(tarball: Tarball): Problems {
  if (!tarball.files.has("README.md")) return ["README.md is not in the tarball: write one in the package folder"];
  const problems: Problems = [];
  for (const target of linkTargets(tarball.read("README.md"))) {
    if (isExternal(target)) continue;
    const inside = resolveInside("README.md", target);
    if (inside === null) {
      problems.push(`README.md links "${target}", outside the package: it is broken once installed; ship the file or link a URL`);
    } else if (!existsIn(tarball, inside)) {
      problems.push(`README.md links "${target}", which is not in the tarball: add it to "files" or fix the link`);
    }
  }
  return problems;
}

/** Every path an `exports` value can resolve to (conditions and arrays walked, `null` skipped). */
export function exportTargets(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(exportTargets);
  return [];
}

function patternMatches(tarball: Tarball, pattern: string): boolean {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  const regex = new RegExp(`^${escaped.join(".+")}$`);
  return [...tarball.files].some((file) => regex.test(file));
}

export function checkEntryPoints(tarball: Tarball, manifest: Manifest): Problems {
  const problems: Problems = [];
  const entries: [string, string][] = exportTargets(manifest["exports"]).map((target) => ["exports", target]);
  for (const field of ["main", "types", "typings", "module"]) {
    const value = manifest[field];
    if (typeof value === "string") entries.push([field, value]);
  }
  for (const [field, target] of entries) {
    const path = posix.normalize(target);
    const found = path.includes("*") ? patternMatches(tarball, path) : tarball.files.has(path);
    if (!found) problems.push(`${field} names "${target}", which is not in the tarball: build first, or fix the path or "files"`);
  }
  return problems;
}

/**
 * Every command in `bin` is a file of the tarball that runs with Node from a shell: it starts with a
 * `#!/usr/bin/env node` line (npm links it into `node_modules/.bin` and runs it by that line).
 */
export function checkBin(tarball: Tarball, manifest: Manifest): Problems {
  const problems: Problems = [];
  for (const [name, target] of binEntries(manifest)) {
    const path = posix.normalize(target);
    if (!tarball.files.has(path)) {
      problems.push(`bin "${name}" names "${target}", which is not in the tarball: build first, or fix the path or "files"`);
      continue;
    }
    if (!tarball.read(path).startsWith("#!/usr/bin/env node\n")) problems.push(`bin "${name}" (${target}) does not start with "#!/usr/bin/env node": a shell cannot run it`);
  }
  return problems;
}

/** The `sources` of every source map, and every `sourceMappingURL`, must be files of the tarball. */
export function checkSourceMaps(tarball: Tarball): Problems {
  const problems: Problems = [];
  for (const file of tarball.files) {
    if (file.endsWith(".map")) problems.push(...checkMap(tarball, file));
    else if (/\.[cm]?(js|ts)$/.test(file)) problems.push(...checkMappingUrl(tarball, file));
  }
  return problems;
}

function checkMap(tarball: Tarball, file: string): Problems {
  let map: { sources?: unknown; sourceRoot?: unknown };
  try {
    map = JSON.parse(tarball.read(file)) as typeof map;
  } catch {
    return [`${file} is not JSON`];
  }
  const root = typeof map.sourceRoot === "string" ? map.sourceRoot : "";
  if (!Array.isArray(map.sources)) return [`${file} has no "sources" array`];
  const problems: Problems = [];
  for (const source of map.sources) {
    if (typeof source !== "string" || isExternal(source)) continue;
    const inside = resolveInside(file, posix.join(root, source));
    if (inside === null || !tarball.files.has(inside)) {
      problems.push(`${file} maps to "${source}", which is not in the tarball: ship the sources or stop emitting maps`);
    }
  }
  return problems;
}

function checkMappingUrl(tarball: Tarball, file: string): Problems {
  const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(tarball.read(file));
  const url = match?.[1];
  if (url === undefined || isExternal(url)) return [];
  const inside = resolveInside(file, url);
  if (inside !== null && tarball.files.has(inside)) return [];
  return [`${file} names the source map "${url}", which is not in the tarball`];
}

const dependencyFields = ["dependencies", "peerDependencies", "optionalDependencies"] as const;

/** The manifest as packed: the fields a consumer and the registry read. */
export function checkManifest(manifest: Manifest, repositoryPath: string): Problems {
  const problems: Problems = [];
  if (manifest["license"] !== "MIT") problems.push(`"license" is ${JSON.stringify(manifest["license"])}, not "MIT"`);
  if (manifest["type"] !== "module") problems.push(`"type" is not "module": the packages are ESM only`);
  const engines = manifest["engines"] as { node?: unknown } | undefined;
  if (typeof engines?.node !== "string") problems.push(`"engines.node" is missing: say which Node versions work`);
  const repository = manifest["repository"] as { directory?: unknown } | undefined;
  if (repository?.directory !== repositoryPath) {
    problems.push(`"repository.directory" is ${JSON.stringify(repository?.directory)}, not "${repositoryPath}"`);
  }
  if (typeof manifest["description"] !== "string" || manifest["description"] === "") problems.push(`"description" is empty`);
  for (const field of dependencyFields) {
    const specs = (manifest[field] ?? {}) as Record<string, unknown>;
    for (const [name, spec] of Object.entries(specs)) {
      if (typeof spec === "string" && /^(workspace|catalog):/.test(spec)) {
        problems.push(`${field} "${name}": "${spec}" was not rewritten by pack: publish with pnpm, not npm`);
      }
    }
  }
  return problems;
}
