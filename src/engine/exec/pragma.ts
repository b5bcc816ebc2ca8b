// PRAGMA statements: database header fields, schema introspection
// (table_info, index_list, ...), integrity checks, and connection settings.
// Each pragma returns rows in the columns SQLite uses for it.
import { checkIntegrity, FORMAT_LEGACY, FORMAT_MVCC } from "../btree/index.js";
import { compileCapturePragma } from "../cdc/pragma.js";
import { SqliteError } from "../errors.js";
import { allFunctions } from "../func/registry.js";
import { sqliteHashOrder } from "../schema/hash-order.js";
import { readSchemaRows } from "../schema/load-schema.js";
import { foldName, type Index, type Table, type View } from "../schema/schema.js";
import type { Expr, Ident, Pragma } from "../sql/ast.js";
import { toInt64 } from "../value/convert.js";
import { IntegralReal, type SqlValue } from "../value/types.js";
import { PlanCollector, type CompileEnv } from "./compile-env.js";
import { compileQuery } from "./select.js";
import { entryComparator } from "./without-rowid-keys.js";
import { isTableTree, keyTail, primaryKeyIndex, storageOrder } from "../schema/without-rowid.js";
import type { StatementProgram } from "./program.js";
import type { ResultColumnInfo } from "./select-types.js";

/** Connection settings that pragmas read and write. */
export interface PragmaSettings {
  foreignKeys: boolean;
  recursiveTriggers: boolean;
  caseSensitiveLike: boolean;
  busyTimeout: number;
  cacheSize: number;
  journalMode: string;
  /** Which plain BEGINs run as BEGIN CONCURRENT in MVCC mode (for clients that cannot send it themselves). */
  concurrentTransactions: ConcurrentTransactionsSetting;
}

/** "deferred": BEGIN and BEGIN DEFERRED run as BEGIN CONCURRENT; "all": BEGIN IMMEDIATE and EXCLUSIVE too. */
export type ConcurrentTransactionsSetting = "off" | "deferred" | "all";

export const CONCURRENT_TRANSACTIONS_SETTINGS: readonly ConcurrentTransactionsSetting[] = ["off", "deferred", "all"];

export const COMPILE_OPTIONS = ["ENABLE_JSON", "ENABLE_MATH_FUNCTIONS", "TESSERA", "THREADSAFE=0"];

function columns(names: string[]): ResultColumnInfo[] {
  return names.map((name) => ({ name, declaredType: null, table: null, column: null, affinity: "none", collation: "BINARY" }));
}

function program(names: string[], rows: () => SqlValue[][], writes = false): StatementProgram {
  return {
    columns: columns(names),
    writes,
    changesSchema: false,
    run(emit) {
      for (const row of rows()) if (!emit(row)) return;
    },
  };
}

function pragmaValue(v: Expr | Ident | null): SqlValue {
  if (!v) return null;
  switch (v.kind) {
    case "Ident":
      return v.name;
    case "NumberLiteral":
      return v.value instanceof IntegralReal ? v.value.value : v.value;
    case "StringLiteral":
      return v.value;
    case "UnaryExpr":
      if (v.operand.kind === "NumberLiteral") {
        const n = pragmaValue(v.operand);
        return v.op === "-" ? (typeof n === "bigint" ? -n : -(n as number)) : n;
      }
      return null;
    case "ColumnRef":
      return v.column.name;
    default:
      return null;
  }
}

function booleanValue(v: SqlValue): boolean {
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (["on", "yes", "true"].includes(s)) return true;
    if (["off", "no", "false"].includes(s)) return false;
  }
  return Number(v) !== 0;
}

/** Journal modes SQLite accepts; Tessera runs every one of them as WAL-like snapshots over its page store. */
const LEGACY_JOURNAL_MODES = new Set(["delete", "truncate", "persist", "memory", "wal", "off"]);

/**
 * PRAGMA journal_mode: 'mvcc' (Turso also says 'experimental_mvcc') marks the
 * database for BEGIN CONCURRENT, in the file header so that it persists;
 * SQLite's modes switch it back. An unknown mode changes nothing and reports
 * the current one, as in SQLite.
 */
