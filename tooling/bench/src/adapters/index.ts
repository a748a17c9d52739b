import type { AdapterSpec } from "../adapter.js";
import { bareFdatasync } from "./bare-fdatasync.js";
import { betterSqlite3 } from "./better-sqlite3.js";
import { classicLevel } from "./classic-level.js";
import { groupCommit, preallocatedGroupCommit } from "./group-commit.js";
import { lmdb } from "./lmdb.js";
import { lowdb } from "./lowdb.js";
import { nedb } from "./nedb.js";
import { oldDesign } from "./old-design.js";
import { storeLogAlways, storeLogInterval } from "./store-log.js";

/** Every system, in table order. */
export const adapterSpecs: readonly AdapterSpec[] = [
  bareFdatasync,
  groupCommit,
  preallocatedGroupCommit,
  oldDesign,
  storeLogAlways,
  storeLogInterval,
  betterSqlite3,
  classicLevel,
  lmdb,
  lowdb,
  nedb,
];

export function findAdapterSpec(name: string): AdapterSpec {
  const spec = adapterSpecs.find((candidate) => candidate.name === name);
  if (!spec) throw new TypeError(`unknown adapter "${name}"; known: ${adapterSpecs.map((s) => s.name).join(", ")}`);
  return spec;
}
