import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { driveWriter, spawnLines, transpiledPackage } from "../src/children.js";

const node = (script: string, options: Parameters<typeof spawnLines>[2] = {}) => spawnLines(process.execPath, ["-e", script], options);

describe("spawnLines", () => {
  it("collects stdout and stderr lines, waits for a line and for a condition, and gives the exit code", async () => {
    const child = node('console.log("one"); console.error("oops"); console.log("two"); process.exitCode = 3;');
    expect(await child.waitFor((line) => line.startsWith("t"))).toBe("two");
    await child.until(() => child.stderr.includes("oops"));
    expect(await child.exited).toBe(3);
    expect(child.lines).toEqual(["one", "two"]);
  });

  it("sends lines to the child's stdin", async () => {
    const child = node('process.stdin.on("data", (d) => { console.log("got " + String(d).trim()); process.exit(0); });', { stdin: true });
    child.send("hello");
    expect(await child.waitFor((line) => line.startsWith("got "))).toBe("got hello");
  });

  it("rejects a wait the child's end makes hopeless, naming its last lines", async () => {
    const child = node('console.log("only"); console.error("why");');
    await expect(child.waitFor((line) => line === "never")).rejects.toThrow(/exited \(0\) before a matching line; stdout: only; stderr: why/);
  });
});

describe("driveWriter", () => {
  it("drives a writer fixture's protocol: write, concurrent, compact, exit", async () => {
    const fixture = [
      'let seq = 0; console.log("open 0");',
      'require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {',
      '  const [command, n] = line.split(" ");',
      '  if (command === "write" || command === "concurrent") for (let i = 0; i < Number(n); i++) console.log("ack " + ++seq + " k/" + i);',
      '  if (command === "concurrent") console.log("done");',
      '  if (command === "compact") console.log("compacted " + seq);',
      '  if (command === "exit") process.exit(0);',
      "});",
    ].join("\n");
    const writer = await driveWriter(node(fixture, { stdin: true }));
    expect(await writer.write(3)).toBe(3);
    await writer.concurrent(2);
    expect(await writer.compact()).toBe(5);
    expect(writer.acknowledged()).toEqual([1, 2, 3, 4, 5]);
    await writer.exit();
  });
});

describe("transpiledPackage", () => {
  const made: string[] = [];
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  // The output folder is removed by an afterAll of this file, after this test has run it.
  const packageDir = join(tmpdir(), `testkit-transpile-${process.pid}`);
  made.push(packageDir);
  const transpiled = transpiledPackage(packageDir, ["src"], ["test/main.ts"]);

  it("transpiles a package's TypeScript once, where its children resolve what the sources import", async () => {
    await mkdir(join(packageDir, "src"), { recursive: true });
    await mkdir(join(packageDir, "test"), { recursive: true });
    await writeFile(join(packageDir, "package.json"), '{ "type": "module" }\n');
    await writeFile(join(packageDir, "src", "add.ts"), "export const add = (a: number, b: number): number => a + b;\n");
    await writeFile(join(packageDir, "test", "main.ts"), 'import { add } from "../src/add.js";\nconst sum: number = add(2, 3);\nconsole.log(`sum ${sum}`);\n');
    const out = await transpiled();
    expect(await transpiled()).toBe(out);
    expect(out.startsWith(join(packageDir, "node_modules", ".cache"))).toBe(true);
    const child = spawnLines(process.execPath, [join(out, "test", "main.js")]);
    expect(await child.waitFor((line) => line.startsWith("sum "))).toBe("sum 5");
    expect(await readdir(join(out, "src"))).toEqual(["add.js"]);
  });
});

