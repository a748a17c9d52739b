import { Store } from "./store.js";
import type { StoreOptions } from "./options.js";

/**
 * Opens the store in folder `dir`, creating the folder if needed, and takes its single-writer lock
 * (a second writer gets STORE_LOCKED). With `readOnly: true` it takes no lock and writes nothing.
 */
export function openStore(dir: string, options: StoreOptions = {}): Promise<Store> {
  return Store.open(dir, options);
}
