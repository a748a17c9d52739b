export { Rng } from "./rng.js";
export { PowerCutError, isPowerCut } from "./power-cut-error.js";
export type { Fault, FaultKind, FaultOperation } from "./faults.js";
export { SimulatedDisk } from "./simulated-disk.js";
export type { CrashDecision, CrashOutcome, TornFiller } from "./crash.js";
export { runWithSeed, SeededRunError } from "./seeded.js";
export { fileSystemConformance, type ConformanceTarget } from "./conformance.js";
export { delegatingFs, delegatingHandle } from "./delegate.js";
