// Row writes on one table with everything a row write implies: column
// affinity (or STRICT typing), generated column values (STORED ones written
// to the record, VIRTUAL ones left out of it), NOT NULL and CHECK constraints, rowid
// allocation (AUTOINCREMENT included), UNIQUE and PRIMARY KEY enforcement
// with conflict resolution, and keeping every index in step with the table.
//
// Invariant: after each successful insertRow/updateRow/deleteRow, every index
// of the table holds exactly one entry (indexed values..., rowid) per row that
// satisfies its WHERE, and no UNIQUE index holds two entries with equal
// non-NULL keys.
import type { IndexCursor, IndexKeyComparator, TableCursor, WriteTransaction } from "../btree/index.js";
import { encodeRecord } from "../btree/index.js";
import { SqliteError, type SqliteErrorCode } from "../errors.js";
import type { Check, Index, Table } from "../schema/schema.js";
import type { ConflictAction } from "../sql/ast.js";
import { applyAffinity, strictValue } from "../value/affinity.js";
import { truthValue } from "../value/arith.js";
import { utf8Length } from "../value/text.js";
import { INT64_MAX, isInteger, IntegralReal, type SqlValue } from "../value/types.js";
import type { RowCapture } from "../cdc/capture.js";
import { recordPositions, recordValues } from "../plan/generated-columns.js";
import { shortRecordDefaults } from "./alter-defaults.js";
import type { Evaluator } from "./compile-expr.js";
import { computeGenerated, type GeneratedValue } from "./generated.js";
import { cursorFor } from "./cursor-cache.js";
import { indexComparator } from "./index-key.js";
import type { ArrayRowSlot } from "./row-slot.js";

/** How a write resolves a constraint conflict (statement OR-clause, else the constraint's own). */
export type Resolution = ConflictAction;

/** Compiled per-table pieces that need expressions (CHECK, index expressions, partial-index WHERE). */
export interface TableExprs {
  /** Slot the expressions read the candidate row from (columns by index, rowid). */
  slot: ArrayRowSlot;
  checks: { check: Check; eval: Evaluator }[];
  /** Per index: evaluators for expression columns (null for plain columns) and the WHERE. */
  indexes: { columns: (Evaluator | null)[]; where: Evaluator | null }[];
  /** Generated columns in computation order, reading the slot. */
  generated: GeneratedValue[];
  /** The VIRTUAL ones among them (computed when a stored row is read). */
  virtual: GeneratedValue[];
}

export interface WriteOutcome {
  /** "ignored" when OR IGNORE (or DO NOTHING) skipped the row. */
  status: "written" | "ignored";
  rowid: number | bigint;
}

/** Called for each row removed by REPLACE conflict resolution (triggers, CDC and counts hook in here). */
export type ReplaceHook = (rowid: number | bigint) => void;

export class TableWriter {
  private readonly comparators: IndexKeyComparator[];
  private readonly tableCursor: (tx: WriteTransaction) => TableCursor;
  private readonly indexCursors: ((tx: WriteTransaction) => IndexCursor)[];
  /** What columns missing from short records (added by ALTER TABLE ADD COLUMN) read as; null when all NULL. */
  private readonly shortDefaults: SqlValue[] | null;

  constructor(
    readonly table: Table,
    private readonly exprs: TableExprs,
    private readonly tx: () => WriteTransaction,
    private readonly maxValueLength: number,
    /** Change data capture of this table's row changes, when it is on. */
    private readonly capture: RowCapture | null = null,
  ) {
    this.comparators = table.indexes.map(indexComparator);
    this.tableCursor = cursorFor((tx) => tx.openTable(table.rootPage));
    this.indexCursors = table.indexes.map((index, i) => cursorFor((tx: WriteTransaction) => tx.openIndex(index.rootPage, this.comparators[i])));
    this.shortDefaults = shortRecordDefaults(table);
  }

  /** The row with column affinities applied and generated columns computed (what BEFORE triggers see as NEW). */
  withAffinity(values: readonly SqlValue[]): SqlValue[] {
    const row = values.map((v, i) => (i === this.table.rowidAlias ? v : applyAffinity(v, this.table.columns[i].affinity)));
    if (this.exprs.generated.length > 0) this.fillGenerated(row, this.table.rowidAlias >= 0 ? row[this.table.rowidAlias] : null);
    return row;
  }

  /** Computes the generated columns of a row into it (leaving the candidate slot on that row). */
  fillGenerated(values: SqlValue[], rowid: SqlValue): void {
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = rowid;
    computeGenerated(this.table, this.exprs.generated, values);
  }

