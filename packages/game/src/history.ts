import { historyPageKey } from "./keys.js";
import type { HistoryPage, StoredMovement, TokenRecord } from "./records.js";

/**
 * An account's movements, kept where they cost the operations least. Every operation on an account
 * rewrites its record, so movements kept in it are paid for again by every later operation: twenty
 * of them were 1.2 KB of a 1.3 KB record, written, checked, parsed and announced each time. So the
 * record keeps only the newest movements (`recent`, fewer than HISTORY_PAGE_MOVEMENTS); once ten
 * have gathered, the operation that adds the tenth writes them, in the same batch, as one page
 * `history/<player>/<slot>` and drops them from the record. Pages are written blind (never read by
 * an operation, no precondition): the account's own precondition already makes that batch the only
 * one to number those movements. The slots are a ring, just large enough that the pages and the
 * recent movements together always hold the last `historyMax`; a page overwrites one old enough to
 * be out of that window. Each page says which movements it holds (`first`), so reading needs no
 * other bookkeeping: `tokens.account()` reads the record and every slot at one point.
 */
export const HISTORY_PAGE_MOVEMENTS = 10;

/** How many page slots an account uses: enough for `historyMax` movements right after a page is written (and at least one). */
export function historySlots(historyMax: number): number {
  return Math.max(1, Math.ceil(historyMax / HISTORY_PAGE_MOVEMENTS));
}

/** Every slot key of an account (what `tokens.account()` reads with the record). */
export function historyPageKeys(playerId: string, historyMax: number): string[] {
  return Array.from({ length: historySlots(historyMax) }, (_, slot) => historyPageKey(playerId, slot));
}

/** Splits the full pages off an account's recent movements: the record to write, and the pages to write beside it. */
export function pagesOut(account: TokenRecord, historyMax: number): { account: TokenRecord; pages: Array<{ key: string; page: HistoryPage }> } {
  const { recent } = account;
  if (recent.length < HISTORY_PAGE_MOVEMENTS) return { account, pages: [] };
  const slots = historySlots(historyMax);
  const start = account.movements - recent.length;
  const pages: Array<{ key: string; page: HistoryPage }> = [];
  let cut = 0;
  for (; recent.length - cut >= HISTORY_PAGE_MOVEMENTS; cut += HISTORY_PAGE_MOVEMENTS) {
    const first = start + cut;
    const slot = Math.floor(first / HISTORY_PAGE_MOVEMENTS) % slots;
    pages.push({ key: historyPageKey(account.id, slot), page: { v: 1, id: account.id, first, movements: recent.slice(cut, cut + HISTORY_PAGE_MOVEMENTS) } });
  }
  return { account: { ...account, recent: recent.slice(cut) }, pages };
}

/** The last `historyMax` movements of an account, oldest first, from its record and its pages read at one point. */
export function lastMovements(account: TokenRecord, pages: ReadonlyArray<HistoryPage | undefined>, historyMax: number): StoredMovement[] {
  const end = account.movements;
  const recentFrom = end - account.recent.length;
  const from = Math.max(0, end - historyMax);
  const byNumber = new Map<number, StoredMovement>();
  for (const page of pages) {
    if (page === undefined) continue;
    for (const [index, movement] of page.movements.entries()) {
      const number = page.first + index;
      // A slot may still hold a page older than the window (or, after historyMax changed, another ring's): keep the window only.
      if (number >= from && number < recentFrom) byNumber.set(number, movement);
    }
  }
  for (const [index, movement] of account.recent.entries()) {
    if (recentFrom + index >= from) byNumber.set(recentFrom + index, movement);
  }
  return [...byNumber].sort((a, b) => a[0] - b[0]).map(([, movement]) => movement);
}
