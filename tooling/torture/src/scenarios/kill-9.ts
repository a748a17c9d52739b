import { openStore, type BatchOp } from "@store/log";
import { Rng } from "@store/testkit";
import { runChild, type Child } from "../child-process.js";
import { inTempDir } from "../temp-dir.js";
import { checkEconomy, checkRecovered, stateOf, type IssuedWrite, type State } from "../model.js";
import { ACCOUNT_BALANCE_START, ACCOUNT_PREFIX } from "../ops.js";
import { check, type CaseOptions, type Scenario } from "../scenario.js";
import { subSeed } from "../sim.js";

const CALLERS = 64;
const ROUNDS = 3;
/** The longest a child writes before it is killed, in ms after it opened the store. */
const KILL_AFTER_MS_MAX = 400;

interface Round {
  readonly issued: IssuedWrite[];
  readonly acknowledged: Set<number>;
  readonly openSeq: number;
}

/** Reads the child's report: `open <seq>`, `issue <seq> <ops>`, `ack <seq>`. */
function parseReport(child: Child): Round {
  const issued: IssuedWrite[] = [];
  const acknowledged = new Set<number>();
  let openSeq = -1;
  for (const [index, line] of child.lines.entries()) {
    const [word = "", seqText = "", ...rest] = line.split(" ");
    const seq = Number(seqText);
    if (word === "open") openSeq = seq;
    else if (word === "ack") acknowledged.add(seq);
    else if (word === "issue") {
      try {
        issued.push({ seq, ops: JSON.parse(rest.join(" ")) as BatchOp[] });
      } catch {
        // Only the very last line can be cut short, by the kill; its write never reached the disk.
        check(index === child.lines.length - 1, `the child's line ${index + 1} is not a report: ${line.slice(0, 100)}`);
      }
    }
  }
  return { issued, acknowledged, openSeq };
}

async function killRound(dir: string, seed: number, round: number, before: { state: State; seq: number }, accounts: number): Promise<{ state: State; seq: number; acks: number }> {
  const rng = new Rng(subSeed(seed, round));
  const mode = rng.bool(0.5) ? "transfers" : "mixed";
  const child = runChild("writer", [dir, mode, String(subSeed(seed, round, 1)), String(CALLERS), String(accounts), rng.bool(0.5) ? "1" : "0"]);
  try {
    await child.waitFor((line) => line.startsWith("open "), "open");
    await new Promise<void>((resolve) => setTimeout(resolve, rng.int(KILL_AFTER_MS_MAX)));
  } finally {
    child.kill();
  }
  const status = await child.ended;
  check(status.signal === "SIGKILL", `the writer ended on its own (exit code ${String(status.code)}) before it was killed`);
  const report = parseReport(child);
  check(report.openSeq === before.seq, `the writer opened at seq ${report.openSeq}, but the last recovery ended at ${before.seq}`);
  const store = await openStore(dir);
  try {
    const recovered = stateOf(store);
    checkRecovered(recovered, store.seq, { initial: before.state, initialSeq: before.seq, issued: report.issued, acknowledged: report.acknowledged });
    checkEconomy(recovered, ACCOUNT_PREFIX, accounts * ACCOUNT_BALANCE_START);
    return { state: recovered, seq: store.seq, acks: report.acknowledged.size };
  } finally {
    await store.close();
  }
}

/** A fresh folder, ROUNDS writers each SIGKILLed at a random moment, each followed by a check. */
async function runCase(seed: number, _options: CaseOptions): Promise<number> {
  const accounts = 2 + new Rng(subSeed(seed, 0)).int(14);
  return inTempDir("kill-9", async (dir) => {
    let before: { state: State; seq: number } = { state: new Map(), seq: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const after = await killRound(dir, seed, round, before, accounts).catch((error: unknown) => {
        throw new Error(`round ${round}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      });
      before = after;
    }
    return ROUNDS;
  });
}

export const kill9: Scenario = {
  name: "kill-9",
  summary: `a child process writes with ${CALLERS} concurrent callers (mixed writes or conditional transfers, compactions now and then) and reports each acknowledgement; SIGKILL at a random moment; acknowledged ⊆ recovered ⊆ issued, exactly, and the balances always sum to what was minted`,
  runCase,
};
