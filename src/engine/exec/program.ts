// A compiled statement as the connection runs it.
import type { ConstraintResolution } from "../errors.js";
import type { SqlValue } from "../value/types.js";
import type { ResultColumnInfo } from "./select-types.js";

export interface StatementProgram {
  /** Result columns: a query's, or a RETURNING clause's; empty otherwise. */
  columns: ResultColumnInfo[];
  /** Whether running it needs the write transaction. */
  writes: boolean;
  /** Whether it changes the schema (the connection reloads the catalog after it). */
  changesSchema: boolean;
  /** INSERT, UPDATE and DELETE set changes() and total_changes(); other statements leave them. */
  countsChanges?: boolean;
  /**
   * OR FAIL / OR ROLLBACK: a constraint error keeps the changes the
   * statement made before it (FAIL), or rolls back the whole transaction
   * (ROLLBACK), instead of undoing the statement alone.
   */
  onConstraintError?: ConstraintResolution;
  /** Writes at most one row and checks every constraint before writing: it never fails half-way, so needs no statement undo. */
  singleRowWrite?: boolean;
  /** Runs it, pushing result rows to `emit` (which returns false to stop early). */
  run(emit: (row: SqlValue[]) => boolean): void;
}
