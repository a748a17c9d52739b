import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnLines, transpiledPackage, type LineChild } from "@store/testkit/children";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
// This package does not depend on tsx: its sources and fixtures run in children transpiled.
const transpiled = transpiledPackage(PACKAGE, ["src", "test/fixtures"], ["test/readme-example.ts"]);

export type Child = LineChild;

/** Runs `test/fixtures/<name>.ts` in a real child process, collecting its stdout lines. */
export async function runFixture(name: string, args: readonly string[]): Promise<Child> {
  return spawnLines(process.execPath, [join(await transpiled(), "test", "fixtures", `${name}.js`), ...args], { stderr: "inherit" });
}