function journalMode(env: CompileEnv, settings: PragmaSettings, wanted: string | null): StatementProgram {
  const current = (tx: { formatVersion(): number }) => (tx.formatVersion() === FORMAT_MVCC ? "mvcc" : settings.journalMode);
  const mvcc = wanted === "mvcc" || wanted === "experimental_mvcc";
  if (wanted === null || (!mvcc && !LEGACY_JOURNAL_MODES.has(wanted))) return program(["journal_mode"], () => [[current(env.tx())]]);
  return program(
    ["journal_mode"],
    () => {
      const tx = env.writeTx();
      tx.setFormatVersion(mvcc ? FORMAT_MVCC : FORMAT_LEGACY);
      return [[current(tx)]];
    },
    true,
  );
}

function tableNamed(env: CompileEnv, name: string): Table | undefined {
  return env.schema.table(name);
}

export function compilePragma(stmt: Pragma, env: CompileEnv, settings: PragmaSettings): StatementProgram {
  if (stmt.schema && !["main", "temp"].includes(foldName(stmt.schema.name))) throw new SqliteError(`unknown database ${stmt.schema.name}`);
  return pragmaProgram(foldName(stmt.name.name), stmt.schema ? foldName(stmt.schema.name) : null, pragmaValue(stmt.value), stmt.value !== null, env, settings);
}

/**
 * The program of pragma `name` (folded), in schema "main" or "temp" (or
 * null: not named), with its value or argument when `hasValue`.
 */
export function pragmaProgram(name: string, schemaName: string | null, value: SqlValue, hasValue: boolean, env: CompileEnv, settings: PragmaSettings): StatementProgram {
  const header = (field: "userVersion" | "applicationId" | "schemaCookie", label: string): StatementProgram => {
    if (hasValue) {
      return program([], () => {
        env.writeTx().setHeader(field, Number(BigInt.asIntN(32, BigInt(toInt64(value)))));
        return [];
      }, true);
    }
    return program([label], () => [[signed32(env.tx().getHeader(field))]]);
  };
  switch (name) {
    case "user_version":
      return header("userVersion", "user_version");
    case "application_id":
      return header("applicationId", "application_id");
    case "schema_version":
      return header("schemaCookie", "schema_version");
    case "page_size":
      return program(hasValue ? [] : ["page_size"], () => (hasValue ? [] : [[env.tx().pageSize]]));
    case "page_count":
      return program(["page_count"], () => [[env.tx().pageCount]]);
    case "freelist_count":
      return program(["freelist_count"], () => [[env.tx().getHeader("freelistCount")]]);
    case "encoding":
      return program(["encoding"], () => [["UTF-8"]]);
    case "foreign_keys":
    case "recursive_triggers":
    case "case_sensitive_like": {
      const key = name === "foreign_keys" ? "foreignKeys" : name === "recursive_triggers" ? "recursiveTriggers" : "caseSensitiveLike";
      if (hasValue) return program([], () => ((settings[key] = booleanValue(value)), []));
      return program([name], () => [[settings[key] ? 1 : 0]]);
    }
    case "busy_timeout":
    case "cache_size": {
      const key = name === "busy_timeout" ? "busyTimeout" : "cacheSize";
      if (hasValue) settings[key] = Number(value);
      return program([name === "busy_timeout" ? "timeout" : "cache_size"], () => [[settings[key]]]);
    }
    case "concurrent_transactions": {
      if (hasValue) {
        const wanted = String(value).toLowerCase() as ConcurrentTransactionsSetting;
        if (!CONCURRENT_TRANSACTIONS_SETTINGS.includes(wanted)) {
          throw new SqliteError(`concurrent_transactions must be one of ${CONCURRENT_TRANSACTIONS_SETTINGS.join(", ")}`);
        }
        settings.concurrentTransactions = wanted;
      }
      return program(["concurrent_transactions"], () => [[settings.concurrentTransactions]]);
    }
    case "journal_mode":
      return journalMode(env, settings, hasValue ? String(value).toLowerCase() : null);
    case "integrity_check":
    case "quick_check":
      return program([name], () => integrity(env));
    case "table_info":
    case "table_xinfo":
      return tableInfo(env, String(value ?? ""), name === "table_xinfo");
    case "index_list":
      return program(["seq", "name", "unique", "origin", "partial"], () => {
        const t = tableNamed(env, String(value));
        if (!t) return [];
        return [...t.indexes].reverse().map((ix, i) => [i, ix.name, ix.unique ? 1 : 0, ix.origin, ix.where ? 1 : 0]);
      });
    case "index_info":
    case "index_xinfo":
      return program(name === "index_info" ? ["seqno", "cid", "name"] : ["seqno", "cid", "name", "desc", "coll", "key"], () => {
        const ix = env.schema.index(String(value));
        if (!ix) return [];
        const table = env.schema.table(ix.tableName) as Table;
        return indexInfoRows(ix, table, name === "index_xinfo");
      });
    case "table_list":
      return program(["schema", "name", "type", "ncol", "wr", "strict"], () => tableList(env, schemaName, hasValue && value !== null ? String(value) : null));
    case "foreign_key_list":
      return program(["id", "seq", "table", "from", "to", "on_update", "on_delete", "match"], () => {
        const t = tableNamed(env, String(value ?? ""));
        return t ? foreignKeyRows(t) : [];
      });
    case "compile_options":
      return program(["compile_options"], () => COMPILE_OPTIONS.map((o) => [o]));
    case "function_list":
      return program(["name", "builtin", "type", "enc", "narg", "flags"], () =>
        allFunctions().map((f) => [f.name, 1, f.kind === "scalar" ? "s" : f.kind === "aggregate" ? "a" : "w", "utf8", f.nArgs, 0]),
      );
    case "capture_data_changes_conn":
    case "unstable_capture_data_changes_conn":
    case "capture_data_changes_retention":
      return compileCapturePragma(name, value, hasValue, env);
    case "database_list":
      return program(["seq", "name", "file"], () => [[0, "main", ""]]);
    default:
      // Unknown pragmas are silently ignored, as in SQLite.
      return program([], () => []);
  }
}

