import type { JsonValue } from "@store/kv";
import type { Game, GameRecord, Outcome, SettleDecision } from "../src/index.js";

// A plain model of the game operations (maps and numbers, no store), and the commands the property
// tests run against both it and the real layer. The model encodes the documented semantics; the
// real layer must agree on every result and every refusal's code.

export const PLAYERS = ["p0", "p1", "p2", "p3"] as const;
export const SETTINGS = { dailyAmount: 25, dailyCooldownMs: 3_600_000, gameTtlMs: 3_600_000, idempotencyTtlMs: 3_600_000, scoring: { win: 3, draw: 1, loss: 0 } };

export type Command =
  | { kind: "grant" | "spend"; player: number; amount: number; key: string | undefined }
  | { kind: "transfer"; from: number; to: number; amount: number; key: string | undefined }
  | { kind: "daily"; player: number; key: string | undefined }
  | { kind: "create"; game: number; players: number[]; stakes: number[]; joinStake: number | undefined; key: string | undefined }
  /** `stake` undefined: the game's joinStake. */
  | { kind: "join"; game: number; player: number; stake: number | undefined; key: string | undefined }
  /** `decided`: settled by a function of the game read in the batch (its players, its pot). */
  | { kind: "settle"; game: number; winner: number; payout: Payout; decided: boolean; key: string | undefined }
  /** A one-shot game: created, decided and settled in one batch. */
  | { kind: "play"; game: number; players: number[]; stakes: number[]; winner: number; payout: Payout; key: string | undefined }
  | { kind: "cancel"; game: number; key: string | undefined }
  | { kind: "result"; player: number; outcome: Outcome; key: string | undefined }
  | { kind: "advance"; ms: number }
  | { kind: "sweep" }
  | { kind: "reopen" }
  /** Runs again the keyed command this many keyed commands back (a retried Discord interaction). */
  | { kind: "retry"; back: number };

type Outcome2 = { ok: JsonValue } | { error: string };
export type Payout = "pot" | "double" | "none" | "draw";

interface ModelGame {
  players: string[];
  stakes: Record<string, number>;
  joinStake: number;
  expiresAtMs: number;
}

interface Stats {
  games: number;
  wins: number;
  losses: number;
  draws: number;
  score: number;
  streak: number;
  bestStreak: number;
}

export class Model {
  nowMs: number;
  readonly balances = new Map<string, number>();
  readonly lastDaily = new Map<string, number>();
  readonly games = new Map<string, ModelGame>();
  readonly stats = new Map<string, Stats>();
  readonly idem = new Map<string, { op: string; args: string; atMs: number; result: JsonValue }>();
  granted = 0;
  spent = 0;
  /** Times a settlement function had to be called (never for a repeat answered from its record). */
  decisions = 0;

  constructor(nowMs: number) {
    this.nowMs = nowMs;
  }

  balance(player: string): number {
    return this.balances.get(player) ?? 0;
  }

  /** Runs `effect` under an idempotency key as the layer does: a repeat returns the first result. */
  idempotent(key: string | undefined, op: string, args: JsonValue, effect: () => Outcome2): Outcome2 {
    if (key !== undefined) {
      const previous = this.idem.get(key);
      if (previous !== undefined) return previous.op === op && previous.args === JSON.stringify(args) ? { ok: previous.result } : { error: "GAME_IDEMPOTENCY_MISMATCH" };
    }
    const outcome = effect();
    if (key !== undefined && "ok" in outcome) this.idem.set(key, { op, args: JSON.stringify(args), atMs: this.nowMs, result: outcome.ok });
    return outcome;
  }

  credit(player: string, amount: number): number {
    const balance = this.balance(player) + amount;
    this.balances.set(player, balance);
    return balance;
  }

  sweep(): void {
    for (const [id, game] of [...this.games].sort((a, b) => a[1].expiresAtMs - b[1].expiresAtMs)) {
      if (game.expiresAtMs <= this.nowMs) this.refund(id, game);
    }
    for (const [key, record] of this.idem) if (record.atMs + SETTINGS.idempotencyTtlMs <= this.nowMs) this.idem.delete(key);
  }

  refund(id: string, game: ModelGame): Record<string, number> {
    const refunds: Record<string, number> = {};
    for (const player of game.players) {
      const stake = game.stakes[player] ?? 0;
      if (stake === 0) continue;
      this.credit(player, stake);
      refunds[player] = stake;
    }
    this.games.delete(id);
    return refunds;
  }

