// The server process of the game suite's socket row: opens the @store/log folder argv[2]
// (sync "always") and serves it on the socket argv[3], printing "listening". On stdin, "counters"
// answers `counters {"flushes":N,"writeBytes":N}` (its fdatasync calls and bytes sent to storage so
// far), "stop" closes the server and the store and answers "stopped".
import { createInterface } from "node:readline";
import { openStore, toKeyValueStore } from "@store/log";
import { serveStore } from "@store/remote";
import { processWriteBytes } from "../probes.js";

const [folder, socketPath] = process.argv.slice(2);
if (folder === undefined || socketPath === undefined) throw new TypeError("usage: socket-server.ts <data folder> <socket path>");
const store = await openStore(folder, { sync: "always" });
const server = await serveStore(toKeyValueStore(store), { socketPath });
process.stdout.write("listening\n");

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  await store.close();
  process.stdout.write("stopped\n");
  process.exit(0);
}

process.on("SIGTERM", () => void stop());
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "stop") void stop();
  if (line === "counters") process.stdout.write(`counters ${JSON.stringify({ flushes: store.stats().flushes, writeBytes: processWriteBytes() })}\n`);
});
