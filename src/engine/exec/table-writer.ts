// Row writes on one rowid table with everything a row write implies: column
// affinity (or STRICT typing), generated column values (STORED ones written
// to the record, VIRTUAL ones left out of it and computed when a row is
// read), NOT NULL and CHECK constraints, rowid allocation (AUTOINCREMENT
// included), UNIQUE and PRIMARY KEY enforcement with conflict resolution,
// and keeping every index in step with the table. The checks shared with
// WITHOUT ROWID tables (generated values included) live in row-constraints.ts.
//
// Invariant: after each successful insertRow/updateRow/deleteRow, every index
// of the table holds exactly one entry (indexed values..., rowid) per row that
// satisfies its WHERE, and no UNIQUE index holds two entries with equal
// non-NULL keys.
import type { IndexCursor, IndexKeyComparator, TableCursor, WriteTransaction } from "../btree/index.js";
import { encodeRecord } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import type { Index, Table } from "../schema/schema.js";
import { applyAffinity } from "../value/affinity.js";
import { truthValue } from "../value/arith.js";
import { INT64_MAX, isInteger, IntegralReal, type SqlValue } from "../value/types.js";
import type { RowCapture } from "../cdc/capture.js";
import { storedColumnPositions, recordValues } from "../plan/generated-columns.js";
import { shortRecordDefaults } from "./alter-defaults.js";
import type { Evaluator } from "./compile-expr.js";
import { cursorFor } from "./cursor-cache.js";
import { indexComparator } from "./index-key.js";
import { constraintFailure, RowConstraints, type Resolution, type TableExprs } from "./row-constraints.js";
import type { RowWriter } from "./row-writer.js";

export { tooBig, uniqueConstraintError, type Resolution, type TableExprs } from "./row-constraints.js";

export interface WriteOutcome {
  /** "ignored" when OR IGNORE (or DO NOTHING) skipped the row. */
  status: "written" | "ignored";
  rowid: number | bigint;
}

/** Called for each row removed by REPLACE conflict resolution (triggers, CDC and counts hook in here). */
export type ReplaceHook = (rowid: number | bigint) => void;

export class TableWriter extends RowConstraints implements RowWriter {
  private readonly comparators: IndexKeyComparator[];
  private readonly tableCursor: (tx: WriteTransaction) => TableCursor;
  private readonly indexCursors: ((tx: WriteTransaction) => IndexCursor)[];
  /** What columns missing from short records (added by ALTER TABLE ADD COLUMN) read as; null when all NULL. */
  private readonly shortDefaults: SqlValue[] | null;
  /**
   * UNIQUE indexes in the order SQLite checks them (so the first conflict it
   * reports is SQLite's): newest first, as its index list is in reverse
   * creation order; with no statement-wide resolution, those that resolve
   * by their own REPLACE come after the others.
   */
  private readonly uniqueOrder: number[];
  private readonly uniqueOrderOwnActions: number[];

  constructor(
    table: Table,
    exprs: TableExprs,
    private readonly tx: () => WriteTransaction,
    maxValueLength: number,
    /** Change data capture of this table's row changes, when it is on. */
    private readonly capture: RowCapture | null = null,
  ) {
    super(table, exprs, maxValueLength);
    this.comparators = table.indexes.map(indexComparator);
    this.tableCursor = cursorFor((tx) => tx.openTable(table.rootPage));
    this.indexCursors = table.indexes.map((index, i) => cursorFor((tx: WriteTransaction) => tx.openIndex(index.rootPage, this.comparators[i])));
    this.shortDefaults = shortRecordDefaults(table);
    this.uniqueOrder = table.indexes.flatMap((index, i) => (index.unique ? [i] : [])).reverse();
    const replaces = (i: number): boolean => table.indexes[i].onConflict === "REPLACE";
    this.uniqueOrderOwnActions = [...this.uniqueOrder.filter((i) => !replaces(i)), ...this.uniqueOrder.filter(replaces)];
  }