  record(player: string, outcome: Outcome, score: number): void {
    const stats = this.stats.get(player) ?? { games: 0, wins: 0, losses: 0, draws: 0, score: 0, streak: 0, bestStreak: 0 };
    const streak = outcome === "win" ? stats.streak + 1 : 0;
    this.stats.set(player, {
      games: stats.games + 1,
      wins: stats.wins + (outcome === "win" ? 1 : 0),
      losses: stats.losses + (outcome === "loss" ? 1 : 0),
      draws: stats.draws + (outcome === "draw" ? 1 : 0),
      score: stats.score + score,
      streak,
      bestStreak: Math.max(stats.bestStreak, streak),
    });
  }
}

export function settleRequest(players: readonly string[], winner: number, payout: Payout, pot: number): { results: Record<string, Outcome>; payouts: Record<string, number> } {
  const winnerId = players[winner % players.length]!;
  const results = Object.fromEntries(players.map((player) => [player, payout === "draw" ? "draw" : player === winnerId ? "win" : "loss"])) as Record<string, Outcome>;
  const payouts: Record<string, number> =
    payout === "pot" ? { [winnerId]: pot } : payout === "double" ? { [winnerId]: pot * 2 } : payout === "draw" ? Object.fromEntries(players.map((player) => [player, 0])) : {};
  return { results, payouts };
}

/** Applies `command` to the model; returns what the layer must answer. */
export function applyToModel(model: Model, command: Command): Outcome2 | undefined {
  switch (command.kind) {
    case "grant":
    case "spend": {
      const player = PLAYERS[command.player]!;
      return model.idempotent(command.key, command.kind, { playerId: player, amount: command.amount, reason: null }, () => {
        if (command.kind === "spend" && model.balance(player) < command.amount) return { error: "GAME_INSUFFICIENT_FUNDS" };
        const balance = model.credit(player, command.kind === "grant" ? command.amount : -command.amount);
        if (command.kind === "grant") model.granted += command.amount;
        else model.spent += command.amount;
        return { ok: { playerId: player, balance, amount: command.amount } };
      });
    }
    case "transfer": {
      const from = PLAYERS[command.from]!;
      const to = PLAYERS[command.to]!;
      return model.idempotent(command.key, "transfer", { from, to, amount: command.amount, reason: null }, () => {
        if (model.balance(from) < command.amount) return { error: "GAME_INSUFFICIENT_FUNDS" };
        const fromBalance = model.credit(from, -command.amount);
        const toBalance = model.credit(to, command.amount);
        return { ok: { from, to, amount: command.amount, fromBalance, toBalance } };
      });
    }
    case "daily": {
      const player = PLAYERS[command.player]!;
      return model.idempotent(command.key, "claimDaily", { playerId: player }, () => {
        const last = model.lastDaily.get(player);
        if (last !== undefined && model.nowMs < last + SETTINGS.dailyCooldownMs) return { error: "GAME_COOLDOWN" };
        model.lastDaily.set(player, model.nowMs);
        model.granted += SETTINGS.dailyAmount;
        const balance = model.credit(player, SETTINGS.dailyAmount);
        return { ok: { playerId: player, amount: SETTINGS.dailyAmount, balance, nextAtMs: model.nowMs + SETTINGS.dailyCooldownMs } };
      });
    }
    case "create":
      return applyCreate(model, command);
    case "join":
      return applyJoin(model, command);
    case "settle":
      return command.decided ? applyDecidedSettle(model, command) : applySettle(model, command);
    case "play":
      return applyPlay(model, command);
    case "cancel": {
      const id = `g${command.game}`;
      return model.idempotent(command.key, "cancelGame", { id }, () => {
        const game = model.games.get(id);
        if (game === undefined) return { error: "GAME_NOT_FOUND" };
        return { ok: { gameId: id, refunds: model.refund(id, game) } };
      });
    }
    case "result": {
      const player = PLAYERS[command.player]!;
      const score = SETTINGS.scoring[command.outcome];
      return model.idempotent(command.key, "recordResult", { id: player, type: "model", outcome: command.outcome, score }, () => {
        model.record(player, command.outcome, score);
        return { ok: "recorded" };
      });
    }
    case "advance":
      model.nowMs += command.ms;
      return undefined;
    case "sweep":
    case "reopen":
      model.sweep();
      return undefined;
    case "retry":
      throw new Error("retry is resolved to the command it repeats before it runs");
  }
}

