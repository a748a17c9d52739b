import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ApplicationCommandOptionType, SlashCommandBuilder } from "discord.js";
import { describe, expect, it } from "vitest";
import { commands, deployPayload } from "../src/commands/index.js";

const DEPLOY = fileURLToPath(new URL("../dist/deploy-commands.js", import.meta.url));

describe("the commands' JSON, as deploy-commands registers it", () => {
  it("is built by the builders, one entry per command in the explicit list", () => {
    const payload = deployPayload();
    expect(payload.map((command) => command.name)).toEqual(["balance", "daily", "give", "coinflip", "duel", "profile", "leaderboard"]);
    expect(payload.map((command) => command.name)).toEqual(commands.map((command) => command.data.name));
    const shape = Object.fromEntries(payload.map((command) => [command.name, (command.options ?? []).map((option) => [option.name, option.type, option.required ?? false])]));
    expect(shape).toEqual({
      balance: [],
      daily: [],
      give: [["user", ApplicationCommandOptionType.User, true], ["amount", ApplicationCommandOptionType.Integer, true]],
      coinflip: [["amount", ApplicationCommandOptionType.Integer, true]],
      duel: [["opponent", ApplicationCommandOptionType.User, true], ["amount", ApplicationCommandOptionType.Integer, true]],
      profile: [["user", ApplicationCommandOptionType.User, false]],
      leaderboard: [["page", ApplicationCommandOptionType.Integer, false]],
    });
    for (const command of payload) {
      expect(command.description.length).toBeGreaterThan(0);
      expect(command.description.length).toBeLessThanOrEqual(100);
      for (const option of command.options ?? []) {
        if (option.type === ApplicationCommandOptionType.Integer && option.name !== "page") expect(option.min_value).toBe(1);
      }
    }
  });

  it("is validated by the builders: what Discord would refuse throws before anything is sent", () => {
    expect(() => new SlashCommandBuilder().setName("Not Valid").setDescription("x")).toThrow();
    expect(() => new SlashCommandBuilder().setName("ok").toJSON()).toThrow(); // no description
    expect(() => new SlashCommandBuilder().setName("ok").setDescription("x".repeat(101))).toThrow(); // over Discord's 100
  });

  it("`deploy-commands --print` prints exactly that JSON; without a token it says what it needs", () => {
    const printed = spawnSync(process.execPath, [DEPLOY, "--print"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    expect(printed.status).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(JSON.stringify(deployPayload())));
    const missing = spawnSync(process.execPath, [DEPLOY], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("needs DISCORD_TOKEN and DISCORD_APPLICATION_ID");
  });
});
