// A writer for the kill-9 scenario. argv: dir, mode ("mixed" | "transfers"), seed, callers, accounts,
// compact ("1" to compact now and then). It prints, one line each, before going on (printNow):
//   open <seq>                 the store is open at seq
//   issue <seq> <ops as JSON>  a write took seq <seq> (printed before it can reach the disk)
//   ack <seq>                  the write with seq <seq> is acknowledged (durable)
// and runs until it is killed.
import { openStore, type BatchOp } from "@store/log";
import { Rng } from "@store/testkit";
import { mintOps, randomOps, transferOps } from "../ops.js";
import { SeqTracker, errorCode } from "../submit.js";
import { printNow } from "./print-now.js";

const [dir = "", mode = "mixed", seedText = "0", callersText = "64", accountsText = "8", compactText = "0"] = process.argv.slice(2);
const rng = new Rng(Number(seedText));
const accounts = Number(accountsText);
const store = await openStore(dir, { segmentBytesMax: 64 * 1024 });
const tracker = new SeqTracker(store);
const print = printNow;
print(`open ${store.seq}`);

/** Submits, prints the issue line before the write can reach the disk, then the ack. False on conflict. */
async function write(ops: BatchOp[]): Promise<boolean> {
  const submitted = tracker.submit(store, ops);
  if (submitted.seq !== undefined) print(`issue ${submitted.seq} ${JSON.stringify(ops)}`);
  try {
    const { seq } = await submitted.promise;
    print(`ack ${seq}`);
    return true;
  } catch (error) {
    if (errorCode(error) === "STORE_CONFLICT") return false;
    throw error;
  }
}

if (!store.has("acct/0")) await write(mintOps(accounts));

async function caller(index: number): Promise<void> {
  for (let count = 0; ; count += 1) {
    const ops = mode === "transfers" ? transferOps(store, rng, accounts) : randomOps(store, rng, index * 1_000_000 + count, accounts);
    if (ops === undefined || !(await write(ops))) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function compactor(): Promise<void> {
  for (;;) {
    await new Promise<void>((resolve) => setTimeout(resolve, 20 + rng.int(80)));
    await store.compact();
  }
}

await Promise.all([...Array.from({ length: Number(callersText) }, (_, index) => caller(index)), ...(compactText === "1" ? [compactor()] : [])]);
