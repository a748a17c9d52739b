import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnLines, transpiledPackage, type LineChild } from "@store/testkit/children";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
// Node 20 runs no TypeScript, and the package's own dist may be mid-build while tests run.
const transpiled = transpiledPackage(PACKAGE, ["src", "test/fixtures"]);

export type Child = LineChild;

/** Runs `test/fixtures/<name>.ts` in a real child process, collecting its stdout lines; `send` writes to its stdin. */
export async function runFixture(name: string, args: readonly string[]): Promise<Child> {
  return spawnLines(process.execPath, [join(await transpiled(), "test", "fixtures", `${name}.js`), ...args], { stdin: true, stderr: "inherit" });
}
