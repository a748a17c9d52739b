import { expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { describeOnServer, freshSchema } from "@store/testkit/postgres";

describeOnServer("exportEntries", "export", (database) => {
  it("streams every entry as of one seq, in key order, while the store is written meanwhile", async () => {
    const kv = await openPostgresStore({ connectionString: database().url }, { schema: freshSchema() });
    try {
      const keys = Array.from({ length: 2_500 }, (_, index) => `k/${String(index).padStart(4, "0")}`);
      for (let start = 0; start < keys.length; start += 1_000) {
        await kv.batch(keys.slice(start, start + 1_000).map((key) => ({ type: "set" as const, key, value: { key, round: 0 } })));
      }
      const before = await kv.stats();
      const exported = await kv.exportEntries();
      expect(exported.seq).toBe(before.seq);
      expect(exported.keys).toBe(2_500);
      const seen: Array<{ key: string; value: unknown }> = [];
      for await (const entry of exported.entries()) {
        seen.push({ key: entry.key, value: entry.value });
        // Writes during the export, after its seq: none of them may show.
        if (seen.length % 500 === 0 && seen.length < keys.length) {
          await kv.batch([
            { type: "set", key: keys[seen.length + 10]!, value: "changed" },
            { type: "delete", key: keys[seen.length + 20]! },
            { type: "set", key: `k/${seen.length}x`, value: "new" },
          ]);
        }
      }
      await exported.close();
      await exported.close();
      expect(seen).toEqual(keys.map((key) => ({ key, value: { key, round: 0 } })));
      expect((await kv.stats()).seq).toBe(before.seq + 4);
    } finally {
      await kv.close();
    }
  });

  it("an export left open is ended by close(), which does not wait for it forever", async () => {
    const kv = await openPostgresStore({ connectionString: database().url }, { schema: freshSchema() });
    await kv.batch([{ type: "set", key: "k", value: 1 }]);
    const exported = await kv.exportEntries();
    await kv.close();
    await exported.close();
  });
});
