import type { Io } from "./io.js";

/** Below this much to read, a command is over before a bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface ProgressReporter {
  update(bytesDone: number, bytesTotal: number): void;
  stop(): void;
}

/**
 * A progress bar (cli-progress) on stderr, only on a terminal, only without --json, and only for
 * work of at least PROGRESS_MIN_BYTES: in a pipe or a log file nothing is drawn. stdout is untouched.
 */
export async function progressBar(io: Io, label: string, enabled: boolean): Promise<ProgressReporter> {
  if (!enabled || !io.stderrIsTty) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = (await import("cli-progress")).default;
  let bar: InstanceType<typeof SingleBar> | undefined;
  return {
    update: (bytesDone, bytesTotal) => {
      if (bar === undefined) {
        if (bytesTotal < PROGRESS_MIN_BYTES) return;
        bar = new SingleBar({ stream: io.stderr, format: `${label} {bar} {percentage}% | {value}/{total} MiB`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
        bar.start(Math.ceil(bytesTotal / MIB), 0);
      }
      bar.update(Math.floor(bytesDone / MIB));
    },
    stop: () => {
      bar?.stop();
    },
  };
}
