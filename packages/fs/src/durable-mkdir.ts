import { dirname } from "node:path";
import type { FileSystem } from "./file-system.js";

/**
 * Creates folder `path` and any missing parents, and makes each new name durable by fsyncing the
 * folder that holds it: a folder created but never made durable in its parent can vanish after
 * power loss, taking every fsynced file inside it along.
 */
export async function mkdirDurable(fs: FileSystem, path: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path; (await fs.stat(current)) === undefined; current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  if (missing.length === 0) return;
  await fs.mkdir(path);
  for (const created of missing.reverse()) await fs.fsyncDir(dirname(created));
}
