import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runFixture } from "./child.js";
import { tempDir } from "./helpers.js";

describe("the README's example", () => {
  it("is test/readme-example.ts (which the typecheck compiles), and it runs", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const example = await readFile(new URL("readme-example.ts", import.meta.url), "utf8");
    const block = /```ts\n([\s\S]*?)```/u.exec(readme)?.[1];
    expect(block).toBe(example.replace('"../src/index.js"', '"@store/remote"'));
    const child = runFixture("../readme-example", [await tempDir()]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.lines).toEqual(['1 [{"type":"set","key":"players/42","value":{"name":"Ada"}}]', '{"key":"players/42","value":{"name":"Ada"},"version":1}', "1"]);
  });
});
