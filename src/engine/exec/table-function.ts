// Table-valued functions (json_each, json_tree, ...): functions used in FROM
// that produce rows. Hidden columns are the function's arguments, as in
// SQLite's eponymous virtual tables.
import type { SqlValue } from "../value/types.js";

export interface TableValuedFunction {
  name: string;
  /** Visible result columns. */
  columns: readonly string[];
  /** Hidden columns, bound to the arguments in order (e.g. json, root). */
  hiddenColumns: readonly string[];
  minArgs: number;
  maxArgs: number;
  /** Rows of visible columns followed by the hidden ones. */
  rows(args: readonly SqlValue[]): Iterable<SqlValue[]>;
}
