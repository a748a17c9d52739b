// A process for the two-writers scenario. argv: dir. It races to open the store:
//   the winner prints "opened", then writes h/<caller>/<n> = n with 8 callers, printing "ack <key>"
//   for each, until it is killed;
//   the loser prints "locked <holder pid>", then retries until the holder is gone, prints
//   "took-over", writes "taker" = its pid, closes the store and exits 0.
import { StoreError, StoreLockedError, openStore, type Store } from "@store/log";
import { printNow } from "./print-now.js";

const RETRY_MS = 5;
const CALLERS = 8;
const dir = process.argv[2] ?? "";
const print = printNow;

async function tryOpen(): Promise<Store | StoreLockedError> {
  try {
    return await openStore(dir);
  } catch (error) {
    if (error instanceof StoreLockedError) return error;
    throw error;
  }
}

async function hold(store: Store): Promise<void> {
  print("opened");
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let n = 0; ; n += 1) {
        const key = `h/${caller}/${n}`;
        await store.set(key, n);
        print(`ack ${key}`);
      }
    }),
  );
}

async function waitAndTakeOver(first: StoreLockedError): Promise<void> {
  print(`locked ${String(first.owner?.pid)} ${first.message}`);
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, RETRY_MS));
    const attempt = await tryOpen();
    if (attempt instanceof StoreLockedError) continue;
    print("took-over");
    await attempt.set("taker", process.pid);
    await attempt.close();
    return;
  }
}

try {
  const first = await tryOpen();
  if (first instanceof StoreLockedError) await waitAndTakeOver(first);
  else await hold(first);
} catch (error) {
  print(`error ${error instanceof StoreError ? error.code : "unexpected"} ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
