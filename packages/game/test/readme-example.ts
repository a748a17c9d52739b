import { randomInt } from "node:crypto";
import { openStore, toKeyValueStore } from "@store/log";
import { createGame, isGameError } from "../src/index.js";

const store = await openStore(process.argv[2] ?? "./data"); // creates the folder, takes its lock
const game = await createGame(toKeyValueStore(store)); // rolls back, indexes, refunds expired games

await game.players.upsert("42", { name: "Ada" });
await game.tokens.claimDaily("42", { idempotencyKey: "interaction-1" }); // +100, once per 24 h
await game.tokens.grant("7", 50, { idempotencyKey: "interaction-2" });

// A duel: both stakes escrowed in one batch; refunded by the sweeper if not settled within 1 h.
const duel = await game.games.create(
  { type: "duel", channelId: "general", players: ["42", "7"], stakes: { "42": 20, "7": 20 } },
  { idempotencyKey: "interaction-3" },
);
await game.games.settle(duel.id, { results: { "42": "win", "7": "loss" }, payouts: { "42": 40 } }, { idempotencyKey: "interaction-4" });

try {
  await game.tokens.spend("7", 1_000);
} catch (error) {
  if (!isGameError(error, "GAME_INSUFFICIENT_FUNDS")) throw error;
  console.log(`7 has ${error.balance} tokens, ${error.amount} needed`); // 7 has 30 tokens, 1000 needed
}

// A coin flip against the house, one batch: the stake escrowed, the coin drawn inside the batch,
// double or nothing paid. A retry with the same key answers the first flip; it never draws again.
const flip = await game.games.play(
  { type: "coinflip", players: ["42"], stakes: { "42": 10 } },
  () => (randomInt(2) === 1 ? { results: { "42": "win" }, payouts: { "42": 20 } } : { results: { "42": "loss" } }),
  { idempotencyKey: "interaction-5" },
);
console.log(flip.results["42"], flip.balances["42"]); // win 130, or loss 110

await game.catchUp(); // the leaderboard follows the change subscription: wait for the last write
console.log(game.leaderboard.top(10)); // [{ rank: 1, id: "42", name: "Ada", score: 6 (or 3) }, { rank: 2, id: "7", ... }]
console.log((await game.audit()).ok); // true: balances + escrow = granted - spent
await game.close(); // stops the sweeper; the store stays open
await store.close();
