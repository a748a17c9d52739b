import { describe, expect, it } from "vitest";
import { openStore, toKeyValueStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

describe("toKeyValueStore", () => {
  it("keeps the store's own limits where they are tighter than the contract's", async () => {
    const store = await openStore(await tempDir(), { keyBytesMax: 8, batchOpsMax: 2, valueDepthMax: 2 });
    const kv = toKeyValueStore(store);
    await expect(kv.batch([{ type: "set", key: "a-longer-key", value: 1 }])).rejects.toMatchObject({ code: "STORE_INVALID_KEY" });
    await expect(
      kv.batch([
        { type: "set", key: "a", value: 1 },
        { type: "set", key: "b", value: 1 },
        { type: "check", key: "c", ifVersion: null },
      ]),
    ).rejects.toMatchObject({ code: "STORE_TOO_LARGE" });
    await expect(kv.batch([{ type: "set", key: "a", value: [[[1]]] }])).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    expect(store.seq).toBe(0);
    await expect(kv.batch([{ type: "set", key: "a", value: [[1]] }, { type: "check", key: "c", ifVersion: null }])).resolves.toEqual({ seq: 1 });
    await kv.close();
  });

  it("writes what the caller passed, not what it changed afterwards", async () => {
    const kv = toKeyValueStore(await openStore(await tempDir()));
    const value = { tokens: 5 };
    const written = kv.batch([{ type: "set", key: "p", value }]);
    value.tokens = 99;
    await written;
    expect((await kv.get("p"))?.value).toEqual({ tokens: 5 });
    await kv.close();
  });
});