function applyCreate(model: Model, command: Extract<Command, { kind: "create" }>): Outcome2 {
  const id = `g${command.game}`;
  const players = [...new Set(command.players)].map((index) => PLAYERS[index]!);
  const stakes = Object.fromEntries(players.map((player, index) => [player, command.stakes[index] ?? 0]));
  const args = { id, type: "model", channelId: null, players, stakes, ...(command.joinStake === undefined ? {} : { joinStake: command.joinStake }), state: null, expiresAtMs: null };
  return model.idempotent(command.key, "createGame", args, () => {
    if (model.games.has(id)) return { error: "GAME_EXISTS" };
    for (const player of players) if (model.balance(player) < stakes[player]!) return { error: "GAME_INSUFFICIENT_FUNDS" };
    for (const player of players) model.credit(player, -stakes[player]!);
    const expiresAtMs = model.nowMs + SETTINGS.gameTtlMs;
    const joinStake = command.joinStake ?? 0;
    model.games.set(id, { players, stakes, joinStake, expiresAtMs });
    return { ok: { id, players, stakes, joinStake, expiresAtMs } };
  });
}

function applyJoin(model: Model, command: Extract<Command, { kind: "join" }>): Outcome2 {
  const id = `g${command.game}`;
  const player = PLAYERS[command.player]!;
  const args = command.stake === undefined ? { id, playerId: player } : { id, playerId: player, stake: command.stake };
  return model.idempotent(command.key, "joinGame", args, () => {
    const game = model.games.get(id);
    if (game === undefined) return { error: "GAME_NOT_FOUND" };
    if (model.nowMs >= game.expiresAtMs) return { error: "GAME_EXPIRED" };
    if (game.players.includes(player)) return { error: "GAME_INVALID" };
    const stake = command.stake ?? game.joinStake;
    if (model.balance(player) < stake) return { error: "GAME_INSUFFICIENT_FUNDS" };
    model.credit(player, -stake);
    game.players = [...game.players, player];
    game.stakes = { ...game.stakes, [player]: stake };
    return { ok: { id, players: game.players, stakes: game.stakes, joinStake: game.joinStake, expiresAtMs: game.expiresAtMs } };
  });
}

/** Pays, records and counts a settlement of `players` (the pot is `pot`): the model's side of every settlement. */
function paySettlement(model: Model, id: string, players: readonly string[], pot: number, request: { results: Record<string, Outcome>; payouts: Record<string, number> }): Record<string, number> {
  const paid = Object.values(request.payouts).reduce((sum, amount) => sum + amount, 0);
  const balances: Record<string, number> = {};
  for (const [player, amount] of Object.entries(request.payouts)) if (amount > 0) balances[player] = model.credit(player, amount);
  for (const player of players) model.record(player, request.results[player]!, SETTINGS.scoring[request.results[player]!]);
  model.granted += Math.max(0, paid - pot);
  model.spent += Math.max(0, pot - paid);
  model.games.delete(id);
  return balances;
}

function applyDecidedSettle(model: Model, command: Extract<Command, { kind: "settle" }>): Outcome2 {
  const id = `g${command.game}`;
  return model.idempotent(command.key, "settleGame", { id, decided: true }, () => {
    const game = model.games.get(id);
    if (game === undefined) return { error: "GAME_NOT_FOUND" };
    if (model.nowMs >= game.expiresAtMs) return { error: "GAME_EXPIRED" };
    model.decisions += 1;
    const pot = game.players.reduce((sum, player) => sum + game.stakes[player]!, 0);
    const request = settleRequest(game.players, command.winner, command.payout, pot);
    const balances = paySettlement(model, id, game.players, pot, request);
    return { ok: { gameId: id, type: "model", pot, paid: Object.values(request.payouts).reduce((sum, amount) => sum + amount, 0), ...request, balances } };
  });
}

function applyPlay(model: Model, command: Extract<Command, { kind: "play" }>): Outcome2 {
  const id = `g${command.game}`;
  const players = [...new Set(command.players)].map((index) => PLAYERS[index]!);
  const stakes = Object.fromEntries(players.map((player, index) => [player, command.stakes[index] ?? 0]));
  return model.idempotent(command.key, "playGame", { id, type: "model", channelId: null, players, stakes, state: null }, () => {
    if (model.games.has(id)) return { error: "GAME_EXISTS" };
    for (const player of players) if (model.balance(player) < stakes[player]!) return { error: "GAME_INSUFFICIENT_FUNDS" };
    for (const player of players) model.credit(player, -stakes[player]!);
    model.decisions += 1;
    const pot = players.reduce((sum, player) => sum + stakes[player]!, 0);
    const request = settleRequest(players, command.winner, command.payout, pot);
    const balances = paySettlement(model, id, players, pot, request);
    for (const player of players) if (stakes[player]! > 0) balances[player] = model.balance(player);
    return { ok: { gameId: id, type: "model", pot, paid: Object.values(request.payouts).reduce((sum, amount) => sum + amount, 0), ...request, balances } };
  });
}

