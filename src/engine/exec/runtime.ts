// Per-execution state shared by every closure of one compiled statement: the
// bound parameters, the connection's function context, and the step budget
// that makes long statements interruptible.
import { SqliteError } from "../errors.js";
import type { FunctionContext } from "../func/types.js";
import type { SqlValue } from "../value/types.js";

export class StatementRuntime {
  /** Bound parameters by 1-based index (index 0 unused). */
  params: SqlValue[] = [];
  /** Steps left before the statement is interrupted; decremented by loops. */
  stepsLeft = Number.POSITIVE_INFINITY;
  /** Set by Database.interrupt(); checked together with the budget. */
  interrupted = false;
  /** Increases with every execution, so results cached per execution (uncorrelated subqueries) know when to recompute. */
  executionId = 0;
  /** Rows changed by the running INSERT/UPDATE/DELETE (its `changes()` once done). */
  changes = 0;
  /** Rowid of the last row the running statement inserted, if any. */
  lastInsertRowid: number | bigint | null = null;

  /** @param inTrigger whether this runs a trigger body (where RAISE() is allowed) */
  constructor(
    readonly functions: FunctionContext,
    readonly inTrigger = false,
  ) {}

  /** Called once per loop iteration: enforces interrupts and the step budget. */
  tick(): void {
    if (--this.stepsLeft < 0 || this.interrupted) throw new SqliteError("interrupted", "SQLITE_INTERRUPT");
  }
}
