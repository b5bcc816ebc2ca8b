// Change data capture for the service layer (the management API and the
// Durable Object's fan-out): reading and setting the capture mode and the
// retention limits, and reading committed changes after a change id with
// their before/after images decoded. Everything goes through SQL on the
// given connection, so it follows the same rules as the PRAGMAs.
import { decodeRecord } from "../btree/index.js";
import type { Database } from "../database.js";
import { SqliteError } from "../errors.js";
import type { SqlValue } from "../value/types.js";
import { CHANGE_COMMIT } from "./capture.js";
import { decodeCompositeKey, primaryKeyColumns, recordColumns } from "./change-id.js";
import { quoteIdent, type CaptureMode, type Retention } from "./config.js";
import { decodeChangeRecord, decodeUpdatesRecord } from "./functions.js";
import { configuredCdcTable } from "./retention.js";
import { allRows, firstRow, hasTable } from "./statements.js";

export interface CaptureSetting {
  /** null when capture is off. */
  mode: CaptureMode | null;
  /** The CDC table (null when capture is off). */
  table: string | null;
}

export function getCaptureDataChanges(db: Database): CaptureSetting {
  const [mode, table] = firstRow(db, "PRAGMA capture_data_changes_conn") as [string, string | null];
  return { mode: mode === "off" ? null : (mode as CaptureMode), table };
}

/**
 * The CDC table when capture is on and the table exists, else null (a
 * dropped table captures nothing and has nothing to read). Cheap enough to
 * ask after every write: its statements are prepared once per connection.
 */
export function readableCaptureTable(db: Database): string | null {
  const { mode, table } = getCaptureDataChanges(db);
  return mode !== null && table !== null && hasTable(db, table) ? table : null;
}

/** Turns capture on (into `table`, default turso_cdc) or off (mode null). */
export function setCaptureDataChanges(db: Database, mode: CaptureMode | null, table?: string): void {
  const setting = mode === null ? "off" : table === undefined ? mode : `${mode},${table}`;
  db.prepare(`PRAGMA capture_data_changes_conn(${quoteText(setting)})`).run();
}

/** Sets the retention limits (null for no limit). */
export function setCaptureRetention(db: Database, retention: Retention): void {
  const parts: string[] = [];
  for (const [key, value] of [
    ["changes", retention.maxChanges],
    ["age", retention.maxAgeSeconds],
  ] as const) {
    if (value === null) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw new SqliteError(`retention ${key} must be a positive integer, got ${value}`, "SQLITE_MISUSE");
    parts.push(`${key}=${value}`);
  }
  db.prepare(`PRAGMA capture_data_changes_retention(${quoteText(parts.length === 0 ? "off" : parts.join(","))})`).run();
}

/** One committed change; commit records have kind "commit" and no table. */
export interface CapturedChangeRow {
  changeId: number;
  /** Unix seconds. */
  changeTime: number;
  txnId: number;
  kind: "insert" | "update" | "delete" | "commit";
  table: string | null;
  /** The rowid, or a WITHOUT ROWID table's PRIMARY KEY: its value, or an object of its columns when it has several. */
  id: SqlValue | Record<string, SqlValue>;
  /** Images decoded with the table's current column names (null when not captured in this mode). */
  before: Record<string, SqlValue> | null;
  after: Record<string, SqlValue> | null;
  /** Full mode updates: the changed columns with their new values. */
  updates: Record<string, SqlValue> | null;
}

const KINDS: Record<number, CapturedChangeRow["kind"]> = { 1: "insert", 0: "update", [-1]: "delete", [CHANGE_COMMIT]: "commit" };

/**
 * Committed changes with change_id > `since`, in change order, at most
 * `limit` rows. Records of a table that no longer exists decode with
 * positional names ("0", "1", ...).
 */
export function readCapturedChanges(db: Database, since: number, limit: number): CapturedChangeRow[] {
  const table = configuredCdcTable(db);
  if (table === null) return [];
  const rows = allRows(
    db,
    `SELECT change_id, change_time, change_txn_id, change_type, table_name, id, before, after, updates FROM ${quoteIdent(table)} WHERE change_id > ? ORDER BY change_id LIMIT ?`,
    since,
    limit,
  );
  const columnsOf = new Map<string, string[] | null>();
  const columns = (name: string): string[] | null => {
    if (!columnsOf.has(name)) columnsOf.set(name, recordColumns(db, name));
    return columnsOf.get(name) ?? null;
  };
  const keysOf = new Map<string, string[]>();
  // Only a WITHOUT ROWID table's ids can be BLOBs, so only they need the key's columns.
  const decodeId = (name: string | null, id: SqlValue): SqlValue | Record<string, SqlValue> => {
    if (name === null || !(id instanceof Uint8Array)) return id;
    if (!keysOf.has(name)) keysOf.set(name, primaryKeyColumns(db, name));
    return decodeCompositeKey(keysOf.get(name) ?? [], id) ?? id;
  };
  return rows.map(([changeId, changeTime, txnId, changeType, tableName, id, before, after, updates]) => {
    const names = typeof tableName === "string" ? columns(tableName) : null;
    const decode = (record: SqlValue): Record<string, SqlValue> | null =>
      record instanceof Uint8Array ? decodeChangeRecord(names ?? decodeRecord(record).map((_, i) => String(i)), record) : null;
    return {
      changeId: Number(changeId),
      changeTime: Number(changeTime),
      txnId: Number(txnId),
      kind: KINDS[Number(changeType)],
      table: typeof tableName === "string" ? tableName : null,
      id: decodeId(typeof tableName === "string" ? tableName : null, id),
      before: decode(before),
      after: decode(after),
      updates: updates instanceof Uint8Array ? decodeUpdatesRecord(names ?? decodeRecord(updates).map((_, i) => String(i)), updates) : null,
    };
  });
}

function quoteText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
