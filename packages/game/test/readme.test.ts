import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runFixture } from "./child.js";
import { tempDir } from "./helpers.js";

describe("the README's example", () => {
  it("is test/readme-example.ts (which the typecheck compiles), and it runs", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const example = await readFile(new URL("readme-example.ts", import.meta.url), "utf8");
    const block = /```ts\n([\s\S]*?)```/u.exec(readme)?.[1];
    expect(block).toBe(example.replace('"../src/index.js"', '"@store/game"'));
    const dir = await tempDir();
    const child = await runFixture("../readme-example", [dir]);
    await child.exited;
    expect(child.process.exitCode).toBe(0);
    expect(child.lines[0]).toBe("7 has 30 tokens, 1000 needed");
    expect(child.lines.at(-1)).toBe("true");
  });
});