function applySettle(model: Model, command: Extract<Command, { kind: "settle" }>): Outcome2 {
  const id = `g${command.game}`;
  const game = model.games.get(id);
  // The request names the game's players as the caller last knew them (none: a game never created).
  const players = game?.players ?? [PLAYERS[0]];
  const pot = game === undefined ? 0 : players.reduce((sum, player) => sum + game.stakes[player]!, 0);
  const { results, payouts } = settleRequest(players, command.winner, command.payout, pot);
  const scores = {};
  return model.idempotent(command.key, "settleGame", { id, results, payouts, scores }, () => {
    if (game === undefined) return { error: "GAME_NOT_FOUND" };
    if (model.nowMs >= game.expiresAtMs) return { error: "GAME_EXPIRED" };
    const paid = Object.values(payouts).reduce((sum, amount) => sum + amount, 0);
    const balances: Record<string, number> = {};
    for (const [player, amount] of Object.entries(payouts)) if (amount > 0) balances[player] = model.credit(player, amount);
    for (const player of players) model.record(player, results[player]!, SETTINGS.scoring[results[player]!]);
    model.granted += Math.max(0, paid - pot);
    model.spent += Math.max(0, pot - paid);
    model.games.delete(id);
    return { ok: { gameId: id, type: "model", pot, paid, results, payouts, balances } };
  });
}

/** The part of a game record the model follows. */
function summary(record: GameRecord): JsonValue {
  return { id: record.id, players: record.players, stakes: record.stakes, joinStake: record.joinStake, expiresAtMs: record.expiresAtMs };
}

/** Runs `command` on the real layer; returns what it answered (a result, or a refusal's code). `decided` counts the settlement functions it called. */
export async function applyToGame(game: Game, model: Model, command: Command, decided: { count: number }): Promise<Outcome2 | undefined> {
  const opts = "key" in command && command.key !== undefined ? { idempotencyKey: command.key } : {};
  const run = async (action: () => Promise<JsonValue>): Promise<Outcome2> => {
    try {
      return { ok: await action() };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "string") throw error;
      return { error: code };
    }
  };
  switch (command.kind) {
    case "grant":
      return run(() => game.tokens.grant(PLAYERS[command.player]!, command.amount, opts));
    case "spend":
      return run(() => game.tokens.spend(PLAYERS[command.player]!, command.amount, opts));
    case "transfer":
      return run(() => game.tokens.transfer(PLAYERS[command.from]!, PLAYERS[command.to]!, command.amount, opts));
    case "daily":
      return run(() => game.tokens.claimDaily(PLAYERS[command.player]!, opts));
    case "create": {
      const players = [...new Set(command.players)].map((index) => PLAYERS[index]!);
      const stakes = Object.fromEntries(players.map((player, index) => [player, command.stakes[index] ?? 0]));
      return run(async () => summary(await game.games.create({ id: `g${command.game}`, type: "model", players, stakes, joinStake: command.joinStake }, opts)));
    }
    case "join":
      return run(async () => summary(await game.games.join(`g${command.game}`, PLAYERS[command.player]!, command.stake, opts)));
    case "play": {
      const players = [...new Set(command.players)].map((index) => PLAYERS[index]!);
      const stakes = Object.fromEntries(players.map((player, index) => [player, command.stakes[index] ?? 0]));
      return run(() => game.games.play({ id: `g${command.game}`, type: "model", players, stakes }, decide(command, decided), opts));
    }
    case "settle": {
      const id = `g${command.game}`;
      if (command.decided) return run(() => game.games.settle(id, decide(command, decided), opts));
      const known = model.games.get(id);
      const players = known?.players ?? [PLAYERS[0]];
      const pot = known === undefined ? 0 : players.reduce((sum, player) => sum + known.stakes[player]!, 0);
      return run(() => game.games.settle(id, settleRequest(players, command.winner, command.payout, pot), opts));
    }
    case "cancel":
      return run(() => game.games.cancel(`g${command.game}`, opts));
    case "result":
      return run(async () => {
        await game.players.recordResult(PLAYERS[command.player]!, { type: "model", outcome: command.outcome }, opts);
        return "recorded";
      });
    case "advance":
      return undefined;
    case "sweep":
      await game.sweep();
      return undefined;
    case "reopen":
    case "retry":
      return undefined;
  }
}

/** The settlement function: the winner and payout of the command, from the game as the batch read it. */
function decide(command: { winner: number; payout: Payout }, decided: { count: number }): SettleDecision {
  return (record) => {
    decided.count += 1;
    const pot = record.players.reduce((sum, player) => sum + (record.stakes[player] ?? 0), 0);
    return settleRequest(record.players, command.winner, command.payout, pot);
  };
}
