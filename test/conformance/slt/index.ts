// The sqllogictest runner's library entry point, for CI pass-rate tests and
// tools: engines, running scripts, and the pieces the CLI reports with.
export type { SltConnection, SltEngine, SltEngineName, SltQueryResult } from "./engine.js";
export { createSqlJsEngine } from "./sqljs-engine.js";
export { createEngine, DEFAULT_ENGINE } from "./engines.js";
export {
  runSltFile,
  runSltFiles,
  runSltText,
  passRate,
  type SltCounts,
  type SltFailure,
  type SltFileResult,
  type SltRunOptions,
  type SltSummary,
} from "./runner.js";
export { runSltFilesIsolated, type IsolatedRunOptions } from "./isolated.js";
export { collectSltFiles } from "./files.js";
export { corpusDir } from "./corpus.js";
export { folderTotals, formatFailure, formatFileLine, formatFolderLine, formatTotalsLine, summaryJson, type SltFolderTotal } from "./report.js";
