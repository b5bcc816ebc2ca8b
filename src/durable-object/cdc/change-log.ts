// Reading committed changes out of the capture table (Turso's layout, written
// by the engine in the same transaction as the changes, see src/engine/cdc)
// through plain SQL on an engine connection, grouped by transaction and with
// `before`/`after` decoded to row objects keyed by the table's columns as
// table_columns_json_array names them (`updates`, in full mode, to the
// columns an update set), values as JSON: integers beyond 2^53 keep their
// exact digits (JSON.rawJSON), BLOBs become {"base64": ...}.
// Invariants relied on:
// - change_id is gapless and increasing in commit order, and a transaction's
//   rows (its changes, then its commit record, change_type 2) are written at
//   its commit in one go: every row of a transaction is visible, or none.
// - So a read that reached the end of the table ends on a whole transaction;
//   a read cut short by its limit may end inside one, whose rows are left for
//   the next read.
import { capturedChangeRange, decodeChangeRecord, decodeCompositeKey, decodeUpdatesRecord, IntegralReal, primaryKeyColumns, recordColumns, type Database, type ResultValue, type SqlValue, type Statement } from "../../engine/index.js";

export type Operation = "insert" | "update" | "delete";

export const OPERATIONS: readonly Operation[] = ["insert", "update", "delete"];

/** change_type values of the capture table. */
const CHANGE_TYPE: Record<number, Operation | "commit"> = { 1: "insert", 0: "update", [-1]: "delete", 2: "commit" };

/** What JSON.rawJSON returns: JSON.stringify writes its text as is. */
interface RawJson {
  readonly rawJSON: string;
}

export type JsonValue = null | boolean | number | string | RawJson | JsonValue[] | { [key: string]: JsonValue };

// The runtime (workerd) has JSON.rawJSON; TypeScript's ES2023 library does not declare it.
export const rawJson = (JSON as unknown as { rawJSON(text: string): RawJson }).rawJSON;

export interface CapturedChange {
  changeId: number;
  operation: Operation;
  table: string;
  /**
   * The row's rowid; in a WITHOUT ROWID table its PRIMARY KEY value, or an
   * object of the key columns when the key has several.
   */
  id: JsonValue;
  /** Row objects (column name -> value); null when the mode does not capture that side or the change has none. */
  before: JsonValue;
  after: JsonValue;
  /** Full mode, updates only: the columns the update set, with their new values. */
  updates?: JsonValue;
  /**
   * Set when a captured record could not be decoded (its table no longer
   * exists, e.g. dropped later): the raw records as base64.
   */
  undecoded?: UndecodedRecords;
}

/** A change's captured records as base64, as they are in the capture table. */
export interface UndecodedRecords {
  before: string | null;
  after: string | null;
  /** Full mode, updates only (as `updates` is): Turso's updates record. */
  updates?: string;
}

export interface CapturedTransaction {
  /** The change_id that completes the transaction (its commit record): the resume cursor after it. */
  changeId: number;
  txnId: number;
  /** change_time of the commit (as the engine records it). */
  time: number;
  changes: CapturedChange[];
}

export interface ChangeBatch {
  transactions: CapturedTransaction[];
  /** Every change_id up to this one has been read (the cursor to continue from). */
  scannedTo: number;
  /** The read reached the newest committed change. */
  atEnd: boolean;
}

/** What a fan-out pass reads: the database's capture table (ChangeLog), or a relay's copy of it (relay/relay-log.ts). */
export interface ChangeSource {
  /** The whole transactions committed after change `after`, about `maxChanges` changes of them. */
  read(after: number, maxChanges: number): ChangeBatch;
}

type CaptureRow = [changeId: number, time: number, txnId: number, type: number, table: string | null, id: ResultValue, before: ResultValue, after: ResultValue, updates: ResultValue];

/** How one table's records decode: its columns, and its PRIMARY KEY columns when an id may be a record of them. */
interface TableColumns {
  columns: string[];
  /** Filled on the first id that is a BLOB (only a WITHOUT ROWID table's ids can be). */
  key?: string[];
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A value as JSON: integers exact (also beyond 2^53), infinities as SQLite's JSON writes them, BLOBs as {"base64": ...}. */
function jsonOf(value: SqlValue): JsonValue {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : rawJson(value.toString());
  if (value instanceof Uint8Array) return { base64: base64Of(value) };
  const n = value instanceof IntegralReal ? value.value : value;
  if (n === Infinity || n === -Infinity) return rawJson(n > 0 ? "9e999" : "-9e999");
  return n;
}

function rowJson(row: Record<string, SqlValue>): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  for (const [name, value] of Object.entries(row)) out[name] = jsonOf(value);
  return out;
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Reads one capture table of one database through one connection, with its statements prepared once. */
export class ChangeLog implements ChangeSource {
  private readonly columnsOf = new Map<string, TableColumns | null>();
  private readonly rowsQuery: Statement;

