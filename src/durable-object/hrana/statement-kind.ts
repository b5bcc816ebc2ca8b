// Which statements only read: the rule behind read-only tokens and describe's
// `is_readonly`. Decided on the parsed statement, before it runs.
//
// Read-only: SELECT (SQLite has no DML inside CTEs, so WITH ... SELECT only
// reads), EXPLAIN of anything, transaction control, and PRAGMAs that only
// inspect (table_info(t)...) or read a setting without assigning it.
// Everything else writes, including every PRAGMA assignment and ATTACH/DETACH.
import type { ScriptStatement } from "../../engine/sql/ast.js";

/** PRAGMAs whose argument names what to inspect: read-only with or without it. */
const INSPECTING_PRAGMAS = new Set([
  "table_info",
  "table_xinfo",
  "table_list",
  "index_list",
  "index_info",
  "index_xinfo",
  "foreign_key_list",
  "foreign_key_check",
  "integrity_check",
  "quick_check",
]);

/** PRAGMAs that read a setting or a fact when given no value (and change it when given one). */
const SETTING_PRAGMAS = new Set([
  "database_list",
  "collation_list",
  "function_list",
  "pragma_list",
  "compile_options",
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
    case "Pragma": {
      const name = s.name.name.toLowerCase();
      return INSPECTING_PRAGMAS.has(name) || (s.value === null && SETTING_PRAGMAS.has(name));
    }
    default:
      return false;
  }
}

/** Statements whose row count is SQLite's changes(): INSERT, UPDATE, DELETE. */
export function countsChanges(parsed: ScriptStatement): boolean {
  const k = parsed.statement.kind;
  return k === "Insert" || k === "Update" || k === "Delete";
}

/** Statements that can make the database bigger (refused once it reached its size limit). */
export function canGrow(parsed: ScriptStatement): boolean {
  switch (parsed.statement.kind) {
    case "Insert":
    case "Update":
    case "CreateTable":
    case "CreateIndex":
    case "CreateView":
    case "CreateTrigger":
    case "CreateVirtualTable":
    case "AlterTable":
      return true;
    default:
      return false;
  }
}
