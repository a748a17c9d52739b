import { BAD_INPUTS, BAD_INPUT_EXISTING_KEY, folderBytes, refusalOf } from "@store/testkit";
import { describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

/**
 * Invariant 6: every case of the shared catalogue (@store/testkit, which the torture suite runs too)
 * is refused with its typed error before anything touches the disk: the folder's files are
 * byte-for-byte what they were, the state and seq unchanged, and the next write takes the next seq.
 */
describe("bad input is rejected before anything touches the disk", () => {
  it.each(BAD_INPUTS.map((input) => [input.name, input] as const))("%s", async (_name, input) => {
    const dir = await tempDir();
    const store = await openStore(dir);
    await store.set(BAD_INPUT_EXISTING_KEY, 1);
    for (const attempt of input.attempts) {
      await store.checkpoint(); // no zero fill of the segment in flight while files are compared
      const filesBefore = await folderBytes(dir);
      const stateBefore = [...store.scan()];
      const seqBefore = store.seq;
      const error = await attempt.run(store).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(refusalOf(error), `via ${attempt.via}: ${String(error)}`).toBe(input.refusedWith);
      expect(await folderBytes(dir), `via ${attempt.via}: the folder's bytes`).toEqual(filesBefore);
      expect([...store.scan()]).toEqual(stateBefore);
      expect(store.seq).toBe(seqBefore);
      expect(store.has("ok"), `via ${attempt.via}: the good op of a refused batch`).toBe(false);
    }
    const { seq } = await store.set("probe", true); // the store still works, and no seq was burned
    expect(seq).toBe(2);
    await store.close();
  });
});
