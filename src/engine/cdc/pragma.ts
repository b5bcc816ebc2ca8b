// The CDC pragmas:
//   PRAGMA capture_data_changes_conn('<mode>[,<table>]')  (also Turso's older
//     name unstable_capture_data_changes_conn): turns capture on (creating the
//     CDC table in Turso's layout and Turso's turso_cdc_version row) or off.
//     Reading it returns Turso's columns (mode, table, version).
//   PRAGMA capture_data_changes_retention('changes=<n>,age=<seconds>' | 'off'):
//     how much history pruning keeps. Reading it returns (max_changes,
//     max_age_seconds), NULL for no limit.
// Unlike Turso's per-connection setting, the setting is the database's: it
// is stored in tessera_cdc_config (see config.ts) and applies to every
// connection, now and after reopening.
import type { WriteTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import type { CompileEnv } from "../exec/compile-env.js";
import { compileStatement } from "../exec/compile.js";
import type { StatementProgram } from "../exec/program.js";
import { StatementRuntime } from "../exec/runtime.js";
import type { ResultColumnInfo } from "../exec/select-types.js";
import { loadSchema } from "../schema/load-schema.js";
import type { Schema, Table } from "../schema/schema.js";
import { parseStatement } from "../sql/parse.js";
import { quoteValue } from "../value/text.js";
import type { SqlValue } from "../value/types.js";
import {
  CDC_CONFIG_TABLE,
  CDC_VERSION,
  CDC_VERSION_TABLE,
  captureConfig,
  cdcTableSql,
  parseCaptureSetting,
  type Retention,
} from "./config.js";

/** Turso's CDC table columns, in order. */
export const CDC_COLUMNS = ["change_id", "change_time", "change_txn_id", "change_type", "table_name", "id", "before", "after", "updates"];

export type CapturePragma = "capture_data_changes_conn" | "unstable_capture_data_changes_conn" | "capture_data_changes_retention";

/** The program for a CDC pragma, reading (no value) or setting it. */
export function compileCapturePragma(name: CapturePragma, value: SqlValue, hasValue: boolean, env: CompileEnv): StatementProgram {
  if (name === "capture_data_changes_retention") {
    if (!hasValue) {
      return readProgram(["max_changes", "max_age_seconds"], () => {
        const { retention } = captureConfig(env.schema, env.tx());
        return [retention.maxChanges, retention.maxAgeSeconds];
      });
    }
    return writeProgram(env, (tx) => setRetention(env, tx, parseRetention(textArgument(name, value))));
  }
  if (!hasValue) {
    return readProgram(["mode", "table", "version"], () => {
      const config = captureConfig(env.schema, env.tx());
      return config.mode === null ? ["off", null, null] : [config.mode, config.table, CDC_VERSION];
    });
  }
  return writeProgram(env, (tx) => setCapture(env, tx, textArgument(name, value)));
}

function textArgument(name: string, value: SqlValue): string {
  if (typeof value !== "string") throw new SqliteError(`${name} expects a string argument`);
  return value;
}

function readProgram(names: string[], row: () => SqlValue[]): StatementProgram {
  return {
    columns: names.map((n): ResultColumnInfo => ({ name: n, declaredType: null, table: null, column: null, affinity: "none", collation: "BINARY" })),
    writes: false,
    changesSchema: false,
    run(emit) {
      emit(row());
    },
  };
}

/** A setting change: it may create tables, and always bumps the schema cookie (config.ts's invariant). */
function writeProgram(env: CompileEnv, apply: (tx: WriteTransaction) => void): StatementProgram {
  return {
    columns: [],
    writes: true,
    changesSchema: true,
    run() {
      const tx = env.writeTx();
      apply(tx);
      tx.setHeader("schemaCookie", tx.getHeader("schemaCookie") + 1);
    },
  };
}

function setCapture(env: CompileEnv, tx: WriteTransaction, setting: string): void {
  const { mode, table } = parseCaptureSetting(setting);
  if (mode !== null) {
    const existing = loadSchema(tx).table(table);
    if (existing) checkCdcLayout(existing);
    else runSql(env, tx, cdcTableSql(table));
    runSql(env, tx, `CREATE TABLE IF NOT EXISTS ${CDC_VERSION_TABLE} (table_name TEXT PRIMARY KEY, version TEXT NOT NULL)`);
    runSql(env, tx, `INSERT OR IGNORE INTO ${CDC_VERSION_TABLE} VALUES (${quoteValue(table)}, ${quoteValue(CDC_VERSION)})`);
  }
  writeSettings(env, tx, [
    ["mode", mode ?? "off"],
    ["table", table],
  ]);
}

function setRetention(env: CompileEnv, tx: WriteTransaction, retention: Retention): void {
  writeSettings(env, tx, [
    ["retention_max_changes", retention.maxChanges],
    ["retention_max_age_seconds", retention.maxAgeSeconds],
  ]);
}

function writeSettings(env: CompileEnv, tx: WriteTransaction, settings: [string, SqlValue][]): void {
  runSql(env, tx, `CREATE TABLE IF NOT EXISTS ${CDC_CONFIG_TABLE} (name TEXT PRIMARY KEY, value)`);
  for (const [name, value] of settings) runSql(env, tx, `INSERT OR REPLACE INTO ${CDC_CONFIG_TABLE} VALUES (${quoteValue(name)}, ${quoteValue(value)})`);
}

/** A table used for capture must have Turso's v2 columns (a v1 table, without change_txn_id, is refused) and rowids (change_id is one). */
function checkCdcLayout(table: Table): void {
  const columns = table.columns.map((c) => c.name);
  if (columns.length !== CDC_COLUMNS.length || columns.some((c, i) => c.toLowerCase() !== CDC_COLUMNS[i])) {
    throw new SqliteError(`table ${table.name} cannot hold captured changes: its columns must be (${CDC_COLUMNS.join(", ")})`);
  }
  if (table.withoutRowid) throw new SqliteError(`table ${table.name} cannot hold captured changes: it is a WITHOUT ROWID table`);
}

/** 'off', or comma-separated 'changes=<n>' and 'age=<seconds>' (0 means no limit). */
export function parseRetention(text: string): Retention {
  const retention: Retention = { maxChanges: null, maxAgeSeconds: null };
  if (text.trim().toLowerCase() === "off") return retention;
  for (const part of text.split(",")) {
    const m = /^\s*(changes|age)\s*=\s*(\d+)\s*$/i.exec(part);
    if (!m) throw new SqliteError(`capture_data_changes_retention: expected 'changes=<n>', 'age=<seconds>' (comma-separated) or 'off', got '${text}'`);
    const n = Number(m[2]);
    if (m[1].toLowerCase() === "changes") retention.maxChanges = n > 0 ? n : null;
    else retention.maxAgeSeconds = n > 0 ? n : null;
  }
  return retention;
}

/** Runs one SQL statement inside the pragma's transaction, compiled against the schema as it is now. */
function runSql(env: CompileEnv, tx: WriteTransaction, sql: string): void {
  const schema: Schema = loadSchema(tx);
  const runtime = new StatementRuntime(env.runtime.functions, env.runtime.budget);
  compileStatement(parseStatement(sql), { ...env, schema, runtime, source: sql, ctes: null, outer: null }).run(() => true);
}
