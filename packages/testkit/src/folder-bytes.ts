import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Every file under `dir` on the real disk (recursively) and its bytes, base64, by relative path,
 * sorted: two calls compare equal exactly when no file was created, removed or changed, byte for byte.
 */
export async function folderBytes(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), (await readFile(path)).toString("base64"));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
