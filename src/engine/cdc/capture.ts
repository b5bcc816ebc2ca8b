// Capturing row changes as statements make them: the TableWriter of a table
// reports every row it inserts, updates or deletes (so triggers, foreign-key
// cascades, UPSERT and REPLACE are covered: they all write through it), and
// the change is appended, already encoded as Turso records it, to the write
// transaction's CDC log. Nothing is written to the CDC table here: the commit
// hook (commit.ts) does that, so a rolled-back statement, savepoint or
// transaction leaves nothing (the log is truncated with it).
import { encodeRecord, type WriteTransaction } from "../btree/index.js";
import { LogKey } from "../btree/transaction-log.js";
import type { CompileEnv } from "../exec/compile-env.js";
import type { RowKey } from "../exec/row-writer.js";
import type { Table } from "../schema/schema.js";
import { primaryKeyIndex } from "../schema/without-rowid.js";
import { IntegralReal, type SqlValue } from "../value/types.js";
import { captureConfig, isCaptureExempt, type CaptureMode } from "./config.js";

/** Turso's change_type values. */
export const CHANGE_INSERT = 1;
export const CHANGE_UPDATE = 0;
export const CHANGE_DELETE = -1;
export const CHANGE_COMMIT = 2;

/** One captured row change, as it will be written to the CDC table (change_id and change_txn_id are assigned at commit). */
export interface CapturedChange {
  changeType: typeof CHANGE_INSERT | typeof CHANGE_UPDATE | typeof CHANGE_DELETE;
  /** Unix time in seconds of the statement that made the change. */
  time: number;
  table: string;
  /** The rowid; in a WITHOUT ROWID table, the PRIMARY KEY value, or a record of the key values when the key has several columns. */
  id: SqlValue;
  before: Uint8Array | null;
  after: Uint8Array | null;
  updates: Uint8Array | null;
}

export const CAPTURED_CHANGES = new LogKey<CapturedChange>("cdc");

export function hasBefore(mode: CaptureMode): boolean {
  return mode === "before" || mode === "full";
}

export function hasAfter(mode: CaptureMode): boolean {
  return mode === "after" || mode === "full";
}

/** The capture for writes to `table` by a statement compiled in `env`, or null when its changes are not captured. */
export function rowCaptureFor(env: CompileEnv, table: Table): RowCapture | null {
  const config = captureConfig(env.schema, env.tx());
  if (config.mode === null || isCaptureExempt(config, table.name)) return null;
  const clock = env.runtime.functions;
  return new RowCapture(config.mode, table, env.writeTx, () => clock.statementTime());
}

/**
 * Records the row changes of one table into the current write transaction's
 * CDC log. Rows are named as the writers name them (RowKey): by rowid, or in
 * a WITHOUT ROWID table by their PRIMARY KEY values, whose `id` is the key
 * value itself when the key is one column and a SQLite record of the key
 * values (in key order) when it is several.
 */
export class RowCapture {
  /** Columns whose assignment moves the row to another key: the INTEGER PRIMARY KEY, or a WITHOUT ROWID table's key columns. */
  private readonly keyColumns: number[];

  constructor(
    private readonly mode: CaptureMode,
    private readonly table: Table,
    private readonly tx: () => WriteTransaction,
    /** The statement's time in milliseconds. */
    private readonly clock: () => number,
  ) {
    this.keyColumns = table.withoutRowid ? primaryKeyIndex(table).columns.map((c) => c.column) : table.rowidAlias >= 0 ? [table.rowidAlias] : [];
  }

  inserted(key: RowKey, values: readonly SqlValue[]): void {
    this.push(CHANGE_INSERT, key, null, hasAfter(this.mode) ? this.rowRecord(values, key) : null, null);
  }

  deleted(key: RowKey, old: readonly SqlValue[]): void {
    this.push(CHANGE_DELETE, key, hasBefore(this.mode) ? this.rowRecord(old, key) : null, null, null);
  }

