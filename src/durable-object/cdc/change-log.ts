// Reading committed changes out of the capture table (Turso's layout, written
// by the engine in the same transaction as the changes, see src/engine/cdc)
// through plain SQL on an engine connection, grouped by transaction and with
// `before`/`after` decoded to row objects by the engine's own
// table_columns_json_array / bin_record_json_object functions.
// Invariants relied on:
// - change_id is gapless and increasing in commit order, and a transaction's
//   rows (its changes, then its commit record, change_type 2) are written at
//   its commit in one go: every row of a transaction is visible, or none.
// - So a read that reached the end of the table ends on a whole transaction;
//   a read cut short by its limit may end inside one, whose rows are left for
//   the next read.
import { capturedChangeRange, type Database, type ResultValue, type Statement } from "../../engine/index.js";

export type Operation = "insert" | "update" | "delete";

export const OPERATIONS: readonly Operation[] = ["insert", "update", "delete"];

/** change_type values of the capture table. */
const CHANGE_TYPE: Record<number, Operation | "commit"> = { 1: "insert", 0: "update", [-1]: "delete", 2: "commit" };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface CapturedChange {
  changeId: number;
  operation: Operation;
  table: string;
  /** The row's rowid (or key) as captured. */
  id: JsonValue;
  /** Row objects (column name -> value); null when the mode does not capture that side or the change has none. */
  before: JsonValue;
  after: JsonValue;
  /**
   * Set when a captured record could not be decoded (its table no longer
   * exists, e.g. dropped later): the raw records as base64.
   */
  undecoded?: { before: string | null; after: string | null };
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

type CaptureRow = [changeId: number, time: number, txnId: number, type: number, table: string | null, id: ResultValue, before: ResultValue, after: ResultValue];

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function jsonOf(value: ResultValue): JsonValue {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return { base64: base64Of(value) };
  return value;
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Reads one capture table of one database through one connection, with its statements prepared once. */
export class ChangeLog {
  private readonly columnsOf = new Map<string, string | null>();
  private readonly rowsQuery: Statement;
  private readonly columnsQuery: Statement;
  private readonly decodeQuery: Statement;

  constructor(
    private readonly conn: Database,
    readonly table: string,
  ) {
    const from = `FROM ${quoteIdentifier(table)}`;
    this.rowsQuery = conn.prepare(`SELECT change_id, change_time, change_txn_id, change_type, table_name, id, before, after ${from} WHERE change_id > ? ORDER BY change_id LIMIT ?`).raw();
    this.columnsQuery = conn.prepare("SELECT table_columns_json_array(?)").pluck();
    this.decodeQuery = conn.prepare("SELECT bin_record_json_object(?, ?)").pluck();
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
    const [changeId, , , , table, id, before, after] = row;
    const name = table ?? "";
    const change: CapturedChange = { changeId: Number(changeId), operation, table: name, id: jsonOf(id), before: null, after: null };
    const columns = this.columns(name);
    const decoded = columns === null ? null : { before: this.decode(columns, before), after: this.decode(columns, after) };
    if (decoded && decoded.before !== undefined && decoded.after !== undefined) {
      change.before = decoded.before;
      change.after = decoded.after;
    } else {
      change.undecoded = { before: before instanceof Uint8Array ? base64Of(before) : null, after: after instanceof Uint8Array ? base64Of(after) : null };
    }
    return change;
  }

  /** The table's columns as the JSON array text the decoder takes, or null when the table is gone. */
  private columns(table: string): string | null {
    if (!this.columnsOf.has(table)) {
      let columns: string | null = null;
      try {
        columns = this.columnsQuery.get(table) as string | null;
      } catch {
        columns = null;
      }
      this.columnsOf.set(table, columns);
    }
    return this.columnsOf.get(table) ?? null;
  }

  /** A record as a row object; null for no record; undefined when it does not decode. */
  private decode(columns: string, record: ResultValue): JsonValue | undefined {
    if (!(record instanceof Uint8Array)) return null;
    try {
      const text = this.decodeQuery.get(columns, record) as string | null;
      return text === null ? null : (JSON.parse(text) as JsonValue);
    } catch {
      return undefined;
    }
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
