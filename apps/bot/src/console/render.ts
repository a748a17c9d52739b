import type { Reply } from "../interaction.js";

/** Discord markdown the console does not show: bold, code. */
function plain(text: string): string {
  return text.replaceAll("**", "").replaceAll("`", "");
}

/**
 * An embed as text:
 *
 *   ┌ Daily tokens
 *   │ +100 tokens for alice. Balance: 100 tokens.
 *   └ Next claim in 1d
 */
export function renderReply(reply: Reply): string {
  const { embed } = reply;
  const lines: string[] = [];
  lines.push(`${embed.title ?? ""}${reply.ephemeral ? "  (only you see this)" : ""}`);
  if (embed.description !== undefined) lines.push(...plain(embed.description).split("\n"));
  for (const field of embed.fields ?? []) {
    const [first = "", ...rest] = plain(field.value).split("\n");
    lines.push(`${field.name}: ${first}`, ...rest.map((line) => `${" ".repeat(field.name.length + 2)}${line}`));
  }
  if (embed.footer !== undefined) lines.push(plain(embed.footer.text));
  const framed = lines.map((line, index) => `${index === 0 ? "┌" : index === lines.length - 1 ? "└" : "│"} ${line}`);
  if (lines.length === 1) framed[0] = `─ ${lines[0]}`;
  const buttons = reply.buttons ?? [];
  if (buttons.length > 0) framed.push(`  ${buttons.map((button) => `[${button.label}]`).join(" ")}  (type /${buttons.map((button) => button.label.toLowerCase()).join(" or /")})`);
  return framed.join("\n");
}