  /** The rowid a new row is stored under: the one given, else one past the largest (or the next AUTOINCREMENT value). */
  newRowKey(_values: readonly SqlValue[], given: SqlValue, sequence: number | bigint): number | bigint {
    return given !== null ? rowidFromValue(given) : this.newRowid(sequence);
  }

  /** A rowid for a new row: one past the largest, or the next AUTOINCREMENT value. */
  newRowid(sequence: number | bigint): number | bigint {
    const tx = this.tx();
    // Past every rowid open BEGIN CONCURRENT transactions use, so that concurrent inserts never collide.
    const reserved = tx.rowidReservations?.floor(this.table.rootPage) ?? 0;
    return this.nextRowid(this.tableCursor(tx), reserved > sequence ? reserved : sequence);
  }

  private nextRowid(cursor: TableCursor, sequence: number | bigint): number | bigint {
    let last: number | bigint = cursor.last() ? cursor.rowid() : 0;
    if (sequence > last) last = sequence;
    if (last === INT64_MAX || last === Number(INT64_MAX)) {
      if (this.table.autoincrement) throw new SqliteError("database or disk is full", "SQLITE_FULL");
      for (let attempt = 0; attempt < 100; attempt++) {
        const candidate = BigInt(Math.floor(Math.random() * Number.MAX_SAFE_INTEGER)) + 1n;
        const r = candidate <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(candidate) : candidate;
        if (!cursor.seek(r, "eq")) return r;
      }
      throw new SqliteError("database or disk is full", "SQLITE_FULL");
    }
    return typeof last === "bigint" ? canonical(last + 1n) : last + 1 > Number.MAX_SAFE_INTEGER ? BigInt(last) + 1n : last + 1;
  }

  /**
   * Inserts a row (values by column, already coerced; `rowid` chosen by the
   * caller). Enforces PRIMARY KEY/UNIQUE with `resolution` (or each
   * constraint's own), calling `onReplace` for each row REPLACE removes.
   */
  insert(
    values: SqlValue[],
    rowid: number | bigint,
    resolution: Resolution | null,
    onReplace: ReplaceHook | null,
    exclude: number | bigint | null = null,
    beforeWrite: (() => void) | null = null,
  ): WriteOutcome {
    const t = this.table;
    const tx = this.tx();
    const cursor = this.tableCursor(tx);
    // Rowid (INTEGER PRIMARY KEY) conflicts.
    if (cursor.seek(rowid, "eq") && rowid !== exclude) {
      const action = resolution ?? t.primaryKeyConflict;
      if (action === "IGNORE") return { status: "ignored", rowid };
      if (action !== "REPLACE") {
        const col = t.rowidAlias >= 0 ? t.columns[t.rowidAlias].name : "rowid";
        throw constraintFailure(new SqliteError(`UNIQUE constraint failed: ${t.name}.${col}`, "SQLITE_CONSTRAINT_PRIMARYKEY"), action);
      }
      this.removeRow(rowid, onReplace);
    }
    const keys = this.indexKeys(values, rowid);
    for (const i of resolution ? this.uniqueOrder : this.uniqueOrderOwnActions) {
      const index = t.indexes[i];
      const key = keys[i];
      if (key === null || key === undefined) continue;
      const conflict = this.findConflict(tx, i, key, rowid, exclude);
      if (conflict === null) continue;
      const action = resolution ?? index.onConflict;
      if (action === "IGNORE") return { status: "ignored", rowid };
      if (action !== "REPLACE") throw constraintFailure(this.uniqueError(index), action);
      this.removeRow(conflict, onReplace);
      // Removing a row may have removed later conflicts too; other indexes are re-checked in turn.
    }
    beforeWrite?.();
    // The INTEGER PRIMARY KEY column is stored as NULL: its value is the rowid. VIRTUAL generated columns are not stored.
    if (this.exprs.virtual.length > 0) cursor.insertRow(rowid, recordValues(t, values), t.rowidAlias >= 0 ? storedColumnPositions(t)[t.rowidAlias] : -1);
    else cursor.insertRow(rowid, values, t.rowidAlias);
    tx.rowidReservations?.reserve(t.rootPage, rowid);
    this.insertIndexEntries(tx, values, rowid, keys);
    if (exclude === null) this.capture?.inserted(rowid, values);
    return { status: "written", rowid };
  }

