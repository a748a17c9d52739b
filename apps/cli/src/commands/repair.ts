import { openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";
import { printTable } from "../output.js";

/**
 * `store repair DIR`: the salvage open. Takes the lock (STORE_LOCKED while another process holds
 * it: a repair under a running writer would race it), keeps each damaged file as it was in
 * `damaged/`, keeps every whole record, and says what was kept and what was cut.
 */
export async function repair(io: Io, dir: string, options: { json?: boolean }): Promise<ExitCode> {
  const store = await openStore(dir, { onCorruption: "salvage" });
  const { recovery } = store;
  const kept = { seq: store.seq, keys: store.stats().keys, recordsReplayed: recovery.recordsReplayed, segmentsReplayed: recovery.segmentsReplayed, baseFile: recovery.baseFile };
  await store.close();
  const cut = [
    ...recovery.salvaged.flatMap((file) => file.damage.map((damage) => ({ path: file.path, offset: damage.offset, bytes: damage.bytes, why: damage.reason, keptAt: file.keptAt }))),
    ...(recovery.tornTail === null ? [] : [{ path: recovery.tornTail.path, offset: recovery.tornTail.offset, bytes: recovery.tornTail.bytes, why: recovery.tornTail.unsynced ? "unsynced tail" : "torn tail (an interrupted append)", keptAt: null }]),
  ];
  if (options.json === true) {
    outJson(io, { dir, repaired: cut.length > 0, kept, cut, salvaged: recovery.salvaged, tornTail: recovery.tornTail });
    return EXIT.ok;
  }
  out(io, `${cut.length === 0 ? "nothing to repair" : "repaired"}: ${dir}: kept ${kept.keys} keys at seq ${kept.seq} (${kept.recordsReplayed} records replayed from ${kept.segmentsReplayed} segment(s)${kept.baseFile === null ? "" : ` after ${kept.baseFile}`})`);
  if (cut.length > 0) {
    out(io, "cut:");
    await printTable(io, ["file", "offset", "bytes", "why", "original kept at"], cut.map((entry) => [entry.path, String(entry.offset), String(entry.bytes), entry.why, entry.keptAt ?? "-"]));
  }
  return EXIT.ok;
}
