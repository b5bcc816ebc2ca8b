// Per-execution state shared by every closure of one compiled statement: the
// bound parameters, the connection's function context, change counters, and
// the execution budget that makes long statements interruptible, and the
// counts of rows read and written.
import { SqliteError } from "../errors.js";
import type { FunctionContext } from "../func/types.js";
import type { SqlValue } from "../value/types.js";

/** How many steps pass between checks of the clock and the interrupt flag. */
const CHECK_INTERVAL = 1024;

/**
 * Limits on one statement's run (shared with the triggers it fires): a step
 * budget, a wall-clock deadline and an interrupt flag. Loops call tick() once
 * per row; exceeding a limit stops the statement with SQLITE_INTERRUPT, and
 * the connection rolls its effects back.
 */
export class ExecutionBudget {
  private steps = 0;
  private nextCheck = CHECK_INTERVAL;
  private maxSteps = Number.POSITIVE_INFINITY;
  private deadline = Number.POSITIVE_INFINITY;
  /** Set by Database.interrupt(): the running statement stops at its next check. */
  interrupted = false;

  /** Starts a new statement run with the given limits (Infinity: none). */
  start(maxSteps: number, timeoutMs: number): void {
    this.steps = 0;
    this.interrupted = false;
    this.maxSteps = maxSteps;
    this.deadline = Number.isFinite(timeoutMs) ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    this.nextCheck = Math.min(CHECK_INTERVAL, maxSteps);
  }

  tick(): void {
    if (++this.steps > this.nextCheck) this.check();
  }

  private check(): void {
    if (this.interrupted || this.steps > this.maxSteps || Date.now() > this.deadline) {
      throw new SqliteError("interrupted", "SQLITE_INTERRUPT");
    }
    this.nextCheck = Math.min(this.steps + CHECK_INTERVAL, this.maxSteps);
  }
}

/**
 * Rows a statement run touched in storage, counted as libSQL reports them
 * (its rows_read / rows_written, the units edge databases bill): every row a
 * table or index cursor visits while scanning or looking up a FROM source is
 * read (before filters; a table read whole for hash lookups counts every
 * row), and every table row inserted, updated or deleted is written. Shared
 * by a statement and the trigger bodies it fires, whose rows count too.
 */
export class RowCounts {
  read = 0;
  written = 0;

  reset(): void {
    this.read = 0;
    this.written = 0;
  }
}

export class StatementRuntime {
  /** Bound parameters by 1-based index (index 0 unused). */
  params: SqlValue[] = [];
  /** Increases with every execution, so results cached per execution (uncorrelated subqueries) know when to recompute. */
  executionId = 0;
  /** Rows changed by the running INSERT/UPDATE/DELETE (its `changes()` once done). */
  changes = 0;
  /** Rowid of the last row the running statement inserted, if any. */
  lastInsertRowid: number | bigint | null = null;

  /**
   * @param budget shared by a statement and the trigger bodies it runs
   * @param inTrigger whether this runs a trigger body (where RAISE() is allowed)
   * @param rows shared, like the budget, with the trigger bodies a statement runs
   */
  constructor(
    readonly functions: FunctionContext,
    readonly budget: ExecutionBudget = new ExecutionBudget(),
    readonly inTrigger = false,
    readonly rows: RowCounts = new RowCounts(),
  ) {}

  /** Called once per loop iteration. */
  tick(): void {
    this.budget.tick();
  }
}