  /** Prepares column values for storage: affinity/STRICT typing, then NOT NULL (generated columns: see check). */
  coerce(values: SqlValue[], resolution: Resolution | null, defaults: readonly (() => SqlValue)[] = []): SqlValue[] | "ignore" {
    const t = this.table;
    for (let i = 0; i < t.columns.length; i++) {
      const c = t.columns[i];
      if (i === t.rowidAlias) continue;
      if (c.generated) {
        values[i] = null;
        continue;
      }
      let v = values[i];
      if (c.strictType) v = strictValue(v, c.strictType, t.name, c.name);
      else v = applyAffinity(v, c.affinity);
      if (v === null && c.notNull) {
        const action = resolution ?? c.notNullConflict;
        if (action === "IGNORE") return "ignore";
        const fallback = action === "REPLACE" && defaults[i] ? defaults[i]() : null;
        if (fallback !== null) v = applyAffinity(fallback, c.affinity);
        else throw new SqliteError(`NOT NULL constraint failed: ${t.name}.${c.name}`, "SQLITE_CONSTRAINT_NOTNULL");
      }
      if ((typeof v === "string" || v instanceof Uint8Array) && tooBig(v, this.maxValueLength)) {
        throw new SqliteError("string or blob too big", "SQLITE_TOOBIG");
      }
      values[i] = v;
    }
    return values;
  }

  /**
   * Computes the generated columns of the candidate row (already placed in
   * the expression slot, its other columns coerced) and checks their NOT
   * NULL constraints, then evaluates CHECK constraints.
   */
  check(resolution: Resolution | null): boolean {
    const t = this.table;
    if (this.exprs.generated.length > 0) {
      const values = this.exprs.slot.row as SqlValue[];
      computeGenerated(t, this.exprs.generated, values);
      for (const g of this.exprs.generated) {
        const c = t.columns[g.column];
        if (values[g.column] !== null || !c.notNull) continue;
        if ((resolution ?? c.notNullConflict) === "IGNORE") return false;
        throw new SqliteError(`NOT NULL constraint failed: ${t.name}.${c.name}`, "SQLITE_CONSTRAINT_NOTNULL");
      }
    }
    for (const { check, eval: e } of this.exprs.checks) {
      const v = e();
      if (v !== null && truthValue(v) === false) {
        if (resolution === "IGNORE") return false;
        throw new SqliteError(`CHECK constraint failed: ${check.name ?? check.text}`, "SQLITE_CONSTRAINT_CHECK");
      }
    }
    return true;
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
        throw new SqliteError(`UNIQUE constraint failed: ${t.name}.${col}`, "SQLITE_CONSTRAINT_PRIMARYKEY");
      }
      this.removeRow(rowid, onReplace);
    }
    const keys = this.indexKeys(values, rowid);
    for (let i = 0; i < t.indexes.length; i++) {
      const index = t.indexes[i];
      const key = keys[i];
      if (!index.unique || key === null || key === undefined) continue;
      const conflict = this.findConflict(tx, i, key, rowid, exclude);
      if (conflict === null) continue;
      const action = resolution ?? index.onConflict;
      if (action === "IGNORE") return { status: "ignored", rowid };
      if (action !== "REPLACE") throw this.uniqueError(index);
      this.removeRow(conflict, onReplace);
      // Removing a row may have removed later conflicts too; other indexes are re-checked in turn.
    }
    beforeWrite?.();
    // The INTEGER PRIMARY KEY column is stored as NULL: its value is the rowid. VIRTUAL generated columns are not stored.
    if (this.exprs.virtual.length > 0) cursor.insert(rowid, encodeRecord(recordValues(t, values), t.rowidAlias >= 0 ? recordPositions(t)[t.rowidAlias] : -1));
    else cursor.insert(rowid, encodeRecord(values, t.rowidAlias));
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

  /** The slot CHECK and index expressions read the candidate row from. */
  candidateSlot(): ArrayRowSlot {
    return this.exprs.slot;
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
    const positions = recordPositions(t);
    for (let i = 0; i < out.length; i++) {
      const p = positions[i];
      out[i] = i === t.rowidAlias ? rowid : p < 0 ? null : d !== null && p >= r.columnCount ? d[i] : r.column(p);
    }
    // VIRTUAL columns are computed from the row; the candidate slot is restored for the caller.
    const slot = this.exprs.slot;
    const [savedRow, savedRowid] = [slot.row, slot.rowidValue];
    slot.row = out;
    slot.rowidValue = rowid;
    computeGenerated(t, this.exprs.virtual, out);
    slot.row = savedRow;
    slot.rowidValue = savedRowid;
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

  private uniqueError(index: Index): SqliteError {
    return uniqueConstraintError(this.table, index);
  }
}

/** SQLite's error for a duplicate key in UNIQUE or PRIMARY KEY index `index` of table `t`. */
export function uniqueConstraintError(t: Table, index: Index): SqliteError {
  const code: SqliteErrorCode = index.origin === "pk" ? "SQLITE_CONSTRAINT_PRIMARYKEY" : "SQLITE_CONSTRAINT_UNIQUE";
  if (index.columns.some((c) => c.column === -2)) return new SqliteError(`UNIQUE constraint failed: index '${index.name}'`, code);
  const names = index.columns.map((c) => `${t.name}.${c.column < 0 ? "rowid" : t.columns[c.column].name}`);
  return new SqliteError(`UNIQUE constraint failed: ${names.join(", ")}`, code);
}

/** Whether a text (in UTF-8 bytes) or blob is longer than `limit`; counts bytes only when it could matter. */
export function tooBig(v: string | Uint8Array, limit: number): boolean {
  if (v.length > limit) return true;
  if (v instanceof Uint8Array || v.length * 3 <= limit) return false;
  return utf8Length(v) > limit;
}

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
