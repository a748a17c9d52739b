import { describe, expect, it } from "vitest";
import { openStore, type SyncMode } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("checkpoint", () => {
  for (const sync of ["always", "none"] as SyncMode[]) {
    it(`returns while 8 writers keep writing (sync "${sync}"), covering every write submitted before it`, async () => {
      const store = await openStore(await tempDir(), { sync });
      let writing = true;
      let acknowledged = 0;
      const writers = Array.from({ length: 8 }, async (_, writer) => {
        for (let index = 0; writing; index += 1) {
          await store.set(`w${writer}`, index);
          acknowledged += 1;
        }
      });
      // Let the writers fill the queue, then checkpoint in the middle of their stream.
      while (acknowledged < 200) await store.set("warm-up", acknowledged);
      const marker = store.set("marker", 1);
      const { seq } = await store.checkpoint();
      expect(seq).toBeGreaterThanOrEqual((await marker).seq);
      expect(seq).toBeLessThanOrEqual(store.seq);
      writing = false;
      await Promise.all(writers);
      await store.close();
    });
  }
});
