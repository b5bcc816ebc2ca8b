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
import type { Table } from "../schema/schema.js";
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
  id: number | bigint;
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

/** Records the row changes of one table into the current write transaction's CDC log. */
export class RowCapture {
  constructor(
    private readonly mode: CaptureMode,
    private readonly table: Table,
    private readonly tx: () => WriteTransaction,
    /** The statement's time in milliseconds. */
    private readonly clock: () => number,
  ) {}

  inserted(rowid: number | bigint, values: readonly SqlValue[]): void {
    this.push(CHANGE_INSERT, rowid, null, hasAfter(this.mode) ? this.rowRecord(values, rowid) : null, null);
  }

  deleted(rowid: number | bigint, old: readonly SqlValue[]): void {
    this.push(CHANGE_DELETE, rowid, hasBefore(this.mode) ? this.rowRecord(old, rowid) : null, null, null);
  }

  /**
   * A row rewritten. As in Turso: when the statement assigned the rowid (or
   * its INTEGER PRIMARY KEY alias) the change is a delete and an insert,
   * and the updates record flags the assigned columns. Without `assigned`
   * (a foreign-key action) the same is decided by which values changed.
   */
  updated(oldRowid: number | bigint, old: readonly SqlValue[], newRowid: number | bigint, values: readonly SqlValue[], assigned: ReadonlySet<number> | null): void {
    const alias = this.table.rowidAlias;
    const rowidAssigned = assigned !== null ? assigned.has(-1) || (alias >= 0 && assigned.has(alias)) : BigInt(oldRowid) !== BigInt(newRowid);
    if (rowidAssigned) {
      this.deleted(oldRowid, old);
      this.inserted(newRowid, values);
      return;
    }
    const before = hasBefore(this.mode) ? this.rowRecord(old, oldRowid) : null;
    const after = hasAfter(this.mode) ? this.rowRecord(values, newRowid) : null;
    const now = this.withRowid(values, newRowid);
    const flags = assigned !== null ? now.map((_, i) => assigned.has(i)) : changedColumns(this.withRowid(old, oldRowid), now);
    this.push(CHANGE_UPDATE, newRowid, before, after, this.mode === "full" ? updatesRecord(flags, now) : null);
  }

  private push(changeType: CapturedChange["changeType"], id: number | bigint, before: Uint8Array | null, after: Uint8Array | null, updates: Uint8Array | null): void {
    this.tx()
      .logs.get(CAPTURED_CHANGES)
      .push({ changeType, time: Math.floor(this.clock() / 1000), table: this.table.name, id, before, after, updates });
  }

  /** The row as a record of all its columns, the INTEGER PRIMARY KEY holding the rowid (Turso's before/after images). */
  private rowRecord(values: readonly SqlValue[], rowid: number | bigint): Uint8Array {
    return encodeRecord(this.withRowid(values, rowid));
  }

  private withRowid(values: readonly SqlValue[], rowid: number | bigint): SqlValue[] {
    const row = values.slice(0, this.table.columns.length);
    if (this.table.rowidAlias >= 0) row[this.table.rowidAlias] = rowid;
    return row;
  }
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
