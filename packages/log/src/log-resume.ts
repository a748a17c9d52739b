import { StoreError, deepFreeze, type FileSystem, type JsonValue } from "@store/fs";
import type { ChangeEvent, ChangeOp } from "@store/kv";
import { followLog } from "./follow-log.js";
import type { WriteRecord } from "./format.js";

/**
 * The writes after `afterSeq` up to `upToSeq`, read back from the log files still on disk (the live
 * segments, and the retired ones `backups/` keeps), for a subscriber that resumes from further back
 * than the in-memory history reaches: after a reopen it holds nothing older than the open. Every
 * write up to `upToSeq` is in the files (a write is appended before it is announced). Records a
 * compaction retired with no backup kept: STORE_HISTORY_GONE, as from the in-memory history.
 */
export async function replayFromLog(dir: string, fs: FileSystem, afterSeq: number, upToSeq: number, deliver: (event: ChangeEvent) => void): Promise<void> {
  let lastSeq = afterSeq;
  for await (const { seq, record } of followLog(dir, { fs, afterSeq, follow: false })) {
    if (seq > upToSeq) break;
    deliver(changeEventOf(seq, record));
    lastSeq = seq;
  }
  if (lastSeq < upToSeq) {
    throw new StoreError(
      "STORE_HISTORY_GONE",
      `Cannot resume after seq ${afterSeq}: the log files in ${dir} end at seq ${lastSeq}, before seq ${upToSeq}. Read the state again, then subscribe.`,
      { path: dir },
    );
  }
}

function changeEventOf(seq: number, record: WriteRecord): ChangeEvent {
  const set = (key: string, value: JsonValue): ChangeOp => ({ type: "set", key, value: deepFreeze(value) });
  if (record.op === "set") return { seq, ops: [set(record.key, record.value)] };
  if (record.op === "del") return { seq, ops: [{ type: "delete", key: record.key }] };
  return { seq, ops: record.ops.map((op): ChangeOp => (op.op === "set" ? set(op.key, op.value) : { type: "delete", key: op.key })) };
}