  /**
   * A row rewritten. As in Turso: when the statement assigned the rowid (or
   * its INTEGER PRIMARY KEY alias; in a WITHOUT ROWID table, a PRIMARY KEY
   * column) the change is a delete and an insert, and the updates record
   * flags the assigned columns. Without `assigned` (a foreign-key action)
   * the same is decided by which values changed.
   */
  updated(oldKey: RowKey, old: readonly SqlValue[], newKey: RowKey, values: readonly SqlValue[], assigned: ReadonlySet<number> | null): void {
    const keyAssigned = assigned !== null ? assigned.has(-1) || this.keyColumns.some((c) => assigned.has(c)) : !sameKey(oldKey, newKey);
    if (keyAssigned) {
      this.deleted(oldKey, old);
      this.inserted(newKey, values);
      return;
    }
    const before = hasBefore(this.mode) ? this.rowRecord(old, oldKey) : null;
    const after = hasAfter(this.mode) ? this.rowRecord(values, newKey) : null;
    const now = this.row(values, newKey);
    const flags = assigned !== null ? now.map((_, i) => assigned.has(i)) : changedColumns(this.row(old, oldKey), now);
    this.push(CHANGE_UPDATE, newKey, before, after, this.mode === "full" ? updatesRecord(flags, now) : null);
  }

  private push(changeType: CapturedChange["changeType"], key: RowKey, before: Uint8Array | null, after: Uint8Array | null, updates: Uint8Array | null): void {
    this.tx()
      .logs.get(CAPTURED_CHANGES)
      .push({ changeType, time: Math.floor(this.clock() / 1000), table: this.table.name, id: changeId(key), before, after, updates });
  }

  /** The row as a record of all its columns, the INTEGER PRIMARY KEY holding the rowid (Turso's before/after images). */
  private rowRecord(values: readonly SqlValue[], key: RowKey): Uint8Array {
    return encodeRecord(this.row(values, key));
  }

  /** The row's values by column (VIRTUAL generated ones included, computed), the INTEGER PRIMARY KEY holding the rowid. */
  private row(values: readonly SqlValue[], key: RowKey): SqlValue[] {
    const row = values.slice(0, this.table.columns.length);
    if (typeof key !== "object" && this.table.rowidAlias >= 0) row[this.table.rowidAlias] = key;
    return row;
  }
}

/** The CDC `id` of a row: its rowid, its one-column PRIMARY KEY value, or a record of its PRIMARY KEY values. */
function changeId(key: RowKey): SqlValue {
  if (typeof key !== "object") return key;
  return key.length === 1 ? key[0] : encodeRecord(key);
}

/** Whether two keys of one table hold the same values (exactly: a key column changed under its collation still counts as changed). */
function sameKey(a: RowKey, b: RowKey): boolean {
  if (typeof a !== "object" || typeof b !== "object") return typeof a !== "object" && typeof b !== "object" && BigInt(a) === BigInt(b);
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
}

/**
 * Turso's `updates` record for a table of C columns: C flags (1 for a
 * changed column) followed by C values (the new value of a changed column,
 * NULL elsewhere).
 */
export function updatesRecord(changed: readonly boolean[], values: readonly SqlValue[]): Uint8Array {
  const n = values.length;
  const out: SqlValue[] = new Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[i] = changed[i] ? 1 : 0;
    out[n + i] = changed[i] ? values[i] : null;
  }
  return encodeRecord(out);
}

/** Per column, whether its value differs between two versions of a row. */
export function changedColumns(old: readonly SqlValue[], values: readonly SqlValue[]): boolean[] {
  return values.map((v, i) => !sameValue(old[i] ?? null, v));
}

/** Same type and same value (a column that keeps its value is not "changed"). */
function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true;
  if (a instanceof IntegralReal) return b instanceof IntegralReal && a.value === b.value;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return false;
}
