import { openFolder } from "./open-folder.js";
import { resolveOptions, type StoreOptions } from "./options.js";
import { Store, fromOpenedFolder } from "./store.js";

/**
 * Opens the store in folder `dir`, creating the folder if needed, and takes its single-writer lock
 * (a second writer gets STORE_LOCKED). With `readOnly: true` it takes no lock and writes nothing.
 * The package's one way to open a store; `openFolder` does the work on the folder.
 */
export async function openStore(dir: string, options: StoreOptions = {}): Promise<Store> {
  if (typeof dir !== "string" || dir.length === 0) throw new TypeError(`openStore() needs a folder path, got ${JSON.stringify(dir)}.`);
  const resolved = resolveOptions(options);
  return Store[fromOpenedFolder](dir, resolved, await openFolder(dir, resolved));
}
