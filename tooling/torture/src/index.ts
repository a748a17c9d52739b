export { runScenario, type Scenario, type ScenarioResult, type RunOptions, type CaseOptions, type Failure } from "./scenario.js";
export { scenarios } from "./scenarios/index.js";
export { acknowledgeBeforeFlush, hideForeignFiles, skipFolderFsync, staleListing, unchangedFs, type FsWrapper } from "./fs-wrappers.js";
export { formatResult, replayCommand } from "./report.js";
