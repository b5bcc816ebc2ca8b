// Row slots: where compiled expressions read the current row of a FROM-clause
// source. A scan positions its slot on each row; column evaluators read
// through it. A slot with `nullRow` set is the NULL row of an outer join.
import type { SqlValue } from "../value/types.js";

export interface RowSlot {
  /** Set while the slot stands for the NULL-extended row of an outer join. */
  nullRow: boolean;
  column(i: number): SqlValue;
  rowid(): SqlValue;
  /** An evaluator of column `i` specialized to the slot, when it has one faster than column(i). */
  columnReader?(i: number): () => SqlValue;
}

/** A slot over rows held as arrays (subqueries, CTEs, VALUES, sorter output). */
export class ArrayRowSlot implements RowSlot {
  nullRow = false;
  row: readonly SqlValue[] = [];
  rowidValue: SqlValue = null;

  column(i: number): SqlValue {
    return this.nullRow ? null : (this.row[i] ?? null);
  }

  rowid(): SqlValue {
    return this.nullRow ? null : this.rowidValue;
  }
}
