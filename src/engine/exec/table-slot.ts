// The row slot of a rowid table read through a B-tree cursor: columns are
// decoded lazily from the current record; the INTEGER PRIMARY KEY column
// reads the rowid; columns missing from an old record (added later by ALTER
// TABLE ADD COLUMN) read their default; REAL columns read integers stored
// in the record as REAL, as SQLite stores integral reals compactly; VIRTUAL
// generated columns, absent from records, are computed from the row.
import type { RecordReader } from "../btree/index.js";
import { hasVirtualColumns, storedColumnPositions } from "../plan/generated-columns.js";
import type { Table } from "../schema/schema.js";
import { realValue, type SqlValue } from "../value/types.js";
import type { Evaluator } from "./compile-expr.js";
import type { RowSlot } from "./row-slot.js";

export class TableRowSlot implements RowSlot {
  nullRow = false;
  private reader: RecordReader | null = null;
  /** Set instead of the reader when rows come from memory (hash lookups). */
  private values: readonly SqlValue[] | null = null;
  private rowidValue: number | bigint = 0;
  private readonly realColumns: boolean[];
  /** Values of columns absent from short records (their DEFAULT, evaluated once); null when all are NULL. */
  private defaults: SqlValue[] | null = null;
  /** Record index of each column (-1: VIRTUAL); null when records hold every column in order. */
  private readonly positions: number[] | null;
  /** Evaluators of the VIRTUAL generated columns (null elsewhere); set by bindVirtualColumns. */
  private virtual: (Evaluator | null)[] | null = null;

  constructor(readonly table: Table) {
    this.realColumns = table.columns.map((c) => c.affinity === "real");
    this.positions = hasVirtualColumns(table) ? storedColumnPositions(table) : null;
  }

  /** Sets how VIRTUAL generated columns are computed (evaluators reading this slot). */
  setVirtualColumns(evaluators: (Evaluator | null)[]): void {
    this.virtual = evaluators;
  }

  /** Sets the values that columns missing from a record read as. */
  setDefaults(values: SqlValue[]): void {
    this.defaults = values.some((v) => v !== null) ? values : null;
  }

  /** Points the slot at a row. The reader stays valid until its cursor moves. */
  set(rowid: number | bigint, reader: RecordReader): void {
    this.rowidValue = rowid;
    this.reader = reader;
    this.values = null;
  }

  /** Points the slot at a row already decoded into column values. */
  setValues(values: readonly SqlValue[], rowid: SqlValue): void {
    this.values = values;
    this.rowidValue = rowid as number | bigint;
  }

  column(i: number): SqlValue {
    if (this.nullRow) return null;
    if (i === this.table.rowidAlias) return this.rowidValue;
    // Rows from memory carry VIRTUAL values only when an index supplied them (covering reads).
    if (this.values !== null && (this.virtual === null || this.virtual[i] === null || this.values[i] !== undefined)) return this.values[i];
    let p = i;
    if (this.positions !== null) {
      p = this.positions[i];
      if (p < 0) return (this.virtual as (Evaluator | null)[])[i]?.() ?? null;
    }
    const r = this.reader as RecordReader;
    // Only tables altered with ADD COLUMN ... DEFAULT have short records whose missing columns are not NULL.
    if (this.defaults !== null && p >= r.columnCount) return this.defaults[i];
    const v = r.column(p);
    if (this.realColumns[i] && (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v)))) {
      return typeof v === "bigint" ? Number(v) : realValue(v);
    }
    return v;
  }

  /**
   * An evaluator of column `i`, cheaper per row than column(i) when the
   * column needs none of its special cases (the rowid alias, REAL, short
   * records with defaults, VIRTUAL columns): those are settled here, once.
   */
  columnReader(i: number): Evaluator {
    if (i === this.table.rowidAlias || this.realColumns[i] || this.defaults !== null || this.positions !== null) return () => this.column(i);
    return () => {
      if (this.nullRow) return null;
      if (this.values !== null) return this.values[i];
      return (this.reader as RecordReader).column(i);
    };
  }

  rowid(): SqlValue {
    return this.nullRow ? null : this.rowidValue;
  }
}
