import type { JsonCompatible, JsonValue } from "@store/fs";
import { openFolder } from "./open-folder.js";
import { resolveOptions, type StoreOptions } from "./options.js";
import { Store, fromOpenedFolder } from "./store.js";

/**
 * Opens the store in folder `dir`, creating the folder if needed, and takes its single-writer lock
 * (a second writer gets STORE_LOCKED). With `readOnly: true` it takes no lock and writes nothing.
 * `V`, the type of the values (default `JsonValue`), may be any type whose values can be plain JSON,
 * an ordinary interface included; values are still checked as plain JSON at run time.
 * The package's one way to open a store; `openFolder` does the work on the folder.
 */
export async function openStore<V extends JsonCompatible<V> = JsonValue>(dir: string, options: StoreOptions = {}): Promise<Store<V>> {
  if (typeof dir !== "string" || dir.length === 0) throw new TypeError(`openStore() needs a folder path, got ${JSON.stringify(dir)}.`);
  const resolved = resolveOptions(options);
  return Store[fromOpenedFolder]<V>(dir, resolved, await openFolder(dir, resolved));
}
