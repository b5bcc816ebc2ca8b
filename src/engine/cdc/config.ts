// The change data capture configuration of one database: the capture mode,
// the table changes go to, and the retention limits. It is stored in the
// database file itself, in the ordinary table `tessera_cdc_config(name,
// value)` (so it survives reopening and serializing, every connection sees
// it, and the file still opens in sqlite3), and read once per schema version.
//
// Invariant: every write to tessera_cdc_config also bumps the schema cookie,
// so a configuration read at one schema version stays valid until the
// cookie changes, and statements compiled under the old one are recompiled.
import type { ReadTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { foldName, type Schema } from "../schema/schema.js";

export type CaptureMode = "id" | "before" | "after" | "full";

/** Turso's default CDC table name. */
export const DEFAULT_CDC_TABLE = "turso_cdc";
/** Turso's table recording the layout version of each CDC table. */
export const CDC_VERSION_TABLE = "turso_cdc_version";
/** The layout this engine writes: Turso's v2 (change_txn_id column and commit records). */
export const CDC_VERSION = "v2";
/** Where the configuration lives (one row per setting). */
export const CDC_CONFIG_TABLE = "tessera_cdc_config";

/** Turso's v2 CDC table layout, column for column. */
export function cdcTableSql(table: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, ` +
    "change_txn_id INTEGER, change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB)"
  );
}

export interface Retention {
  /** Keep at most this many changes (whole transactions are kept), or null for no limit. */
  maxChanges: number | null;
  /** Keep changes at most this many seconds old, or null for no limit. */
  maxAgeSeconds: number | null;
}

export interface CaptureConfig {
  /** null when capture is off. */
  mode: CaptureMode | null;
  /** The CDC table (meaningful when mode is set). */
  table: string;
  retention: Retention;
}

export const CAPTURE_OFF: CaptureConfig = { mode: null, table: DEFAULT_CDC_TABLE, retention: { maxChanges: null, maxAgeSeconds: null } };

const MODES: readonly CaptureMode[] = ["id", "before", "after", "full"];

/** Parses the argument of `PRAGMA capture_data_changes_conn('<mode>[,<table>]')`; null mode for 'off'. */
export function parseCaptureSetting(value: string): { mode: CaptureMode | null; table: string } {
  const comma = value.indexOf(",");
  const modeText = (comma < 0 ? value : value.slice(0, comma)).trim().toLowerCase();
  const table = comma < 0 ? DEFAULT_CDC_TABLE : value.slice(comma + 1).trim();
  if (modeText === "off") return { mode: null, table };
  if (!(MODES as readonly string[]).includes(modeText)) {
    throw new SqliteError(`unexpected capture_data_changes_conn mode '${modeText}': expected one of off, id, before, after, full`);
  }
  if (table === "") throw new SqliteError("capture_data_changes_conn: the CDC table name must not be empty");
  if (foldName(table).startsWith("sqlite_")) throw new SqliteError(`object name reserved for internal use: ${table}`);
  return { mode: modeText as CaptureMode, table };
}

const cache = new WeakMap<Schema, CaptureConfig>();

/**
 * The configuration as of `schema` (read through `tx`, which must see the
 * same schema version). Capture counts as off when the CDC table is missing
 * (dropped by the user): there is nowhere to write changes to.
 */
export function captureConfig(schema: Schema, tx: ReadTransaction): CaptureConfig {
  let config = cache.get(schema);
  if (config === undefined) {
    config = readConfig(schema, tx);
    cache.set(schema, config);
  }
  return config;
}

function readConfig(schema: Schema, tx: ReadTransaction): CaptureConfig {
  const table = schema.table(CDC_CONFIG_TABLE);
  if (!table) return CAPTURE_OFF;
  const settings = new Map<string, unknown>();
  const c = tx.openTable(table.rootPage);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      settings.set(String(r.column(0)), r.column(1));
    }
  } finally {
    c.close();
  }
  const modeValue = settings.get("mode");
  const tableValue = settings.get("table");
  const cdcTable = typeof tableValue === "string" ? tableValue : DEFAULT_CDC_TABLE;
  const mode = typeof modeValue === "string" && (MODES as readonly string[]).includes(modeValue) && schema.table(cdcTable) ? (modeValue as CaptureMode) : null;
  return {
    mode,
    table: cdcTable,
    retention: { maxChanges: positiveOrNull(settings.get("retention_max_changes")), maxAgeSeconds: positiveOrNull(settings.get("retention_max_age_seconds")) },
  };
}

function positiveOrNull(v: unknown): number | null {
  return typeof v === "number" && v > 0 ? v : null;
}

/** Tables whose changes are never captured: the CDC table itself and the bookkeeping tables. */
export function isCaptureExempt(config: CaptureConfig, table: string): boolean {
  const key = foldName(table);
  return key === foldName(config.table) || key === CDC_CONFIG_TABLE || key === CDC_VERSION_TABLE || key === "sqlite_sequence";
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
