import { busyWarning, formatLoad, type LoadReport } from "./load.js";
import { oursName, type BenchReport, type PairRatio, type Ratio, type WorkloadReport } from "./report.js";
import type { AdapterResult } from "./runner.js";

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

export function formatNumber(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cellsFor(workload: WorkloadReport, result: AdapterResult): string[] {
  if (result.status !== "ok") return workload.columns.map((_, column) => (column === 0 ? result.status : ""));
  return workload.columns.map((column) => {
    const value = result.median[column.key];
    // Systems that cannot count their own flushes show the disk's device-wide counter, marked *.
    if (column.key.startsWith("flushesPer") && (value === null || value === undefined)) {
      const device = result.median[`deviceF${column.key.slice(1)}`];
      return device === null || device === undefined ? "n/a" : `${formatNumber(device, column.digits)}*`;
    }
    return formatNumber(value, column.digits);
  });
}

/** Two decimals, or two significant digits below 0.1 (an in-memory read against a query: 0.0022x). */
export function formatRatio(value: number): string {
  if (value === 0 || Math.abs(value) >= 0.1) return formatNumber(value, 2);
  return value.toPrecision(2);
}

function systemLabel(workload: WorkloadReport, name: string): string {
  return workload.labels?.[name] ?? name;
}

function describeRatio(
  label: string,
  ratio: Ratio | null,
  workload: WorkloadReport,
  metric: { readonly key: string; readonly better: "higher" | "lower" } = workload.headline,
): string | null {
  if (ratio === null) return null;
  const value = ratio.value === null ? "n/a" : `${formatRatio(ratio.value)}x`;
  const column = workload.columns.find((candidate) => candidate.key === metric.key)?.label ?? metric.key;
  const ours = systemLabel(workload, oursName);
  return `- ${ours} ÷ ${label} (${systemLabel(workload, ratio.against)}): **${value}** on ${column} (${metric.better} is better)`;
}

function describePair(pair: PairRatio, workload: WorkloadReport): string {
  const value = pair.value === null ? "n/a" : `${formatRatio(pair.value)}x`;
  const column = workload.columns.find((candidate) => candidate.key === pair.key)?.label ?? pair.key;
  return `- ${systemLabel(workload, pair.system)} ÷ ${systemLabel(workload, pair.against)}: **${value}** on ${column} (${pair.better} is better)`;
}

export function formatWorkload(workload: WorkloadReport, durable: ReadonlyMap<string, boolean>): string {
  const shown = workload.results.filter((result) => result.status !== "not applicable");
  const rows = shown.map((result) => [
    systemLabel(workload, result.adapter),
    durable.get(result.adapter) === true ? "yes" : "NO",
    ...cellsFor(workload, result),
  ]);
  const table = markdownTable(["system", "durable", ...workload.columns.map((column) => column.label)], rows);
  const ratios = [
    describeRatio("best durable peer", workload.vsBestDurablePeer, workload),
    describeRatio("disk limit", workload.vsDiskLimit, workload),
    ...(workload.comparisons ?? []).map((comparison) => describeRatio("best durable peer", comparison, workload, comparison)),
    ...(workload.pairs ?? []).map((pair) => describePair(pair, workload)),
  ].filter((line): line is string => line !== null);
  const failures = shown
    .filter((result) => result.status === "failed")
    .map((result) => `- ${result.adapter} failed: ${result.reason ?? "no reason given"}`);
  const load = workload.load === undefined ? [] : [`- ${formatLoad(workload.load)}`];
  return [`### ${workload.name}: ${workload.title}`, "", ...warningLines(workload.load), table, "", ...ratios, ...failures, ...load].join("\n");
}

/** The busy-machine warning and a blank line after it, in bold, where nobody reads past it; nothing when calm. */
function warningLines(load: LoadReport | undefined): string[] {
  const warning = load === undefined ? null : busyWarning(load);
  return warning === null ? [] : [`**${warning}**`, ""];
}

/** How far inside (met) or outside (missed) its limit a target's measure is, as a factor. */
function describeMargin(margin: number | null): string {
  if (margin === null) return "n/a";
  if (margin >= 1) return `${formatNumber(margin, 2)}x better than the limit`;
  return `${formatNumber(1 / margin, 2)}x worse than the limit`;
}

function formatTargets(report: BenchReport): string {
  const rows = report.targets.map((check) => [
    check.target,
    formatNumber(check.value, 3),
    check.met === null ? "n/a" : check.met ? "met" : "MISSED",
    describeMargin(check.margin),
  ]);
  return markdownTable(["target for @store/log always (the game suite: @store/game on it)", "measured (ratio or value)", "", "margin"], rows);
}

export function formatReport(report: BenchReport): string {
  const systems = markdownTable(
    ["system", "role", "durability of a resolved set", "status"],
    report.adapters.map((adapter) => [
      adapter.name,
      adapter.role,
      adapter.durability,
      adapter.unavailable === null ? "ok" : `unavailable: ${adapter.unavailable.slice(0, 120)}`,
    ]),
  );
  const environment = Object.entries(report.environment).map(([key, value]) => `${key}=${String(value)}`);
  const durable = new Map(report.adapters.map((adapter) => [adapter.name, adapter.durable]));
  return [
    `${report.command}  (${report.startedAt})`,
    environment.join("  "),
    ...(report.load === undefined ? [] : [formatLoad(report.load)]),
    "",
    ...warningLines(report.load),
    systems,
    "",
    ...report.workloads.map((workload) => `${formatWorkload(workload, durable)}\n`),
    ...(report.targets.length > 0 ? [formatTargets(report), ""] : []),
    "Medians over runs. * = the disk's device-wide flush counter (includes other processes), not the system's own count.",
  ].join("\n");
}