  constructor(
    private readonly conn: Database,
    readonly table: string,
  ) {
    const from = `FROM ${quoteIdentifier(table)}`;
    this.rowsQuery = conn.prepare(`SELECT change_id, change_time, change_txn_id, change_type, table_name, id, before, after, updates ${from} WHERE change_id > ? ORDER BY change_id LIMIT ?`).raw();
  }

  /** The oldest retained change id (0 when none is) and the newest ever assigned, pruned or not (0 before any). */
  range(): { oldest: number; latest: number } {
    const { oldest, latest } = capturedChangeRange(this.conn);
    return { oldest: oldest ?? 0, latest };
  }

  /**
   * The whole transactions committed after change `after`, about `maxChanges`
   * rows of them (more when a single transaction is larger: it is never split).
   */
  read(after: number, maxChanges: number): ChangeBatch {
    this.columnsOf.clear();
    for (let limit = Math.max(1, maxChanges); ; limit *= 2) {
      const rows = this.rowsQuery.all(after, limit) as CaptureRow[];
      const atEnd = rows.length < limit;
      const complete = atEnd ? rows.length : completeLength(rows);
      if (complete === 0 && !atEnd) continue;
      const whole = rows.slice(0, complete);
      return { transactions: this.group(whole), scannedTo: whole.length > 0 ? Number(whole[whole.length - 1][0]) : after, atEnd };
    }
  }

  private group(rows: CaptureRow[]): CapturedTransaction[] {
    const transactions: CapturedTransaction[] = [];
    let current: CapturedTransaction | null = null;
    for (const row of rows) {
      const [changeId, time, txnId, type] = row;
      if (current !== null && current.txnId !== Number(txnId)) current = null;
      current ??= transactions[transactions.push({ changeId: Number(changeId), txnId: Number(txnId), time: Number(time), changes: [] }) - 1];
      current.changeId = Number(changeId);
      current.time = Number(time);
      const kind = CHANGE_TYPE[Number(type)];
      if (kind === "commit") current = null;
      else if (kind !== undefined) current.changes.push(this.change(row, kind));
    }
    return transactions;
  }

  private change(row: CaptureRow, operation: Operation): CapturedChange {
    const [changeId, , , , table, id, before, after, updates] = row;
    const name = table ?? "";
    const change: CapturedChange = { changeId: Number(changeId), operation, table: name, id: jsonOf(id), before: null, after: null };
    const decoded = this.decoded(name, id, before, after, updates);
    if (decoded !== null) return { ...change, ...decoded };
    const base64OrNull = (record: ResultValue) => (record instanceof Uint8Array ? base64Of(record) : null);
    change.undecoded = { before: base64OrNull(before), after: base64OrNull(after), ...(updates instanceof Uint8Array ? { updates: base64Of(updates) } : {}) };
    return change;
  }

  /**
   * A change's id, images and updates as JSON, or null when they do not
   * decode: the table is gone, or a record is not one (the capture table is
   * an ordinary table that anyone with write access may write).
   */
  private decoded(table: string, id: ResultValue, before: ResultValue, after: ResultValue, updates: ResultValue): Pick<CapturedChange, "id" | "before" | "after" | "updates"> | null {
    const columns = this.columns(table);
    if (columns === null) return null;
    const row = (record: ResultValue) => (record instanceof Uint8Array ? rowJson(decodeChangeRecord(columns.columns, record)) : null);
    try {
      const decoded = { id: id instanceof Uint8Array ? this.keyJson(table, columns, id) : jsonOf(id), before: row(before), after: row(after) };
      return updates instanceof Uint8Array ? { ...decoded, updates: rowJson(decodeUpdatesRecord(columns.columns, updates)) } : decoded;
    } catch {
      return null;
    }
  }

  /** The table's columns, or null when the table is gone. */
  private columns(table: string): TableColumns | null {
    if (!this.columnsOf.has(table)) {
      const columns = recordColumns(this.conn, table);
      this.columnsOf.set(table, columns === null ? null : { columns });
    }
    return this.columnsOf.get(table) ?? null;
  }

  /** A BLOB id: a WITHOUT ROWID table's composite key (a record of the key columns) as an object of them, else the BLOB itself. */
  private keyJson(table: string, columns: TableColumns, id: Uint8Array): JsonValue {
    columns.key ??= primaryKeyColumns(this.conn, table);
    const key = decodeCompositeKey(columns.key, id);
    return key === null ? jsonOf(id) : rowJson(key);
  }
}

/**
 * How many leading rows of a read cut short by its limit form whole
 * transactions: up to the last commit record, or up to the last change of
 * transaction id (for captures without commit records).
 */
function completeLength(rows: CaptureRow[]): number {
  for (let i = rows.length - 1; i >= 0; i--) {
    if (Number(rows[i][3]) === 2) return i + 1;
    if (i > 0 && Number(rows[i - 1][2]) !== Number(rows[i][2])) return i;
  }
  return 0;
}
