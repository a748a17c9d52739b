import { join } from "node:path";
import { LOCK_FILE_NAME, StoreError, isTempName, readLockOwner, type FileSystem } from "@store/fs";
import { fileShape, type FileShape } from "./file-shape.js";
import { isDataFileName } from "./files.js";

/**
 * Refuses a folder that is neither empty nor a store, before anything is written to it, so that a
 * wrong path never gets store files written beside a user's files, nor a user's `000001.log` cut.
 *
 * A folder is a store when one of its segments or bases starts with a record of this format (every
 * store has one from its first open on: a segment's name appears only once its header is durable),
 * or when its LOCK file is one this library wrote (a first open that stopped before its segment).
 * In a store, other files are left alone (a mirror or notes beside the log are fine). A folder that
 * is not one may hold only what an interrupted first open leaves: LOCK files, temp files, and
 * segments with nothing or a cut-short header in them. Anything else, and it is refused with
 * STORE_NOT_A_STORE naming the first such file.
 */
export async function assertStoreFolder(fs: FileSystem, dir: string): Promise<void> {
  const names = await fs.readdir(dir);
  const shapes = new Map<string, FileShape>();
  for (const name of names.filter(isDataFileName)) {
    const shape = await fileShape(fs, join(dir, name));
    if (shape === "records") return;
    shapes.set(name, shape);
  }
  if (names.includes(LOCK_FILE_NAME) && (await readLockOwner(fs, dir).catch(() => undefined)) !== undefined) return;
  const foreign = names.find((name) => !isCreationLeftover(name, shapes.get(name)));
  if (foreign === undefined) return;
  const what = shapes.get(foreign) === "foreign" ? `${foreign}, which is not a file @store/log wrote (its first line is not a store-log header)` : `${foreign}, which is not a store file`;
  throw new StoreError(
    "STORE_NOT_A_STORE",
    `${dir} is not a store folder: it is not empty, holds no store files, and holds ${what}. ` +
      `A store is created only in a new or empty folder, and nothing was written to this one: pass the path of a store, of an empty folder, or of one to be created.`,
    { path: dir },
  );
}

function isCreationLeftover(name: string, shape: FileShape | undefined): boolean {
  if (isTempName(name) || name === LOCK_FILE_NAME || name === `${LOCK_FILE_NAME}.takeover`) return true;
  return shape === "empty" || shape === "torn-header";
}