/**
 * PRAGMA foreign_key_list: SQLite keeps a table's foreign keys in a list
 * each new one is pushed onto, so the last declared is id 0; `to` is null
 * when the parent's PRIMARY KEY is implied, and MATCH is never kept ("NONE").
 */
function foreignKeyRows(table: Table): SqlValue[][] {
  return [...table.foreignKeys].reverse().flatMap((fk, id) =>
    fk.columns.map((column, seq) => [id, seq, fk.parentTable, table.columns[column].name, fk.parentColumns?.[seq] ?? null, fk.onUpdate, fk.onDelete, "NONE"]),
  );
}

/**
 * PRAGMA table_list: tables and views of the schema named (or of every
 * schema), only the one named when an argument is given. The argument is
 * matched against the stored name, so the catalog answers to sqlite_master
 * though it is listed as sqlite_schema, as in SQLite. Tessera has no separate
 * temp schema (temp objects live in main), but lists the empty temp schema's
 * catalog as SQLite does.
 */
function tableList(env: CompileEnv, schemaName: string | null, only: string | null): SqlValue[][] {
  const rows: SqlValue[][] = [];
  const wanted = only === null ? null : foldName(only);
  const add = (schema: string, storedName: string, shownName: string, type: string, ncol: number, withoutRowid: boolean, strict: boolean): void => {
    if (wanted === null || foldName(storedName) === wanted) rows.push([schema, shownName, type, ncol, withoutRowid ? 1 : 0, strict ? 1 : 0]);
  };
  if (schemaName !== "temp") {
    for (const name of catalogOrder(env)) {
      if (name === "sqlite_master") {
        add("main", name, "sqlite_schema", "table", 5, false, false);
        continue;
      }
      const t = env.schema.table(name);
      if (t) add("main", t.name, t.name, "table", t.columns.length, t.withoutRowid, t.strict);
      const v = env.schema.view(name);
      if (v) add("main", v.name, v.name, "view", viewColumnCount(v, env), false, false);
    }
  }
  if (schemaName !== "main") add("temp", "sqlite_temp_master", "sqlite_temp_schema", "table", 5, false, false);
  return rows;
}

