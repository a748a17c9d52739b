import { restoreTo } from "@store/log";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { out, outJson, type Io } from "../io.js";

/**
 * `store restore DIR (--seq N | --at ISO-TIME) --out NEWDIR`: the state of DIR as of a seq or a time,
 * from its live files and retained backups, into a new store (`restoreTo`); DIR is only read.
 */
export async function restore(io: Io, dir: string, options: { seq?: number; at?: number; out: string; json?: boolean }): Promise<ExitCode> {
  if ((options.seq === undefined) === (options.at === undefined)) throw new UsageError("restore takes exactly one of --seq N and --at ISO-TIME");
  let result;
  try {
    result = await restoreTo(dir, options.out, options.seq === undefined ? { atMs: options.at ?? 0 } : { seq: options.seq });
  } catch (error) {
    // restoreTo checks its arguments before it reads anything: a TypeError is a wrong command line.
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  const ts = result.ts === undefined ? null : new Date(result.ts).toISOString();
  if (options.json === true) outJson(io, { dir, out: options.out, seq: result.seq, ts, keys: result.keys, newSeq: result.newSeq });
  else out(io, `restored ${dir} as of seq ${result.seq}${ts === null ? "" : ` (written ${ts})`} into ${options.out}: ${result.keys} keys, verified`);
  return EXIT.ok;
}
