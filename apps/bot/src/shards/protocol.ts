import type { ConsoleAnswer } from "../console/execute.js";

// What the manager and a console shard say over the child process's IPC channel (JSON).

/** Manager to shard: run this console line as this user, under this interaction id. */
export interface LineMessage {
  readonly type: "line";
  readonly n: number;
  readonly id: string;
  readonly user: string;
  readonly input: string;
}

/** Shard to manager: the shard is connected and takes lines; then the answer to each line. */
export type ShardMessage = { readonly type: "ready" } | { readonly type: "answer"; readonly n: number; readonly answer: ConsoleAnswer };

/** The environment variable that tells a shard its number (console mode; discord.js sets SHARDS itself). */
export const SHARD_ID_ENV = "BOT_SHARD_ID";

export function isLineMessage(message: unknown): message is LineMessage {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "line";
}

export function isShardMessage(message: unknown): message is ShardMessage {
  const type = typeof message === "object" && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === "ready" || type === "answer";
}
