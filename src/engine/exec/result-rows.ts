// The last steps of a query that collects its rows before output: DISTINCT,
// then ORDER BY, then OFFSET and LIMIT. Shared by plain, aggregate and window
// queries (a plain query without ORDER BY streams instead).
import type { SqlValue } from "../value/types.js";
import { sortEntries, type SortEntry, type SortKeySpec } from "./sort.js";
import { rowKey, type KeyFold } from "./value-key.js";

/** An ORDER BY compiled over output rows: the sort specs and the keys of a row. */
export interface RowOrder {
  specs: SortKeySpec[];
  keys: (row: SqlValue[]) => SqlValue[];
}

export class ResultRows {
  private readonly seen: Set<string> | null;
  private readonly entries: SortEntry[] = [];
  private readonly rows: SqlValue[][] = [];

  /**
   * @param distinctFolds per-column key folding when the query is DISTINCT, else null
   * @param order the ORDER BY, or null to keep production order
   */
  constructor(
    private readonly distinctFolds: readonly KeyFold[] | null,
    private readonly order: RowOrder | null,
  ) {
    this.seen = distinctFolds ? new Set() : null;
  }

  /** Adds a row, unless DISTINCT has seen an equal one. Must be called while the row's source is current (ORDER BY keys). */
  add(row: SqlValue[]): void {
    if (this.seen) {
      const k = rowKey(row, this.distinctFolds as readonly KeyFold[]);
      if (this.seen.has(k)) return;
      this.seen.add(k);
    }
    if (this.order) this.entries.push({ keys: this.order.keys(row), row });
    else this.rows.push(row);
  }

  /** Sorts, then pushes rows offset .. offset+limit (limit < 0: all) to `emit` until it returns false. */
  emit(offset: number, limit: number, emit: (row: SqlValue[]) => boolean): void {
    let out = this.rows;
    if (this.order) {
      sortEntries(this.entries, this.order.specs);
      out = this.entries.map((e) => e.row);
    }
    const end = limit < 0 ? out.length : Math.min(out.length, offset + limit);
    for (let i = offset; i < end; i++) if (!emit(out[i])) return;
  }
}
