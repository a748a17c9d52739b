import { ApplicationCommandOptionType, type APIApplicationCommandOption } from "discord.js";
import { findCommand } from "../commands/index.js";
import type { BotUser, CommandOptions } from "../interaction.js";

/** What the console's own names and ids may contain: what a player id may (`@store/game`). */
const NAME_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/u;
/** An explicit interaction id, `[id] /command ...`: what scripts use to replay the same interaction. */
const ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,100}$/u;

export type ConsoleLine =
  | { readonly kind: "empty" }
  | { readonly kind: "as"; readonly name: string }
  | { readonly kind: "help" }
  | { readonly kind: "quit" }
  | { readonly kind: "command"; readonly id: string | undefined; readonly name: string; readonly options: CommandOptions }
  | { readonly kind: "button"; readonly id: string | undefined; readonly action: "accept" | "decline"; readonly other: string | undefined }
  | { readonly kind: "invalid"; readonly message: string };

export function consoleUser(name: string): BotUser {
  return { id: name, name, bot: false };
}

/**
 * One line of the console: `/as NAME`, `/help`, `/quit`, `/accept [challenger]`,
 * `/decline [player]`, or a slash command with its options in order (`/give bob 10`) or by
 * name (`/give amount:10 user:bob`), parsed with the command's own builder definition, so the
 * console accepts exactly what Discord would. `[id]` in front sets the interaction id; `#` starts
 * a comment line.
 */
export function parseLine(text: string): ConsoleLine {
  let line = text.trim();
  if (line === "" || line.startsWith("#")) return { kind: "empty" };
  let id: string | undefined;
  const explicit = /^\[([^\]]*)\]\s*/u.exec(line);
  if (explicit !== null) {
    id = explicit[1] ?? "";
    if (!ID_PATTERN.test(id)) return { kind: "invalid", message: `The interaction id [${id}] must be 1 to 100 of A-Z a-z 0-9 _ . : @ -.` };
    line = line.slice(explicit[0].length);
  }
  if (!line.startsWith("/")) return { kind: "invalid", message: `Commands start with "/": try /help.` };
  const [head = "", ...args] = line.slice(1).split(/\s+/u);
  const name = head.toLowerCase();
  switch (name) {
    case "as":
      if (args.length !== 1 || !NAME_PATTERN.test(stripAt(args[0]!))) return { kind: "invalid", message: "Usage: /as NAME (1 to 64 of A-Z a-z 0-9 _ . : @ -)." };
      return { kind: "as", name: stripAt(args[0]!) };
    case "help":
      return { kind: "help" };
    case "quit":
    case "exit":
      return { kind: "quit" };
    case "accept":
    case "decline":
      if (args.length > 1 || (args[0] !== undefined && !NAME_PATTERN.test(stripAt(args[0])))) return { kind: "invalid", message: `Usage: /${name} [player]` };
      return { kind: "button", id, action: name, other: args[0] === undefined ? undefined : stripAt(args[0]) };
    default:
      return parseCommand(id, name, args);
  }
}

function parseCommand(id: string | undefined, name: string, args: readonly string[]): ConsoleLine {
  const command = findCommand(name);
  if (command === undefined) return { kind: "invalid", message: `There is no /${name} command. Try /help.` };
  const definitions = command.data.toJSON().options ?? [];
  const values = new Map<string, string>();
  let position = 0;
  for (const arg of args) {
    const named = /^([a-z_]+):(.*)$/u.exec(arg);
    const definition = named === null ? definitions[position++] : definitions.find((option) => option.name === named[1]);
    if (definition === undefined) return { kind: "invalid", message: `Too many or unknown options. Usage: ${usage(name, definitions)}` };
    values.set(definition.name, named === null ? arg : (named[2] ?? ""));
  }
  const users = new Map<string, BotUser>();
  const integers = new Map<string, number>();
  for (const definition of definitions) {
    const raw = values.get(definition.name);
    if (raw === undefined) {
      if (definition.required === true) return { kind: "invalid", message: `Missing ${definition.name}. Usage: ${usage(name, definitions)}` };
      continue;
    }
    const problem = readOption(definition, raw, users, integers);
    if (problem !== undefined) return { kind: "invalid", message: `${problem} Usage: ${usage(name, definitions)}` };
  }
  return {
    kind: "command",
    id,
    name,
    options: { getUser: (option) => users.get(option) ?? null, getInteger: (option) => integers.get(option) ?? null },
  };
}

/** Reads one option as Discord would check it (user names, integers within their bounds). */
function readOption(definition: APIApplicationCommandOption, raw: string, users: Map<string, BotUser>, integers: Map<string, number>): string | undefined {
  if (definition.type === ApplicationCommandOptionType.User) {
    const user = stripAt(raw);
    if (!NAME_PATTERN.test(user)) return `${definition.name} must be a player name, got "${raw}".`;
    users.set(definition.name, consoleUser(user));
    return undefined;
  }
  if (definition.type === ApplicationCommandOptionType.Integer) {
    const value = /^-?\d{1,16}$/u.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value)) return `${definition.name} must be a whole number, got "${raw}".`;
    if (definition.min_value !== undefined && value < definition.min_value) return `${definition.name} must be at least ${definition.min_value}.`;
    if (definition.max_value !== undefined && value > definition.max_value) return `${definition.name} must be at most ${definition.max_value}.`;
    integers.set(definition.name, value);
    return undefined;
  }
  return `${definition.name} has a type the console does not read (${definition.type}).`;
}

export function usage(name: string, definitions: readonly APIApplicationCommandOption[]): string {
  return [`/${name}`, ...definitions.map((option) => (option.required === true ? `<${option.name}>` : `[${option.name}]`))].join(" ");
}

function stripAt(name: string): string {
  return name.startsWith("@") ? name.slice(1) : name;
}