  /**
   * Replaces row `oldRowid` with `values` under `newRowid` (coerced and
   * checked by the caller). Constraints are checked against every other row
   * before anything changes. `assigned` names the columns the statement set
   * (-1 for the rowid), for change data capture; null when it has none (a
   * foreign-key action).
   */
  update(
    oldRowid: number | bigint,
    values: SqlValue[],
    newRowid: number | bigint,
    resolution: Resolution | null,
    onReplace: ReplaceHook | null = null,
    assigned: ReadonlySet<number> | null = null,
  ): WriteOutcome {
    const removed: { row: SqlValue[] | null } = { row: null };
    const outcome = this.insert(values, newRowid, resolution, onReplace, oldRowid, () => (removed.row = this.deleteStored(oldRowid)));
    if (removed.row !== null) this.capture?.updated(oldRowid, removed.row, newRowid, values, assigned);
    return outcome;
  }

  /** Adds a stored row's entries to every index (building a new index); a UNIQUE violation throws. */
  indexRow(values: SqlValue[], rowid: number | bigint): void {
    const tx = this.tx();
    const keys = this.indexKeys(values, rowid);
    this.table.indexes.forEach((index, i) => {
      const key = keys[i];
      if (index.unique && key && this.findConflict(tx, i, key, rowid, null) !== null) throw this.uniqueError(index);
    });
    this.insertIndexEntries(tx, values, rowid, keys);
  }

  private insertIndexEntries(tx: WriteTransaction, values: SqlValue[], rowid: number | bigint, keys: (SqlValue[] | null | undefined)[]): void {
    for (let i = 0; i < this.table.indexes.length; i++) {
      const key = keys[i];
      if (key === undefined) continue;
      this.indexCursors[i](tx).insert(encodeRecord(key === null ? this.fullKey(values, rowid, i) : [...key, rowid]));
    }
  }

  /**
   * The rowid of an existing row that the candidate would conflict with on
   * the given columns' UNIQUE constraint (any PRIMARY KEY/UNIQUE constraint
   * when `columns` is null), or null.
   */
  findConflictingRow(values: SqlValue[], rowid: number | bigint, columns: number[] | null): number | bigint | null {
    const t = this.table;
    const tx = this.tx();
    const wantsRowid = columns === null || (columns.length === 1 && columns[0] === t.rowidAlias);
    if (wantsRowid && this.tableCursor(tx).seek(rowid, "eq")) return rowid;
    const keys = this.indexKeys(values, rowid);
    const wanted = columns ? [...columns].sort().join(",") : null;
    for (let i = 0; i < t.indexes.length; i++) {
      const index = t.indexes[i];
      const key = keys[i];
      if (!index.unique || key === null || key === undefined) continue;
      if (wanted !== null && index.columns.map((c) => c.column).sort().join(",") !== wanted) continue;
      const conflict = this.findConflict(tx, i, key, rowid, null);
      if (conflict !== null) return conflict;
    }
    return null;
  }

  /** Deletes row `rowid` and its index entries; returns its old column values (null when absent). */
  delete(rowid: number | bigint): SqlValue[] | null {
    const old = this.deleteStored(rowid);
    if (old !== null) this.capture?.deleted(rowid, old);
    return old;
  }

