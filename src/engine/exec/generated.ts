// Generated column values: compiles a table's generated expressions (in the
// order SQLite computes them) against a row slot, computes them into a row
// with the column's affinity, and gives table row slots the evaluators of
// their VIRTUAL columns, which are computed on read since records omit them.
import { SqliteError } from "../errors.js";
import { generatedOrder, hasVirtualColumns } from "../plan/generated-columns.js";
import { Scope, type Source } from "../plan/scope.js";
import { forEachChild } from "../plan/terms.js";
import type { Table } from "../schema/schema.js";
import type { Expr } from "../sql/ast.js";
import { applyAffinity, strictValue } from "../value/affinity.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import type { FunctionContext, ScalarFunction } from "../func/types.js";
import { compileExpr, type Evaluator, type ExprContext, type FunctionLookup } from "./compile-expr.js";
import { tableSourceColumns } from "./from.js";
import type { RowSlot } from "./row-slot.js";
import type { TableRowSlot } from "./table-slot.js";

/** One generated column's compiled expression. */
export interface GeneratedValue {
  column: number;
  eval: Evaluator;
}

/**
 * Compiles every generated column of the table (or only the VIRTUAL ones) in
 * computation order. Raises SQLite's errors for expressions it refuses:
 * unknown columns, aggregates, non-deterministic functions.
 */
export function compileGenerated(table: Table, ctx: ExprContext, only: "all" | "virtual" = "all"): GeneratedValue[] {
  const timeless: ExprContext = { ...ctx, lookupFunction: (name, nArgs) => withoutCurrentTime(ctx.lookupFunction(name, nArgs)) };
  return generatedOrder(table)
    .filter((i) => only === "all" || !table.columns[i].generated?.stored)
    .map((i) => {
      const expr = (table.columns[i].generated as { expr: Expr }).expr;
      checkDeterministic(expr, ctx);
      return { column: i, eval: compileExpr(expr, timeless) };
    });
}

/**
 * A scalar function whose 'now' is refused: date and time functions are
 * deterministic except when they read the current time, which SQLite
 * refuses when a generated value is computed.
 */
function withoutCurrentTime(found: FunctionLookup): FunctionLookup {
  if (typeof found !== "object" || found.kind !== "scalar") return found;
  const fn: ScalarFunction = found;
  const contexts = new WeakMap<FunctionContext, FunctionContext>();
  return {
    ...fn,
    call(args, base) {
      let ctx = contexts.get(base);
      if (!ctx) {
        ctx = Object.assign(Object.create(base) as FunctionContext, {
          statementTime: (): number => {
            throw new SqliteError(`non-deterministic use of ${fn.name}() in a generated column`);
          },
        });
        contexts.set(base, ctx);
      }
      return fn.call(args, ctx);
    },
  };
}

function checkDeterministic(expr: Expr, ctx: ExprContext): void {
  const visit = (e: Expr): void => {
    if (e.kind === "FunctionCall") {
      const fn = ctx.lookupFunction(e.name.name.toLowerCase(), e.args.length);
      if (typeof fn === "object" && fn.kind === "scalar" && !fn.deterministic) throw new SqliteError("non-deterministic functions prohibited in generated columns");
    }
    forEachChild(e, visit);
  };
  visit(expr);
}

/** The value a generated column holds: its expression's result under the column's type. */
export function generatedValue(table: Table, column: number, v: SqlValue): SqlValue {
  const c = table.columns[column];
  return c.strictType ? strictValue(v, c.strictType, table.name, c.name) : applyAffinity(v, c.affinity);
}

/**
 * Computes the generated columns into `values`, reading the row through the
 * slot the evaluators were compiled against (the caller points it at `values`).
 */
export function computeGenerated(table: Table, generated: readonly GeneratedValue[], values: SqlValue[]): void {
  for (const g of generated) values[g.column] = generatedValue(table, g.column, g.eval());
}

/**
 * Gives a table's row slot the evaluators of its VIRTUAL columns, compiled
 * against the slot itself under the table's own name (generated expressions
 * name the table's columns, whatever alias the query uses).
 */
export function bindVirtualColumns(slot: TableRowSlot, table: Table, env: CompileEnv): void {
  if (!hasVirtualColumns(table)) return;
  const source: Source = {
    name: table.name,
    columns: tableSourceColumns(table),
    slot: slot as RowSlot,
    hasRowid: false,
    rowidAlias: table.rowidAlias,
    usingHidden: new Set(),
    usedColumns: new Set(),
  };
  const ctx: ExprContext = {
    scope: new Scope([source], null),
    runtime: env.runtime,
    source: table.sql,
    lookupFunction: env.lookupFunction,
    compileSubquery: () => {
      throw new SqliteError("subqueries prohibited in generated columns");
    },
  };
  const evaluators: (Evaluator | null)[] = table.columns.map(() => null);
  for (const g of compileGenerated(table, ctx, "virtual")) {
    const e = g.eval;
    const column = g.column;
    evaluators[column] = () => generatedValue(table, column, e());
  }
  slot.setVirtualColumns(evaluators);
}
