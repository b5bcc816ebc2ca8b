// The row-write interface INSERT, UPDATE, DELETE, UPSERT, CREATE INDEX and
// foreign-key actions use, whichever way the table stores its rows. A row is
// named by its RowKey: the rowid in a rowid table (TableWriter), the PRIMARY
// KEY values in a WITHOUT ROWID table (WithoutRowidWriter).
//
// Invariant: a writer is only ever handed keys of its own kind: the ones its
// table's scans, rowKeyOf and primaryKeyOf produce.
import type { Table } from "../schema/schema.js";
import { primaryKeyIndex } from "../schema/without-rowid.js";
import type { SqlValue } from "../value/types.js";
import type { Resolution } from "./row-constraints.js";
import type { ArrayRowSlot, RowSlot } from "./row-slot.js";
import { rowKey } from "./value-key.js";

/** A stored row's identity: its rowid, or (WITHOUT ROWID) its PRIMARY KEY values in key order. */
export type RowKey = number | bigint | readonly SqlValue[];

export interface RowWriter {
  readonly table: Table;
  withAffinity(values: readonly SqlValue[]): SqlValue[];
  /** Computes a row's generated columns into it (an UPDATE's or UPSERT's new row, before it is written). */
  fillGenerated(values: SqlValue[], rowid: SqlValue): void;
  /** Computes the VIRTUAL generated columns of a row read from storage (records leave them out). */
  fillVirtual(values: SqlValue[], rowid: SqlValue): void;
  coerce(values: SqlValue[], resolution: Resolution | null, defaults?: readonly (() => SqlValue)[]): SqlValue[] | "ignore";
  check(resolution: Resolution | null): boolean;
  candidateSlot(): ArrayRowSlot;
  /** The key a new (coerced) row is stored under: a rowid (`given`, else a new one), or its PRIMARY KEY values. */
  newRowKey(values: readonly SqlValue[], given: SqlValue, sequence: number | bigint): RowKey;
  /** Writes a coerced row under `key`, enforcing PRIMARY KEY/UNIQUE; `exclude` is the row being replaced by an UPDATE. */
  insert(
    values: SqlValue[],
    key: RowKey,
    resolution: Resolution | null,
    onReplace: ((key: RowKey) => void) | null,
    exclude?: RowKey | null,
    beforeWrite?: (() => void) | null,
  ): { status: "written" | "ignored" };
  /** `assigned`: the columns the statement set (change data capture records them). */
  update(
    oldKey: RowKey,
    values: SqlValue[],
    newKey: RowKey,
    resolution: Resolution | null,
    onReplace?: ((key: RowKey) => void) | null,
    assigned?: ReadonlySet<number> | null,
  ): { status: "written" | "ignored" };
  delete(key: RowKey): SqlValue[] | null;
  read(key: RowKey): SqlValue[] | null;
  findConflictingRow(values: SqlValue[], key: RowKey, columns: number[] | null): RowKey | null;
  indexRow(values: SqlValue[], key: RowKey): void;
}

/** The rowid expressions may read for a row (triggers, RETURNING, CHECK): none in a WITHOUT ROWID table. */
export function rowidOf(key: RowKey): number | bigint | null {
  return typeof key === "object" ? null : key;
}

/** A WITHOUT ROWID row's key: its PRIMARY KEY column values (already coerced), in key order. */
export function primaryKeyOf(table: Table, values: readonly SqlValue[]): SqlValue[] {
  return primaryKeyIndex(table).columns.map((c) => values[c.column]);
}

/** Reads the key of the row a table source's slot is positioned on. */
export function rowKeyOf(table: Table): (slot: RowSlot) => RowKey {
  if (!table.withoutRowid) return (slot) => slot.rowid() as number | bigint;
  const columns = primaryKeyIndex(table).columns.map((c) => c.column);
  return (slot) => columns.map((c) => slot.column(c));
}

/** A value equal for equal keys, for sets of rows already visited (stored keys are exact, so no collation folding). */
export function keyIdentity(key: RowKey): number | bigint | string {
  return typeof key === "object" ? rowKey(key, key.map(() => null)) : key;
}
