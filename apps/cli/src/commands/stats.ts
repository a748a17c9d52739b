import { describeFolder, openStore } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { outJson, type Io } from "../io.js";
import { formatBytes, printFields } from "../output.js";

/** `store stats DIR`: the store's numbers (a read-only open) and what the folder holds (its listing). */
export async function stats(io: Io, dir: string, options: { json?: boolean }): Promise<ExitCode> {
  const store = await openStore(dir, { readOnly: true });
  let report;
  try {
    const numbers = store.stats();
    const folder = await describeFolder(dir);
    report = {
      dir,
      seq: numbers.seq,
      keys: numbers.keys,
      liveBytes: numbers.liveBytes,
      // A read-only open does not size the segments (it appends to none): the folder's listing does.
      totalBytes: folder.liveDataBytes,
      garbageRatio: folder.liveDataBytes === 0 ? 0 : Math.max(0, 1 - numbers.liveBytes / folder.liveDataBytes),
      base: folder.base,
      segments: folder.segments,
      backups: folder.backups,
      damaged: folder.damaged,
      leftovers: folder.leftovers,
      lastCompactionAt: folder.lastCompactionAtMs === null ? null : new Date(folder.lastCompactionAtMs).toISOString(),
      lock: folder.lock,
      recovery: store.recovery,
    };
  } finally {
    await store.close();
  }
  if (options.json === true) {
    outJson(io, report);
    return EXIT.ok;
  }
  const lock = report.lock;
  await printFields(io, [
    ["folder", dir],
    ["seq", String(report.seq)],
    ["keys", String(report.keys)],
    ["live bytes", formatBytes(report.liveBytes)],
    ["total bytes", formatBytes(report.totalBytes)],
    ["garbage", `${(report.garbageRatio * 100).toFixed(1)}%`],
    ["base", report.base === null ? "none (never compacted)" : `${report.base.name} (${formatBytes(report.base.bytes)}, seq ${report.base.seq ?? "?"})`],
    ["segments", report.segments.map((segment) => `${segment.name} (${formatBytes(segment.dataBytes)})`).join(", ") || "none"],
    ["backups", `${report.backups.length} file(s), ${formatBytes(report.backups.reduce((sum, file) => sum + file.bytes, 0))}`],
    ["last compaction", report.lastCompactionAt ?? "never"],
    ["lock", lock === null ? "free" : `pid ${lock.owner.pid} on ${lock.owner.host} since ${lock.owner.startedAt}${lock.alive === false ? " (dead: the next writer takes it over)" : lock.alive === null ? " (another host)" : ""}`],
    ["records replayed", `${report.recovery.recordsReplayed} in ${report.recovery.segmentsReplayed} segment(s)${report.recovery.baseFile === null ? "" : ` after ${report.recovery.baseFile}`}`],
    ["torn tail", report.recovery.tornTail === null ? "none" : `${report.recovery.tornTail.bytes} bytes at ${report.recovery.tornTail.path}:${report.recovery.tornTail.offset} (an append in progress, or cut at the next open)`],
    ...(report.damaged.length === 0 ? [] : [["kept by salvage", report.damaged.map((file) => `damaged/${file.name}`).join(", ")] as const]),
    ...(report.leftovers.length === 0 ? [] : [["leftovers", report.leftovers.join(", ")] as const]),
  ]);
  return EXIT.ok;
}
