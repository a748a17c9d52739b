import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { systemSpecs } from "./adapters/index.js";
import { defaultOut, parseArgs, usage, type BenchOptions } from "./args.js";
import { fullStepEstimates, quickStepEstimates } from "./estimates.js";
import { busyWarning, formatLoad, LoadWatch } from "./load.js";
import { fileSystemInfo, isTmpfs } from "./probes.js";
import { adapterSummaries, workloadReport, type BenchReport, type WorkloadReport } from "./report.js";
import { formatDuration, Progress } from "./progress.js";
import { checkAvailability, planSteps, runWorkload } from "./runner.js";
import { formatReport } from "./table.js";
import { checkTargets } from "./targets.js";
import { workloads } from "./workloads/index.js";
import { fullSizes, quickSizes } from "./workload.js";

/** Data must sit on a real disk: fsync on tmpfs is free and would flatter everyone. */
async function dataRoot(options: BenchOptions): Promise<string> {
  if (options.dir !== null) {
    await mkdir(options.dir, { recursive: true });
    return mkdtemp(join(options.dir, "store-bench-"));
  }
  if (!isTmpfs(tmpdir())) return mkdtemp(join(tmpdir(), "store-bench-"));
  const beside = join(dirname(defaultOut), "data");
  await mkdir(beside, { recursive: true });
  return mkdtemp(join(beside, "store-bench-"));
}

async function main(): Promise<void> {
  const suites = [...new Set(workloads.flatMap((workload) => (workload.suite === undefined ? [] : [workload.suite])))];
  const options = parseArgs(process.argv.slice(2), [...workloads.map((workload) => workload.name), ...suites]);
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const root = await dataRoot(options);
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const fileSystem = fileSystemInfo(root);
  log(`data in ${root} (${fileSystem.type} on ${fileSystem.device})`);
  const startedAt = new Date().toISOString();
  const runLoad = new LoadWatch();
  try {
    const statuses = await checkAvailability(systemSpecs);
    const named = (name: string | undefined): boolean => name !== undefined && options.only.includes(name);
    const selected = workloads.filter((workload) => options.only.length === 0 || named(workload.name) || named(workload.suite));
    const estimates = options.quick ? quickStepEstimates : fullStepEstimates;
    const progress = new Progress(planSteps(selected, statuses, options.runs), estimates, () => performance.now());
    log(`${progress.total} steps (a system's run of a workload), about ${formatDuration(progress.leftMs())} in all`);
    const reports: WorkloadReport[] = [];
    for (const workload of selected) {
      const sizes = options.quick ? quickSizes : fullSizes;
      const workloadLoad = new LoadWatch();
      const afterStep = (): void => {
        workloadLoad.sample();
        runLoad.sample();
      };
      const results = await runWorkload(workload, statuses, { root, runs: options.runs, sizes, log, progress, afterStep });
      const load = workloadLoad.finish();
      const warning = busyWarning(load);
      if (warning !== null) log(`${workload.name}: ${warning}`);
      reports.push({ ...workloadReport(workload, results, systemSpecs), load });
    }
    const load = runLoad.finish();
    log(`done: ${progress.summary()}; ${formatLoad(load)}`);
    const report: BenchReport = {
      startedAt,
      command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
      environment: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        dataDir: root,
        fileSystem: fileSystem.type,
        device: fileSystem.device,
        quick: options.quick,
        runs: options.runs,
      },
      adapters: adapterSummaries(statuses),
      workloads: reports,
      // Quick counts are too small for the targets to mean anything.
      targets: options.quick ? [] : checkTargets(reports),
      load,
    };
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatReport(report)}\n\nJSON: ${options.out}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
