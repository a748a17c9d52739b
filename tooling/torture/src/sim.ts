import type { FileSystem, ProcessProbe } from "@store/fs";
import { openStore, type Store, type StoreOptions } from "@store/log";

export const DATA_DIR = "/data";
export const MIRROR_DIR = "/mirror";

/** Each simulated boot is a new process: the pid of an earlier boot is dead, so its lock is stale. */
export function bootProbe(boot: number): ProcessProbe {
  const pid = 1000 + boot;
  return { pid, host: "simulated", startTicksOf: (candidate) => (candidate === pid ? boot : undefined) };
}

/** Small preallocation steps: zero fills run often (so cuts land in them) and simulated files stay small. */
const SIM_PREALLOCATE_BYTES = 4096;

export function openOnFs(fs: FileSystem, boot: number, options: StoreOptions = {}): Promise<Store> {
  return openStore(DATA_DIR, { segmentPreallocateBytes: SIM_PREALLOCATE_BYTES, ...options, fs, processProbe: bootProbe(boot) });
}

/** A seed for a sub-run, mixed from its parts so nearby cases do not share crash choices. */
export function subSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part & 0xffff), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ Math.floor(part / 0x10000), 0x01000193) >>> 0;
  }
  return hash;
}