/**
 * Table and view names (with the catalog, as sqlite_master) in the order
 * SQLite lists them: the order of its table hash, into which the catalog
 * goes first and then the objects in sqlite_schema row order (the order
 * they were created in, unless some were dropped since).
 */
function catalogOrder(env: CompileEnv): string[] {
  const names = readSchemaRows(env.tx()).filter((r) => r.type === "table" || r.type === "view").map((r) => r.name);
  return sqliteHashOrder(["sqlite_master", ...names]);
}

/** A view's column count; 0 when the view no longer compiles (SQLite ignores the error there too). */
function viewColumnCount(view: View, env: CompileEnv): number {
  try {
    return compileQuery(view.select, { ...env, source: view.sql, ctes: null, outer: null, plan: new PlanCollector(), subqueries: { count: 0 } }, null).columns.length;
  } catch {
    return 0;
  }
}

function signed32(v: number): number {
  return v | 0;
}

function tableInfo(env: CompileEnv, tableName: string, extended: boolean): StatementProgram {
  const names = ["cid", "name", "type", "notnull", "dflt_value", "pk"];
  if (extended) names.push("hidden");
  return program(names, () => {
    const t = tableNamed(env, tableName);
    if (!t) return [];
    // table_info leaves generated columns out and numbers the others without them, as SQLite does.
    let hiddenBefore = 0;
    return t.columns.flatMap((c, i) => {
      if (!extended && c.hidden !== 0) {
        hiddenBefore++;
        return [];
      }
      const dflt = c.default ? t.sql.slice(c.default.start, c.default.end) : null;
      const row: SqlValue[] = [i - hiddenBefore, c.name, shownType(c.declaredType), c.notNull ? 1 : 0, dflt, c.primaryKeyPosition];
      if (extended) row.push(c.hidden);
      return [row];
    });
  });
}

/** SQLite recognises the type names STRICT tables allow, whatever the table, and shows them in upper case. */
const STANDARD_TYPES = new Set(["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"]);

/** The type as table_info shows it: unquoted when written as one quoted name, standard names in upper case. */
function shownType(declared: string): string {
  const quoted = /^(?:\[([^\]]*)\]|"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|'((?:[^']|'')*)')$/.exec(declared);
  const type = quoted ? (quoted[1] ?? quoted[2]?.replaceAll('""', '"') ?? quoted[3]?.replaceAll("``", "`") ?? quoted[4].replaceAll("''", "'")) : declared;
  const upper = type.toUpperCase();
  return STANDARD_TYPES.has(upper) ? upper : type;
}

function indexInfoRows(ix: Index, table: Table, extended: boolean): SqlValue[][] {
  const rows = ix.columns.map((c, i) => {
    const name = c.column >= 0 ? table.columns[c.column].name : null;
    const base: SqlValue[] = [i, c.column, name];
    if (extended) base.push(c.desc ? 1 : 0, c.collation, 1);
    return base;
  });
  if (!extended) return rows;
  // What follows the key in each entry: the rowid, or in a WITHOUT ROWID table the columns its entries carry besides.
  if (!table.withoutRowid) rows.push([ix.columns.length, -1, null, 0, "BINARY", 0]);
  else {
    const rest = isTableTree(table, ix) ? storageOrder(table).slice(ix.columns.length).map((column) => ({ column, desc: false, collation: table.columns[column].collation })) : keyTail(table, ix);
    rest.forEach((c, k) => rows.push([ix.columns.length + k, c.column, table.columns[c.column].name, c.desc ? 1 : 0, c.collation, 0]));
  }
  return rows;
}

function integrity(env: CompileEnv): SqlValue[][] {
  const tx = env.tx();
  const report = checkIntegrity(tx, {
    comparatorFor: (name) => {
      const ix = env.schema.index(name);
      if (ix) return entryComparator(env.schema.table(ix.tableName) as Table, ix);
      const table = env.schema.table(name);
      return table?.withoutRowid ? entryComparator(table, primaryKeyIndex(table)) : undefined;
    },
  });
  return report.ok ? [["ok"]] : report.errors.map((e) => [e]);
}
