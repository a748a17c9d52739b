import type { AdapterSpec, SystemSpec } from "../adapter.js";
import { gameOnlySpecs } from "../game/systems.js";
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

/** Every system of the benchmark, in table order: the stores, then the game suite's own systems. */
export const systemSpecs: readonly SystemSpec[] = [...adapterSpecs, ...gameOnlySpecs];

export function findAdapterSpec(name: string): AdapterSpec {
  const spec = adapterSpecs.find((candidate) => candidate.name === name);
  if (!spec) throw new TypeError(`unknown adapter "${name}"; known: ${adapterSpecs.map((s) => s.name).join(", ")}`);
  return spec;
}