  /** delete() without capture: the first half of an update. */
  private deleteStored(rowid: number | bigint): SqlValue[] | null {
    const old = this.read(rowid);
    if (!old) return null;
    const tx = this.tx();
    const keys = this.indexKeys(old, rowid);
    for (let i = 0; i < this.table.indexes.length; i++) {
      const key = keys[i];
      if (key === undefined) continue;
      const full = key === null ? this.fullKey(old, rowid, i) : [...key, rowid];
      const ic = this.indexCursors[i](tx);
      if (ic.seek(full, "eq")) ic.delete();
    }
    const c = this.tableCursor(tx);
    if (c.seek(rowid, "eq")) c.delete();
    return old;
  }

  /** The stored column values of row `rowid`, or null. */
  read(rowid: number | bigint): SqlValue[] | null {
    const c = this.tableCursor(this.tx());
    if (!c.seek(rowid, "eq")) return null;
    const r = c.record();
    const t = this.table;
    const out: SqlValue[] = new Array(t.columns.length);
    const d = this.shortDefaults;
    if (this.exprs.virtual.length === 0) {
      for (let i = 0; i < out.length; i++) out[i] = i === t.rowidAlias ? rowid : d !== null && i >= r.columnCount ? d[i] : r.column(i);
      return out;
    }
    const positions = storedColumnPositions(t);
    for (let i = 0; i < out.length; i++) {
      const p = positions[i];
      out[i] = i === t.rowidAlias ? rowid : p < 0 ? null : d !== null && p >= r.columnCount ? d[i] : r.column(p);
    }
    this.fillVirtual(out, rowid);
    return out;
  }

  private removeRow(rowid: number | bigint, onReplace: ReplaceHook | null): void {
    onReplace?.(rowid);
    this.delete(rowid);
  }

  /**
   * Per index: the indexed values of a row (undefined when a partial index
   * excludes it; null when the key has NULLs, which never conflict — the
   * full key is then built by fullKey).
   */
  private indexKeys(values: SqlValue[], rowid: number | bigint): (SqlValue[] | null | undefined)[] {
    if (this.table.indexes.length === 0) return NO_KEYS;
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = rowid;
    return this.table.indexes.map((index, i) => {
      const ie = this.exprs.indexes[i];
      if (ie.where && truthValue(ie.where()) !== true) return undefined;
      const key = this.keyValues(index, values, rowid, ie.columns);
      return key.includes(null) ? null : key;
    });
  }

  private keyValues(index: Index, values: SqlValue[], rowid: number | bigint, exprs: (Evaluator | null)[]): SqlValue[] {
    return index.columns.map((ic, j) => {
      const e = exprs[j];
      if (e) return e();
      return ic.column < 0 || ic.column === this.table.rowidAlias ? rowid : values[ic.column];
    });
  }

  private fullKey(values: SqlValue[], rowid: number | bigint, i: number): SqlValue[] {
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = rowid;
    return [...this.keyValues(this.table.indexes[i], values, rowid, this.exprs.indexes[i].columns), rowid];
  }

  private findConflict(tx: WriteTransaction, i: number, key: SqlValue[], rowid: number | bigint, exclude: number | bigint | null): number | bigint | null {
    const ic = this.indexCursors[i](tx);
    for (let ok = ic.seek(key, "eq"); ok; ok = ic.next()) {
      const rec = ic.record();
      if (this.comparators[i](rec, key) !== 0) break;
      const other = rec.column(key.length) as number | bigint;
      if (other !== rowid && other !== exclude) return other;
    }
    return null;
  }

}

/** indexKeys() of a table without indexes (never modified). */
const NO_KEYS: (SqlValue[] | null | undefined)[] = [];

function canonical(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** A value given for an INTEGER PRIMARY KEY, as a rowid; `datatype mismatch` when it cannot be one. */
export function rowidFromValue(v: SqlValue): number | bigint {
  const n = applyAffinity(v, "integer");
  if (isInteger(n)) return n;
  if (n instanceof IntegralReal) return n.value;
  throw new SqliteError("datatype mismatch", "SQLITE_MISMATCH");
}
