import { followLog, type FollowedRecord } from "@store/log";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";

/**
 * `store tail DIR [--follow] [--from SEQ] [-n N]`: records in seq order as they are written
 * (`followLog`: read-only, no lock, across segment rolls and compactions). One line per operation:
 * `seq time set|del key value`; with --json one line per record: `{seq, ts, ops: [...]}`. With
 * --follow it runs until interrupted (Ctrl-C: exit 0).
 */
export async function tail(io: Io, dir: string, options: { json?: boolean; follow?: boolean; from?: number; lines: number }): Promise<ExitCode> {
  const follow = options.follow === true;
  const records = followLog(dir, {
    follow,
    signal: io.interrupted,
    ...(options.from === undefined ? { last: options.lines } : { afterSeq: options.from - 1 }),
  });
  for await (const followed of records) {
    if (options.json === true) outJson(io, asEvent(followed));
    else for (const line of textLines(followed)) out(io, line);
  }
  return EXIT.ok;
}

type Op = { readonly type: "set"; readonly key: string; readonly value: unknown } | { readonly type: "delete"; readonly key: string };

function asEvent({ seq, record }: FollowedRecord): { seq: number; ts: number; ops: Op[] } {
  const ops: Op[] =
    record.op === "batch"
      ? record.ops.map((op): Op => (op.op === "set" ? { type: "set", key: op.key, value: op.value } : { type: "delete", key: op.key }))
      : record.op === "set"
        ? [{ type: "set", key: record.key, value: record.value }]
        : [{ type: "delete", key: record.key }];
  return { seq, ts: record.ts, ops };
}

/** Plain and stable: tab-separated `seq`, ISO time, `set`/`del`, key, value JSON. */
function textLines(followed: FollowedRecord): string[] {
  return eventLines(asEvent(followed));
}

/** The lines of one change (a folder's record or a socket's event). */
export function eventLines({ seq, ts, ops }: { seq: number; ts: number; ops: readonly Op[] }): string[] {
  const time = new Date(ts).toISOString();
  return ops.map((op) => [String(seq), time, op.type === "set" ? "set" : "del", op.key, op.type === "set" ? JSON.stringify(op.value) : ""].join("\t"));
}
