// Which statements only read: the rule behind read-only tokens and describe's
// `is_readonly`. Decided on the parsed statement, before it runs.
//
// Read-only: SELECT (SQLite has no DML inside CTEs, so WITH ... SELECT only
// reads), EXPLAIN of anything, transaction control, and PRAGMAs that only
// query (no value given, name in the list below). Everything else writes,
// including every PRAGMA assignment and ATTACH/DETACH.
import type { ScriptStatement } from "../../engine/sql/ast.js";

const QUERY_PRAGMAS = new Set([
  "table_info",
  "table_xinfo",
  "table_list",
  "index_list",
  "index_info",
  "index_xinfo",
  "foreign_key_list",
  "foreign_key_check",
  "database_list",
  "collation_list",
  "function_list",
  "pragma_list",
  "compile_options",
  "integrity_check",
  "quick_check",
  "page_count",
  "page_size",
  "freelist_count",
  "schema_version",
  "user_version",
  "application_id",
  "data_version",
  "encoding",
  "journal_mode",
  "foreign_keys",
  "busy_timeout",
  "cache_size",
]);

export function isReadOnly(parsed: ScriptStatement): boolean {
  const s = parsed.statement;
  switch (s.kind) {
    case "Select":
    case "Explain":
    case "Begin":
    case "Commit":
    case "Rollback":
    case "Savepoint":
    case "Release":
      return true;
    case "Pragma":
      return s.value === null && QUERY_PRAGMAS.has(s.name.name.toLowerCase());
    default:
      return false;
  }
}

/** Statements whose row count is SQLite's changes(): INSERT, UPDATE, DELETE. */
export function countsChanges(parsed: ScriptStatement): boolean {
  const k = parsed.statement.kind;
  return k === "Insert" || k === "Update" || k === "Delete";
}
