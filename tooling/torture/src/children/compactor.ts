// A writer for the read-only-race scenario. argv: dir, prefillKeys, loopKeys, segmentBytesMax.
// It fills the store with p/<n> = n for n < prefillKeys (batches of 1,000, so a reader spends a
// while in the base), prints "ready <seq>", then writes batch seq = { last: seq, k/<seq % loopKeys>: seq }
// in one loop and compacts in another, printing "compacted <count>" after each compaction, until killed.
// The workload is a function of the arguments, so the parent knows the state at every seq.
import { openStore } from "@store/log";
import { printNow } from "./print-now.js";

const [dir = "", prefillText = "0", loopKeysText = "97", segmentBytesText = "2048"] = process.argv.slice(2);
const PREFILL_BATCH_KEYS = 1000;
const prefillKeys = Number(prefillText);
const loopKeys = Number(loopKeysText);
const store = await openStore(dir, { segmentBytesMax: Number(segmentBytesText), backupsMax: 1 });
for (let first = 0; first < prefillKeys; first += PREFILL_BATCH_KEYS) {
  const keys = Array.from({ length: Math.min(PREFILL_BATCH_KEYS, prefillKeys - first) }, (_, index) => first + index);
  await store.batch(keys.map((key) => ({ type: "set" as const, key: `p/${key}`, value: key })));
}
printNow(`ready ${store.seq}`);
void (async () => {
  for (let count = 1; ; count += 1) {
    await store.compact();
    printNow(`compacted ${count}`);
  }
})();
for (let seq = store.seq + 1; ; seq += 1) {
  await store.batch([
    { type: "set", key: "last", value: seq },
    { type: "set", key: `k/${seq % loopKeys}`, value: seq },
  ]);
}
