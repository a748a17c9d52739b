import { ButtonStyle, ComponentType, MessageFlags, type ChatInputCommandInteraction, type User } from "discord.js";
import { describe, expect, it } from "vitest";
import { duelButtonId } from "../src/commands/duel.js";
import { fromChatInput, toReplyOptions, toUpdateOptions } from "../src/discord/adapter.js";
import { refusal, reply } from "../src/replies.js";

// No Discord here: the adapter is checked against discord.js's own builders and a stand-in
// interaction with the fields the adapter reads.

function user(id: string, username: string, globalName: string | null, bot = false): User {
  const stand: unknown = { id, username, globalName, bot };
  return stand as User;
}

describe("the discord.js adapter", () => {
  it("a duel's buttons become an action row the builders accept, with Discord-sized custom ids", () => {
    const gameId = `duel-${"1".repeat(19)}`;
    const challenge = reply(
      { title: "Duel!" },
      { buttons: [{ customId: duelButtonId("accept", gameId), label: "Accept", style: "success" }, { customId: duelButtonId("decline", gameId), label: "Decline", style: "danger" }] },
    );
    const options = toReplyOptions(challenge);
    expect(options.flags).toBeUndefined();
    const [row] = (options.components ?? []) as Array<{ toJSON(): { type: number; components: Array<{ custom_id: string; style: number; label: string }> } }>;
    const json = row!.toJSON(); // validates: a custom id over 100 characters or a label missing would throw
    expect(json.type).toBe(ComponentType.ActionRow);
    expect(json.components.map((button) => [button.label, button.style])).toEqual([
      ["Accept", ButtonStyle.Success],
      ["Decline", ButtonStyle.Danger],
    ]);
    expect(json.components[0]!.custom_id.length).toBeLessThanOrEqual(100);
    expect(toUpdateOptions(reply({ title: "Over" }, { buttons: [], update: true })).components).toEqual([]);
  });

  it("a refusal is ephemeral", () => {
    expect(toReplyOptions(refusal("no")).flags).toBe(MessageFlags.Ephemeral);
  });

  it("a slash command's user options and integers reach the handler; display names win over usernames", () => {
    const interaction = {
      id: "1300000000000000001",
      commandName: "give",
      channelId: "42",
      user: user("1100000000000000001", "ada_l", "Ada"),
      options: {
        getUser: (name: string) => (name === "user" ? user("1200000000000000002", "bob", null, false) : null),
        getInteger: (name: string) => (name === "amount" ? 10 : null),
      },
    } as unknown as ChatInputCommandInteraction;
    const adapted = fromChatInput(interaction);
    expect(adapted).toMatchObject({ id: "1300000000000000001", commandName: "give", channelId: "42", user: { id: "1100000000000000001", name: "Ada", bot: false } });
    expect(adapted.options.getUser("user")).toEqual({ id: "1200000000000000002", name: "bob", bot: false });
    expect(adapted.options.getInteger("amount")).toBe(10);
    expect(adapted.options.getUser("nobody")).toBeNull();
  });
});
