export { writeJsonAtomic, readJsonFile, parseJsonBytes, JSON_FILE_DEPTH_MAX_DEFAULT, type ReadJsonOptions, type WriteJsonOptions } from "./json-file.js";
export { findJsonSyntaxProblem, type JsonSyntaxProblem } from "./json-syntax.js";
export { jsonValueProblem, keyProblem, KEY_BYTES_MAX_DEFAULT, type JsonValue } from "@store/fs";
export { StoreError, CorruptionError, type StoreErrorCode } from "@store/fs";
export { createMirror, type Mirror } from "./mirror.js";
export type { FailingView } from "./view-failures.js";
export type { MirrorOptions, MirrorView } from "./mirror-options.js";
export {
  readManifest,
  verifyMirror,
  MANIFEST_FILE_NAME,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  type ViewCheck,
  type ViewRecord,
} from "./manifest.js";
export { importJson, type ImportOptions, type ImportResult, type SkippedEntry } from "./import-json.js";
export type { ChangeEvent, ChangeOp, ImportOp, ImportTarget, MirrorSource } from "./source.js";
