// The compiled form of a query, as the rest of the executor sees it.
import type { Affinity } from "../value/affinity.js";
import type { SqlValue } from "../value/types.js";

/** Metadata of one result column (what `columns()` and Hrana's `cols` report). */
export interface ResultColumnInfo {
  name: string;
  /** Declared type of the column it comes from, or null for expressions. */
  declaredType: string | null;
  /** Origin table and column, when the result is a plain column reference. */
  table: string | null;
  column: string | null;
  affinity: Affinity;
  collation: string;
}

export interface QueryProgram {
  columns: ResultColumnInfo[];
  /** True when the query reads rows of an enclosing query (must re-run for each of them). */
  correlated: boolean;
  /** Pushes each result row to `emit` (a fresh array each time); stops when `emit` returns false. */
  run(emit: (row: SqlValue[]) => boolean): void;
}
