import { out, type Io } from "./io.js";

/**
 * Rows of text: a table (cli-table3) on a terminal; in a pipe, one line per row with tab-separated
 * cells and no header, so `cut`, `awk` and `sort` read it and it stays the same between versions.
 */
export async function printTable(io: Io, head: readonly string[], rows: ReadonlyArray<readonly string[]>): Promise<void> {
  if (!io.stdoutIsTty) {
    for (const row of rows) out(io, row.map(plainCell).join("\t"));
    return;
  }
  if (rows.length === 0) return;
  // Loaded only here: `store --version` and piped output never pay for it.
  const { default: Table } = await import("cli-table3");
  // Columns as wide as their cells, except the last, which wraps to fit the terminal.
  const natural = head.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)) + 2);
  const others = natural.slice(0, -1).reduce((sum, width) => sum + width, 0) + natural.length + 1;
  const last = Math.max(20, Math.min(natural.at(-1)!, io.columns - others));
  const table = new Table({
    ...(head.every((title) => title === "") ? {} : { head: [...head] }),
    colWidths: [...natural.slice(0, -1), last],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push([...row]);
  out(io, table.toString());
}

/** Two columns, name and value: what `stats` and the summaries print. */
export async function printFields(io: Io, fields: ReadonlyArray<readonly [string, string]>): Promise<void> {
  await printTable(io, ["", ""], fields);
}

function plainCell(cell: string): string {
  return cell.replace(/[\t\n\r]/gu, " ");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]!}`;
}

export function formatTime(ms: number | null): string {
  return ms === null ? "never" : new Date(ms).toISOString();
}
