// Tessera's embeddable engine: a SQLite-compatible database in TypeScript.
// Importable alone; no Cloudflare or Node-specific imports.
export { Database, type DatabaseOptions, type TransactionFunction } from "./database.js";
export { Statement, type BindParameters, type BindValue, type ColumnDescription, type ResultValue, type RowCountsResult, type RunResult } from "./statement.js";
export { SqliteError, type SqliteErrorCode } from "./errors.js";
export type { PageStore } from "./pager/page-store.js";
export { MemoryPageStore } from "./pager/memory-page-store.js";
export { IntegralReal, type SqlValue } from "./value/types.js";
export { CONCURRENT_TRANSACTIONS_SETTINGS, type ConcurrentTransactionsSetting } from "./exec/pragma.js";
export {
  getCaptureDataChanges,
  readableCaptureTable,
  setCaptureDataChanges,
  setCaptureRetention,
  readCapturedChanges,
  type CaptureSetting,
  type CapturedChangeRow,
} from "./cdc/api.js";
export { captureRetention, capturedChangeRange, pruneCapturedChanges, type ChangeRange, type PruneResult } from "./cdc/retention.js";
export { decodeChangeRecord, decodeUpdatesRecord } from "./cdc/functions.js";
export { decodeCompositeKey, primaryKeyColumns, recordColumns } from "./cdc/change-id.js";
export type { CaptureMode, Retention } from "./cdc/config.js";
