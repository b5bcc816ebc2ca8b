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
