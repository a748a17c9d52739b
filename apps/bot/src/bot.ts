import type { Logger } from "pino";
import { commands, findCommand, type BotContext, type Command } from "./commands/index.js";
import type { ButtonInteraction, CommandInteraction, Reply } from "./interaction.js";
import { explainError, refusal } from "./replies.js";

export type Outcome = "ok" | "refused" | "error" | "shutdown";

/** Told of every interaction handled (metrics). */
export interface InteractionObserver {
  started(): void;
  finished(command: string, outcome: Outcome, seconds: number): void;
}

export interface BotOptions {
  readonly context: BotContext;
  readonly logger: Logger;
  readonly observer?: InteractionObserver | undefined;
  /** Called once when a handler meets a failed store (`STORE_FAILED`): the bot must stop. */
  readonly onFatal: (error: unknown) => void;
}

/**
 * Runs handlers for any transport: finds the command, turns every error into a friendly
 * ephemeral reply (never a stack trace), measures, and tracks what is in flight so a shutdown can
 * refuse new interactions and wait for the running ones.
 */
export class Bot {
  readonly commands: readonly Command[] = commands;
  readonly #options: BotOptions;
  readonly #inFlight = new Set<Promise<Reply>>();
  #accepting = true;

  constructor(options: BotOptions) {
    this.#options = options;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  handleCommand(interaction: CommandInteraction): Promise<Reply> {
    const command = findCommand(interaction.commandName);
    return this.#run(interaction.commandName, interaction, () =>
      command === undefined ? Promise.resolve(refusal(`There is no /${interaction.commandName} command. Try /help.`)) : command.execute(interaction, this.#options.context),
    );
  }

  handleButton(interaction: ButtonInteraction): Promise<Reply> {
    const name = interaction.customId.split(":")[0] ?? "";
    const command = findCommand(name);
    const handler = command?.button?.bind(command);
    return this.#run(`${name}:button`, interaction, () =>
      handler === undefined ? Promise.resolve(refusal("This button no longer does anything.")) : handler(interaction, this.#options.context),
    );
  }

  /** Stops taking interactions (each new one is refused politely) and waits for those running. */
  async drain(): Promise<void> {
    this.#accepting = false;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #run(label: string, interaction: CommandInteraction | ButtonInteraction, execute: () => Promise<Reply>): Promise<Reply> {
    const { observer } = this.#options;
    if (!this.#accepting) {
      observer?.finished(label, "shutdown", 0);
      return Promise.resolve(refusal("The bot is shutting down and takes no new commands. Try again in a moment.", "Restarting"));
    }
    observer?.started();
    const startedAt = performance.now();
    const task = this.#settle(label, interaction, execute).then(({ reply, outcome }) => {
      observer?.finished(label, outcome, (performance.now() - startedAt) / 1000);
      return reply;
    });
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    return task;
  }

  async #settle(label: string, interaction: CommandInteraction | ButtonInteraction, execute: () => Promise<Reply>): Promise<{ reply: Reply; outcome: Outcome }> {
    try {
      const reply = await execute();
      return { reply, outcome: reply.ephemeral ? "refused" : "ok" };
    } catch (error) {
      const explained = explainError(error);
      const facts = { command: label, interactionId: interaction.id, userId: interaction.user.id };
      if (explained.kind === "error") this.#options.logger.error({ ...facts, err: error }, `/${label} failed`);
      else this.#options.logger.debug({ ...facts, code: (error as { code?: unknown }).code }, `/${label} refused`);
      if (explained.fatal) this.#options.onFatal(error);
      return { reply: explained.reply, outcome: explained.kind };
    }
  }
}
