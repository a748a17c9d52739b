import { commands } from "../commands/index.js";
import { usage } from "./parse.js";

export function helpText(): string {
  const width = 28;
  const line = (left: string, right: string): string => `  ${left.padEnd(width)} ${right}`;
  return [
    "Commands (the same as on Discord):",
    ...commands.map((command) => {
      const json = command.data.toJSON();
      return line(usage(json.name, json.options ?? []), json.description);
    }),
    "Console only:",
    line("/as NAME", "act as this player from now on"),
    line("/accept [challenger]", "accept the newest duel challenging you"),
    line("/decline [player]", "decline the newest duel with you (as the challenger: withdraw)"),
    line("/help", "this list"),
    line("/quit", "stop (also Ctrl-D); Ctrl-C stops too"),
    "Players are named by what you type: /give bob 10 gives to bob. Data lives in the data folder.",
  ].join("\n");
}
