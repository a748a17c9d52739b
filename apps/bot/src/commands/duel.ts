import type { Game, GameRecord } from "@store/game";
import { SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import { formatDuration, tokens } from "../format.js";
import type { BotUser, ButtonInteraction, Reply } from "../interaction.js";
import { COLOR, Refusal, reply } from "../replies.js";
import type { BotContext, Command } from "./command.js";
import { requiredInteger, requiredUser } from "./options.js";
import { rememberName } from "./player-name.js";

/**
 * A two-player game. The challenge escrows the challenger's stake in a game record that expires
 * after `BOT_GAME_EXPIRY_MS` (the game layer's sweeper refunds it then, also after a restart).
 * The game asks the same stake of whoever joins (`joinStake`). Accept escrows it (a join) and
 * settles with the winner drawn inside the settlement's batch: the winner takes the pot, and a
 * replayed click answers the first draw. Decline (or the challenger withdrawing) cancels with a refund.
 */

const person = z.object({ id: z.string(), name: z.string() });
const duelState = z.object({ challenger: person, opponent: person, amount: z.int().positive() });
type DuelState = z.infer<typeof duelState>;

export type DuelAction = "accept" | "decline";

/**
 * The custom id of a duel's button: what it does and the game. (Buttons posted by earlier versions
 * carry the stake as a fourth part; it is ignored: a join takes the game's own stake.)
 */
export function duelButtonId(action: DuelAction, gameId: string): string {
  return `duel:${action}:${gameId}`;
}

export const duel: Command = {
  data: new SlashCommandBuilder()
    .setName("duel")
    .setDescription("Challenge a player: both stake the same amount, the winner takes both.")
    .addUserOption((option) => option.setName("opponent").setDescription("Who you challenge").setRequired(true))
    .addIntegerOption((option) => option.setName("amount").setDescription("Tokens each player stakes").setRequired(true).setMinValue(1)),

  async execute(interaction, { game, settings }) {
    const challenger = interaction.user;
    const opponent = requiredUser(interaction, "opponent");
    const amount = requiredInteger(interaction, "amount", settings.betMax);
    if (opponent.id === challenger.id) throw new Refusal("You cannot duel yourself.");
    if (opponent.bot) throw new Refusal(`${opponent.name} is a bot; bots do not duel.`);
    const state: DuelState = { challenger: { id: challenger.id, name: challenger.name }, opponent: { id: opponent.id, name: opponent.name }, amount };
    const gameId = `duel-${interaction.id}`;
    await rememberName(game, challenger);
    const record = await game.games.create(
      { id: gameId, type: "duel", channelId: interaction.channelId, players: [challenger.id], stakes: { [challenger.id]: amount }, joinStake: amount, state },
      { idempotencyKey: interaction.id },
    );
    return reply(
      {
        title: "Duel!",
        description: `${challenger.name} challenges ${opponent.name}: ${tokens(amount)} each, the winner takes ${tokens(2 * amount)}.`,
        color: COLOR.gold,
        footer: `${opponent.name}: accept or decline. Expires in ${formatDuration(record.expiresAtMs - game.options.now())}; the stake is refunded then.`,
      },
      {
        buttons: [
          { customId: duelButtonId("accept", gameId), label: "Accept", style: "success" },
          { customId: duelButtonId("decline", gameId), label: "Decline", style: "danger" },
        ],
      },
    );
  },

  async button(interaction, bot) {
    const [, action, gameId] = interaction.customId.split(":");
    if ((action !== "accept" && action !== "decline") || gameId === undefined || gameId.length === 0) {
      throw new Refusal("This button is not one of ours any more. Start a new /duel.");
    }
    const current = await bot.game.games.get(gameId);
    return action === "accept" ? accept(interaction, bot, gameId, current) : decline(interaction, bot, gameId, current);
  },
};

async function accept(interaction: ButtonInteraction, { game, random }: BotContext, gameId: string, current: GameRecord | undefined): Promise<Reply> {
  const clicker = interaction.user;
  let record: GameRecord;
  if (current === undefined) {
    // Over, or this very click was applied before a restart: the join's idempotency record tells
    // (it answers the first result), and otherwise the join finds no game and says so.
    record = await game.games.join(gameId, clicker.id, undefined, { idempotencyKey: interaction.id });
  } else {
    const state = stateOf(current);
    if (clicker.id !== state.opponent.id) {
      throw new Refusal(clicker.id === state.challenger.id ? `Wait for ${state.opponent.name} to accept, or decline to withdraw.` : `This duel is between ${state.challenger.name} and ${state.opponent.name}.`);
    }
    await rememberName(game, clicker);
    // A second click after a crash mid-accept finds the stake already escrowed and goes on.
    // The game's own joinStake; a duel created before the bot recorded one asks nothing, so it is named.
    const stake = current.joinStake === state.amount ? undefined : state.amount;
    record = current.players.includes(clicker.id) ? current : await game.games.join(gameId, clicker.id, stake, { idempotencyKey: interaction.id });
  }
  const { challenger, opponent } = stateOf(record);
  // The winner is drawn inside the settlement's batch, from the game as it stands there; a second
  // click (or a replay) is answered from the settlement's idempotency record, never drawn again.
  const settled = await game.games.settle(
    gameId,
    (duel) => {
      const winner = random.coin(gameId) ? challenger : opponent;
      const loser = winner === challenger ? opponent : challenger;
      const pot = Object.values(duel.stakes).reduce((sum, stake) => sum + stake, 0);
      return { results: { [winner.id]: "win", [loser.id]: "loss" }, payouts: { [winner.id]: pot } };
    },
    { idempotencyKey: `${gameId}:settle` },
  );
  const winner = settled.results[challenger.id] === "win" ? challenger : opponent;
  const pot = settled.paid;
  return reply(
    {
      title: `Duel: ${challenger.name} vs ${opponent.name}`,
      description: `${opponent.name} accepted. **${winner.name}** wins ${tokens(pot)}!`,
      color: COLOR.success,
    },
    { buttons: [], update: true },
  );
}

async function decline(interaction: ButtonInteraction, { game }: BotContext, gameId: string, current: GameRecord | undefined): Promise<Reply> {
  const clicker = interaction.user;
  if (current !== undefined) {
    const { challenger, opponent } = stateOf(current);
    if (clicker.id !== challenger.id && clicker.id !== opponent.id) throw new Refusal(`This duel is between ${challenger.name} and ${opponent.name}.`);
  }
  const result = await game.games.cancel(gameId, { idempotencyKey: interaction.id });
  const refunds = Object.entries(result.refunds).map(([id, refunded]) => `${nameIn(current, id)} gets ${tokens(refunded)} back`);
  const what = current === undefined ? "The duel was called off" : clicker.id === stateOf(current).challenger.id ? `${clicker.name} withdrew the challenge` : `${clicker.name} declined`;
  return reply({ title: "Duel called off", description: `${what}. ${refunds.join(", ") || "Nothing was staked"}.`, color: COLOR.loss }, { buttons: [], update: true });
}

function stateOf(record: GameRecord): DuelState {
  const parsed = duelState.safeParse(record.state);
  if (record.type !== "duel" || !parsed.success) throw new Refusal("That game is not a duel.");
  return parsed.data;
}

function nameIn(record: GameRecord | undefined, id: string): string {
  if (record === undefined) return id;
  const { challenger, opponent } = stateOf(record);
  return id === challenger.id ? challenger.name : id === opponent.id ? opponent.name : id;
}

export interface OpenDuel {
  readonly gameId: string;
  readonly challenger: BotUser;
  readonly opponent: BotUser;
  readonly amount: number;
  readonly createdAtMs: number;
}

/** Open duels `userId` is part of, newest first (the console's /accept and /decline pick from these). */
export async function openDuels(game: Game, userId: string): Promise<OpenDuel[]> {
  const nowMs = game.options.now();
  const duels: OpenDuel[] = [];
  for (const record of await game.games.list()) {
    if (record.type !== "duel" || record.expiresAtMs <= nowMs) continue;
    const parsed = duelState.safeParse(record.state);
    if (!parsed.success) continue;
    const { challenger, opponent, amount } = parsed.data;
    if (challenger.id !== userId && opponent.id !== userId) continue;
    duels.push({ gameId: record.id, challenger: { ...challenger, bot: false }, opponent: { ...opponent, bot: false }, amount, createdAtMs: record.createdAtMs });
  }
  return duels.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.gameId < b.gameId ? 1 : -1));
}
