import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DATA_DIR, ENV_NAMES, loadConfig } from "../src/config.js";
import { tempDir } from "./helpers.js";

describe("configuration", () => {
  it("without a token: console mode on the package's ./data, quiet logs, no metrics", () => {
    const config = loadConfig({}, "/somewhere");
    expect(config.mode).toBe("console");
    expect(config.dataDir).toBe(DEFAULT_DATA_DIR);
    expect(DEFAULT_DATA_DIR).toMatch(/apps\/bot\/data$/u);
    expect(config.legacyDir).toBe(DEFAULT_DATA_DIR);
    expect(config.logLevel).toBe("warn");
    expect(config.metricsPort).toBeUndefined();
    expect(config).toMatchObject({ mirror: true, mirrorIntervalMs: 1000, dailyAmount: 100, dailyCooldownMs: 86_400_000, gameExpiryMs: 300_000, consoleConcurrency: 1 });
  });

  it("with a token: Discord mode, info logs, metrics on 9464 unless turned off", () => {
    const config = loadConfig({ DISCORD_TOKEN: "t" }, "/");
    expect(config).toMatchObject({ mode: "discord", logLevel: "info", metricsPort: 9464, metricsHost: "127.0.0.1" });
    expect(loadConfig({ DISCORD_TOKEN: "t", BOT_METRICS_PORT: "off" }, "/").metricsPort).toBeUndefined();
  });

  it("the optional file is read, the environment overrides it, relative paths resolve against the working directory", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bot.json"), JSON.stringify({ dataDir: "./here", dailyAmount: 7, mirror: false, metricsPort: 0 }));
    const config = loadConfig({ BOT_CONFIG: "bot.json", BOT_DAILY_AMOUNT: "9" }, dir);
    expect(config).toMatchObject({ dataDir: join(dir, "here"), dailyAmount: 9, mirror: false, metricsPort: 0 });
  });

  it("every bad option is listed with its variable; an unknown key in the file is refused", async () => {
    const dir = await tempDir();
    expect(() => loadConfig({ BOT_LOG_LEVEL: "loud", BOT_CONSOLE_CONCURRENCY: "0", BOT_MIRROR: "perhaps" }, dir)).toThrow(ConfigError);
    try {
      loadConfig({ BOT_LOG_LEVEL: "loud", BOT_CONSOLE_CONCURRENCY: "0", BOT_MIRROR: "perhaps" }, dir);
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["logLevel (BOT_LOG_LEVEL)", "consoleConcurrency (BOT_CONSOLE_CONCURRENCY)", "mirror (BOT_MIRROR)"]) expect(message).toContain(name);
    }
    await writeFile(join(dir, "bad.json"), JSON.stringify({ dataDri: "./x" }));
    expect(() => loadConfig({ BOT_CONFIG: "bad.json" }, dir)).toThrow(/dataDri/u);
    await writeFile(join(dir, "broken.json"), "{");
    expect(() => loadConfig({ BOT_CONFIG: "broken.json" }, dir)).toThrow(/not valid JSON/u);
  });

  it("every option has an environment variable and a row in the README", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    for (const [name, variable] of Object.entries(ENV_NAMES)) {
      expect(readme, `README row for ${name}`).toContain(`\`${variable}\``);
      expect(readme, `README row for ${name}`).toContain(`\`${name}\``);
    }
  });
});
