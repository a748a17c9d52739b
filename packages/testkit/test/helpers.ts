import { writeAll, type FileSystem } from "@store/fs";

export const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** Creates (or truncates) `path` with `content`, fsyncs it, and closes it. The folder is NOT fsynced. */
export async function writeSynced(fs: FileSystem, path: string, content: Uint8Array | string): Promise<void> {
  const handle = await fs.open(path, "w");
  await writeAll(handle, typeof content === "string" ? encoder.encode(content) : content, 0);
  await handle.sync();
  await handle.close();
}

/** Appends `content` without syncing. */
export async function appendUnsynced(fs: FileSystem, path: string, content: Uint8Array): Promise<void> {
  const handle = await fs.open(path, "a");
  await writeAll(handle, content, null);
  await handle.close();
}
