import { auditGame as auditGameRecords } from "@store/game";
import { openStore, toKeyValueStore } from "@store/log";

export interface GameAudit {
  readonly ok: boolean;
  readonly seq: number;
  readonly summary: string;
  readonly problems: ReadonlyArray<{ readonly key: string; readonly problem: string }>;
  readonly report: unknown;
}

/**
 * The game layer's audit (conservation of tokens, no negative balance, every record valid) on a
 * read-only open: no lock, nothing written (the audit alone: no indexes, no sweeper refunding
 * expired games, so a live bot's folder with games past their expiry is audited as it stands).
 */
export async function auditGame(dir: string): Promise<GameAudit> {
  const kv = toKeyValueStore(await openStore(dir, { readOnly: true }));
  try {
    const report = await auditGameRecords(kv);
    const problems = [
      ...report.negativeBalances.map((entry) => ({ key: `tokens/${entry.playerId}`, problem: `negative balance ${entry.balance}` })),
      ...report.invalidRecords.map((entry) => ({ key: entry.key, problem: entry.problem })),
    ];
    const summary =
      `${report.accounts} accounts, ${report.players} players, ${report.games} games; balances ${report.balances} + escrow ${report.escrow} ` +
      `${report.conserved ? "=" : "≠"} granted ${report.granted} - spent ${report.spent}${report.conserved ? "" : ` (off by ${report.difference})`}`;
    return { ok: report.ok, seq: report.seq, summary, problems, report };
  } finally {
    await kv.close();
  }
}
