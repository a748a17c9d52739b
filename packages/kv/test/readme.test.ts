import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";

// The README's update() example is this file's example block, word for word (importing from
// "@store/kv" there), and it runs here.

// example:start
import { createMemoryStore, update, type Entry } from "../src/index.js";

class InsufficientFunds extends Error {}

const kv = createMemoryStore();
await kv.batch([{ type: "set", key: "balance/ada", value: 100 }]);

function balanceOf(entry: Entry | undefined): number {
  return typeof entry?.value === "number" ? entry.value : 0;
}

const { result, seq } = await update(kv, ["balance/ada", "balance/bo"], (entries) => {
  const from = balanceOf(entries.get("balance/ada"));
  const to = balanceOf(entries.get("balance/bo"));
  if (from < 30) throw new InsufficientFunds(`ada has ${from}`); // not retried
  return {
    ops: [
      { type: "set", key: "balance/ada", value: from - 30 },
      { type: "set", key: "balance/bo", value: to + 30 },
    ],
    result: from - 30,
  };
});
// result: 70, seq: the batch's seq
// example:end

it("the README's update() example runs and does what its comment says", async () => {
  expect(result).toBe(70);
  expect(seq).toBe(2);
  expect((await kv.get("balance/bo"))?.value).toBe(30);
});

it("the README shows exactly the example above", async () => {
  const source = await readFile(new URL(import.meta.url), "utf8");
  const example = source
    .slice(source.indexOf("// example:start\n") + "// example:start\n".length, source.indexOf("// example:end"))
    .replace('"../src/index.js"', '"@store/kv"');
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toContain("```ts\n" + example + "```");
});
