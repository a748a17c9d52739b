import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCli } from "../src/cli.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

function torture(args: readonly string[]): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { cwd: PACKAGE_DIR, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout };
}

describe("pnpm torture", () => {
  it("parses --seconds, --seed, --only and --mutate, and refuses bad values with a TypeError quoting them", () => {
    expect(parseCli(["--seconds", "30", "--seed", "7", "--only", "power-cut,kill-9"])).toEqual({ seconds: 30, seed: 7, only: ["power-cut", "kill-9"], mutate: undefined });
    expect(parseCli(["--", "--mutate", "skip-folder-fsync"]).mutate).toBe("skip-folder-fsync");
    expect(() => parseCli(["--seconds", "0"])).toThrow(/"0"/);
    expect(() => parseCli(["--seed", "1.5"])).toThrow(/"1.5"/);
    expect(() => parseCli(["--mutate", "nope"])).toThrow(/"nope"/);
  });

  it("a replay (--seed without --seconds) runs one case, prints its counts, and exits 0 when it passes", () => {
    const run = torture(["--only", "bad-input", "--seed", "3"]);
    expect(run.stdout).toMatch(/bad-input\s+1 cases\s+\d+ checks\s+0 failed/);
    expect(run.status).toBe(0);
  });

  it("a failure prints the seed and the command that replays it, and exits non-zero", () => {
    const run = torture(["--only", "power-cut", "--seed", "5", "--mutate", "ack-before-flush"]);
    expect(run.stdout).toContain("FAILED seed 5:");
    expect(run.stdout).toContain("replay: pnpm torture --only power-cut --seed 5 --mutate ack-before-flush");
    expect(run.status).toBe(1);
  });

  it("an unknown scenario is refused with exit code 2", () => {
    expect(torture(["--only", "no-such-scenario"]).status).toBe(2);
  });
});
