import { StoreError } from "@store/fs";
import { createMemoryStore } from "@store/kv";
import { describe, expect, it } from "vitest";
import { createGame } from "../src/index.js";

describe("errors", () => {
  it("a refusal of the game layer is a StoreError with its GAME_* code and facts", async () => {
    const game = await createGame(createMemoryStore(), { sweepIntervalMs: 0 });
    const refusal: unknown = await game.tokens.spend("alice", 5).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(StoreError);
    expect(refusal).toMatchObject({ code: "GAME_INSUFFICIENT_FUNDS", playerId: "alice", balance: 0, amount: 5 });
    await game.close();
  });
});
