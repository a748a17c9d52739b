import { join } from "node:path";
import { openStore, toKeyValueStore } from "@store/log";
import { connectStore, serveStore } from "../src/index.js";

const folder = process.argv[2] ?? "./data";
const socketPath = join(folder, "store.sock");

// The manager process: owns the data folder (its lock), serves it. The socket is created 0600.
const store = toKeyValueStore(await openStore(folder));
const server = await serveStore(store, { socketPath });

// Each shard process: a KeyValueStore like any other (createGame(kv) from @store/game runs on it).
const kv = await connectStore({ socketPath, name: "shard-0" });
const subscription = await kv.subscribe(({ seq, ops }) => {
  console.log(seq, JSON.stringify(ops)); // also other shards' writes; resumes after a reconnection
});
const { seq } = await kv.batch([{ type: "set", key: "players/42", value: { name: "Ada" }, ifVersion: null }]);
console.log(JSON.stringify(await kv.get("players/42"))); // {"key":"players/42","value":{"name":"Ada"},"version":1}

await subscription.close();
await kv.close(); // a shard: waits for its calls in flight and the events of its writes
await server.close(); // the manager: answers what is in flight, says bye, removes the socket file
await store.close();
console.log(seq);
