// The contract between built-in (and user) functions and the executor:
// scalar functions map argument values to a value; aggregate functions fold
// rows into per-group state and can also serve as window functions.
import type { SqlValue } from "../value/types.js";

/** What a function may ask of the connection that calls it. */
export interface FunctionContext {
  /** Rows changed by the most recent INSERT/UPDATE/DELETE (`changes()`). */
  changes(): number;
  /** Rows changed since the connection opened (`total_changes()`). */
  totalChanges(): number;
  /** Rowid of the most recent successful INSERT (`last_insert_rowid()`). */
  lastInsertRowid(): number | bigint;
  /** Current time in milliseconds since the Unix epoch, fixed for the duration of one statement ('now'). */
  statementTime(): number;
  /** Fills `bytes` with random bytes (`random()`, `randomblob()`). */
  randomBytes(bytes: Uint8Array): void;
  /** Whether LIKE is case-sensitive (`PRAGMA case_sensitive_like`). */
  caseSensitiveLike(): boolean;
  /** Column names of a table in the current schema, undefined when there is none (absent where there is no catalog). */
  tableColumns?(table: string): string[] | undefined;
}

export interface ScalarFunction {
  kind: "scalar";
  name: string;
  /** Number of arguments, or -1 for any number. */
  nArgs: number;
  /** Same arguments give the same result within one statement (usable in indexes, CHECK, generated columns). */
  deterministic: boolean;
  call(args: readonly SqlValue[], ctx: FunctionContext): SqlValue;
}

/**
 * An aggregate: `step` once per row of a group (or window frame), `result`
 * at the end. Aggregates with `inverse` can remove rows from the front of a
 * sliding window frame; `value` reads the current result without ending it.
 */
export interface AggregateFunction<State = unknown> {
  kind: "aggregate";
  name: string;
  nArgs: number;
  init(): State;
  step(state: State, args: readonly SqlValue[], ctx: FunctionContext): State;
  inverse?(state: State, args: readonly SqlValue[], ctx: FunctionContext): State;
  value(state: State): SqlValue;
  result(state: State): SqlValue;
}

export type SqlFunction = ScalarFunction | AggregateFunction;

/**
 * What a window function sees for the current row. The executor sorts each
 * partition by the window's ORDER BY (rows are numbered 0..partitionSize-1 in
 * that order), works out the frame and the peer group of every row, and
 * calls `compute` once per row. Frame and peer bounds are half-open ranges of
 * row indexes.
 */
export interface WindowRowView {
  /** Number of rows in the partition. */
  readonly partitionSize: number;
  /** Index of the current row in the partition. */
  readonly row: number;
  /** The current row's frame: rows frameStart .. frameEnd-1 (empty when frameStart >= frameEnd). */
  readonly frameStart: number;
  readonly frameEnd: number;
  /** The current row's peers (rows equal to it under ORDER BY; all rows when there is no ORDER BY). */
  readonly peerStart: number;
  readonly peerEnd: number;
  /** How many peer groups precede the current row's group (dense_rank() - 1). */
  readonly peerGroupIndex: number;
  /** The function's argument values evaluated at partition row i. */
  argsAt(i: number): readonly SqlValue[];
}

/**
 * A window-only function (row_number, rank, dense_rank, percent_rank,
 * cume_dist, ntile, lag, lead, first_value, last_value, nth_value).
 * Aggregates used as window functions are AggregateFunctions driven with
 * step/inverse/value instead. `compute` may throw SqliteError for bad
 * arguments (e.g. a non-positive ntile count).
 */
export interface WindowFunction {
  kind: "window";
  name: string;
  nArgs: number;
  compute(view: WindowRowView): SqlValue;
}

/** Anything the built-in function registry can return. */
export type BuiltinFunction = SqlFunction | WindowFunction;
