import { existsSync, readFileSync, readdirSync, statSync, statfsSync } from "node:fs";
import { join } from "node:path";

/** Bytes this process (all its threads) caused to be sent to storage, from /proc/self/io. */
export function processWriteBytes(): number | null {
  try {
    const match = /^write_bytes:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The whole-disk sysfs folder of the block device holding `path` (a partition maps to its disk). */
export function blockDeviceDir(path: string): string | null {
  const dev = statSync(path).dev;
  // Linux's dev_t encoding (glibc's gnu_dev_major/minor).
  const major = ((dev >> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >> 12) & ~0xff);
  const dir = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(join(dir, "stat"))) return null;
  return existsSync(join(dir, "partition")) ? join(dir, "..") : dir;
}

// /sys/block/<dev>/stat: the 16th field (index 15) counts completed flush requests (Linux >= 5.5).
const flushFieldIndex = 15;

/**
 * Flush requests the disk holding `dir` has completed, all processes together; null when the
 * kernel does not expose the counter (no sysfs, old kernel, or a device without flush accounting).
 */
export function deviceFlushCounter(dir: string): (() => number) | null {
  const deviceDir = blockDeviceDir(dir);
  if (deviceDir === null) return null;
  const read = (): number | null => {
    const field = readFileSync(join(deviceDir, "stat"), "utf8").trim().split(/\s+/)[flushFieldIndex];
    return field === undefined ? null : Number(field);
  };
  const first = read();
  if (first === null) return null;
  return () => read() ?? first;
}

/** Total size of the files under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

const fileSystemNames = new Map<number, string>([
  [0xef53, "ext2/3/4"],
  [0x01021994, "tmpfs"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlayfs"],
  [0x2fc12fc1, "zfs"],
  [0x6969, "nfs"],
  [0xf2f52010, "f2fs"],
]);

export interface FileSystemInfo {
  readonly type: string;
  readonly device: string;
}

export function fileSystemInfo(path: string): FileSystemInfo {
  const type = statfsSync(path).type;
  const deviceDir = blockDeviceDir(path);
  let device = "unknown";
  if (deviceDir !== null) {
    const match = /^DEVNAME=(.+)$/m.exec(readFileSync(join(deviceDir, "uevent"), "utf8"));
    device = match?.[1] ?? device;
  }
  return { type: fileSystemNames.get(type) ?? `0x${type.toString(16)}`, device };
}

export function isTmpfs(path: string): boolean {
  return statfsSync(path).type === 0x01021994;
}
