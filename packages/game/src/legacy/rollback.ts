import { scanAll, type KeyValueStore, type WriteOp } from "@store/kv";
import { IMPORT_CHUNK_PREFIX, IMPORT_KEY } from "../keys.js";
import { IMPORT_CHUNK, IMPORT_MARKER } from "../records.js";
import { decode } from "../schema.js";

/**
 * Undoes a chunked legacy import that did not finish (its process died, or a batch failed): deletes
 * every key each chunk record lists, chunk by chunk (each chunk's keys and its record in one batch,
 * so a crash here leaves a shorter rollback for next time), then the pending marker. No game
 * operation touched those keys meanwhile: they all refuse while the marker is pending.
 *
 * On a backend shared by several processes, run an import only while no other process opens the
 * game: this runs at every `createGame` and cannot tell a dead importer from a live one elsewhere.
 * Resolves with the number of keys deleted (0: nothing was pending).
 */
export async function rollBackInterruptedImport(kv: KeyValueStore): Promise<number> {
  const pending = await kv.get(IMPORT_KEY);
  if (pending === undefined) return 0;
  decode(IMPORT_MARKER, IMPORT_KEY, pending.value);
  let deleted = 0;
  for await (const chunk of scanAll(kv, { prefix: IMPORT_CHUNK_PREFIX })) {
    const { keys } = decode(IMPORT_CHUNK, chunk.key, chunk.value);
    const ops: WriteOp[] = keys.map((key) => ({ type: "delete", key }));
    ops.push({ type: "delete", key: chunk.key, ifVersion: chunk.version });
    await kv.batch(ops);
    deleted += keys.length;
  }
  await kv.batch([{ type: "delete", key: IMPORT_KEY, ifVersion: pending.version }]);
  return deleted;
}
