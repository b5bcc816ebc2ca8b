// Row triggers: compiling the triggers on a table for one event into
// programs whose bodies see the row through NEW and OLD, and firing them
// around each row an INSERT, UPDATE or DELETE writes.
//
// Each trigger body runs with its own StatementRuntime, so its writes do not
// count in changes() and do not move last_insert_rowid, as in SQLite. With
// recursive_triggers off (the default) a trigger never fires itself, directly
// or through other triggers: triggers already on the compile stack are left
// out of the programs compiled for nested statements.
import { SqliteError } from "../errors.js";
import { Scope, type Source } from "../plan/scope.js";
import { foldName, type Table, type Trigger } from "../schema/schema.js";
import { truthValue } from "../value/arith.js";
import type { SqlValue } from "../value/types.js";
import { compileStatement } from "./compile.js";
import { PlanCollector, type CompileEnv } from "./compile-env.js";
import { RaiseSignal } from "./raise.js";
import { compileExpr, type Evaluator } from "./compile-expr.js";
import type { StatementProgram } from "./program.js";
import { constraintFailure } from "./row-constraints.js";
import { ArrayRowSlot } from "./row-slot.js";
import { StatementRuntime } from "./runtime.js";
import { subqueryProgram } from "./select.js";

export type TriggerEvent = "INSERT" | "UPDATE" | "DELETE";

/** The column layout NEW and OLD have: a table's columns, or a view's result columns. */
export interface TriggerRowShape {
  name: string;
  columns: { name: string; affinity: Source["columns"][number]["affinity"]; collation: string; declaredType: string | null }[];
  rowidAlias: number;
  /** False for a WITHOUT ROWID table: NEW.rowid and OLD.rowid do not exist. */
  hasRowid: boolean;
}

export function tableShape(table: Table): TriggerRowShape {
  return {
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, affinity: c.affinity, collation: c.collation, declaredType: c.declaredType || null })),
    rowidAlias: table.rowidAlias,
    hasRowid: !table.withoutRowid,
  };
}

interface CompiledTrigger {
  name: string;
  fire(): "done" | "ignore";
}

/** The triggers of one table and event, split by timing; fire() returns "ignore" when RAISE(IGNORE) asks to skip the row. */
export class TriggerPrograms {
  private readonly newSlot = new ArrayRowSlot();
  private readonly oldSlot = new ArrayRowSlot();
  readonly before: CompiledTrigger[] = [];
  readonly after: CompiledTrigger[] = [];
  readonly instead: CompiledTrigger[] = [];

  constructor(env: CompileEnv, shape: TriggerRowShape, event: TriggerEvent, updatedColumns: number[] | null) {
    const triggers = env.schema.triggersOn(shape.name).filter((t) => t.ast.event === event && !env.triggerStack.includes(foldName(t.name)));
    for (const trigger of triggers) {
      if (event === "UPDATE" && trigger.ast.updateOf && updatedColumns) {
        const listed = trigger.ast.updateOf.map((c) => foldName(c.name));
        if (!updatedColumns.some((i) => listed.includes(foldName(shape.columns[i].name)))) continue;
      }
      const compiled = compileTrigger(env, shape, trigger, this.newSlot, this.oldSlot);
      const timing = trigger.ast.timing ?? "BEFORE";
      (timing === "BEFORE" ? this.before : timing === "AFTER" ? this.after : this.instead).push(compiled);
    }
  }

  get empty(): boolean {
    return this.before.length + this.after.length + this.instead.length === 0;
  }

  /** Runs the given triggers for one row; "ignore" if one of them raised IGNORE. */
  fire(which: CompiledTrigger[], oldRow: readonly SqlValue[] | null, oldRowid: SqlValue, newRow: readonly SqlValue[] | null, newRowid: SqlValue): "done" | "ignore" {
    if (which.length === 0) return "done";
    this.oldSlot.row = oldRow ?? [];
    this.oldSlot.rowidValue = oldRowid;
    this.oldSlot.nullRow = oldRow === null;
    this.newSlot.row = newRow ?? [];
    this.newSlot.rowidValue = newRowid;
    this.newSlot.nullRow = newRow === null;
    for (const t of which) if (t.fire() === "ignore") return "ignore";
    return "done";
  }
}

/** Compiles a trigger's WHEN and body, reading NEW and OLD from the given slots (compiling alone checks that it resolves). */
export function compileTrigger(env: CompileEnv, shape: TriggerRowShape, trigger: Trigger, newSlot: ArrayRowSlot, oldSlot: ArrayRowSlot): CompiledTrigger {
  const runtime = new StatementRuntime(env.runtime.functions, env.runtime.budget, true, env.runtime.rows);
  const source = (name: string, slot: ArrayRowSlot): Source => ({
    name,
    columns: shape.columns.map((c) => ({ ...c, originTable: shape.name, originColumn: c.name, hidden: false })),
    slot,
    hasRowid: shape.hasRowid,
    rowidAlias: shape.rowidAlias,
    usingHidden: new Set(),
    usedColumns: new Set(),
  });
  const rows = new Scope([source("new", newSlot), source("old", oldSlot)], null);
  const triggerEnv: CompileEnv = {
    ...env,
    source: trigger.sql,
    runtime,
    ctes: null,
    outer: rows,
    plan: new PlanCollector(),
    subqueries: { count: 0 },
    triggerStack: [...env.triggerStack, foldName(trigger.name)],
  };
  const when: Evaluator | null = trigger.ast.when
    ? compileExpr(trigger.ast.when, {
        scope: rows,
        runtime,
        source: trigger.sql,
        lookupFunction: env.lookupFunction,
        compileSubquery: (select, s) => subqueryProgram(select, triggerEnv, s),
      })
    : null;
  const body: StatementProgram[] = trigger.ast.body.map((stmt) => compileStatement(stmt, triggerEnv));
  return {
    name: trigger.name,
    fire: () => {
      runtime.executionId++;
      if (when && truthValue(when()) !== true) return "done";
      try {
        for (const program of body) program.run(() => true);
      } catch (e) {
        if (!(e instanceof RaiseSignal)) throw e;
        if (e.action === "IGNORE") return "ignore";
        throw constraintFailure(new SqliteError(e.text, "SQLITE_CONSTRAINT_TRIGGER"), e.action);
      }
      return "done";
    },
  };
}
