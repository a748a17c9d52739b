import type { ChangeEvent } from "@store/kv";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { err, outJson, type Io } from "../io.js";
import { connect } from "./remote.js";
import { eventLines } from "./tail.js";

/**
 * `store tail SOCKET [--follow] [--from SEQ]`: the served store's changes through a subscription,
 * from `--from` (default: the current seq, so only new changes), in the lines of a folder's tail.
 * The socket carries no write time, so `ts` is when the change arrived. Without --follow it stops at
 * the seq current when it started; `STORE_HISTORY_GONE` (the server no longer keeps that history)
 * is an error (exit 1), as for a folder. With --follow it outlives a server restart: the client
 * reconnects on its own and the subscription resumes after the last seq printed (said on stderr).
 */
export async function tailRemote(io: Io, socketPath: string, options: { json?: boolean; follow?: boolean; from?: number }): Promise<ExitCode> {
  let lastSeq = 0;
  let lost = false;
  const kv = await connect(
    socketPath,
    options.follow === true
      ? (change) => {
          if (change.state === "disconnected") {
            lost = true;
            err(io, `store: lost the connection to ${socketPath} (${change.error?.message ?? "closed"}); reconnecting`);
          } else if (change.state === "connected" && lost) {
            lost = false;
            err(io, `store: reconnected to ${socketPath}; resuming after seq ${lastSeq}`);
          }
        }
      : undefined,
  );
  try {
    const { seq: current } = await kv.stats();
    const afterSeq = options.from === undefined ? current : options.from - 1;
    const follow = options.follow === true;
    lastSeq = afterSeq;
    await new Promise<void>((resolve, reject) => {
      const print = (event: ChangeEvent): void => {
        if (!follow && event.seq > current) return; // a write after the start, seen while closing
        const ts = Date.now();
        if (options.json === true) outJson(io, { seq: event.seq, ts, ops: event.ops });
        else for (const line of eventLines({ seq: event.seq, ts, ops: event.ops })) io.stdout.write(`${line}\n`);
        lastSeq = event.seq;
        if (!follow && lastSeq >= current) resolve();
      };
      if (io.interrupted.aborted) resolve();
      io.interrupted.addEventListener("abort", () => { resolve(); }, { once: true });
      // The subscription ends with the store below; without --follow there may be nothing to wait for.
      kv.subscribe(print, { afterSeq, onError: reject }).then(() => {
        if (!follow && lastSeq >= current) resolve();
      }, reject);
    });
  } finally {
    await kv.close();
  }
  return EXIT.ok;
}
