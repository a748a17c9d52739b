import type { Scenario } from "../scenario.js";
import { badInput } from "./bad-input.js";
import { bitRot } from "./bit-rot.js";
import { conflictRetry } from "./conflict-retry.js";
import { diskFaults } from "./disk-faults.js";
import { foreignFolder } from "./foreign-folder.js";
import { fuzzReader } from "./fuzz-reader.js";
import { game } from "./game.js";
import { kill9 } from "./kill-9.js";
import { mirrorKill9 } from "./mirror-kill-9.js";
import { mirrorPowerCut } from "./mirror-power-cut.js";
import { powerCut } from "./power-cut.js";
import { readOnlyRace } from "./read-only-race.js";
import { tornTail } from "./torn-tail.js";
import { twoWriters } from "./two-writers.js";

/** Every scenario, in the order `pnpm torture` runs them. */
export const scenarios: readonly Scenario[] = [powerCut, kill9, tornTail, bitRot, diskFaults, twoWriters, readOnlyRace, conflictRetry, badInput, foreignFolder, fuzzReader, mirrorPowerCut, mirrorKill9, game];
