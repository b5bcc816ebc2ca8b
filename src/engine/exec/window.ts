// Window functions (calls with OVER) in a SELECT core: the rows of the core
// (join rows, or groups after HAVING for aggregate queries) are materialized
// with every window's partition/order keys and every call's arguments; each
// window then sorts the rows, splits them into partitions and peer
// groups and computes its calls; finally the result columns, DISTINCT,
// ORDER BY and LIMIT are applied as in any other core.
//
// Output order without ORDER BY follows SQLite: calls are grouped into passes
// (see groupIntoPasses), processed from the last pass to the first, each
// stably re-sorting the rows, so the rows come out in the first window's
// partition/order sequence and ties keep the order the previous pass left.
import { SqliteError } from "../errors.js";
import type { AggregateFunction, FunctionContext, WindowFunction } from "../func/types.js";
import { Scope, type Source } from "../plan/scope.js";
import { forEachChild } from "../plan/terms.js";
import type { Expr, FunctionCall, SelectCore } from "../sql/ast.js";
import { minMaxAggregate } from "../func/aggregate.js";
import { JSON_SUBTYPE_AGGREGATES } from "../func/json.js";
import { JSON_SUBTYPE } from "../func/json-value.js";
import { binaryCollation } from "../value/collation.js";
import { truthValue } from "../value/arith.js";
import type { SqlValue } from "../value/types.js";
import { compileGroupRows, containsAggregate } from "./aggregate.js";
import { collationByName, exprCollation } from "../plan/expr-type.js";
import { compileExpr, registerCallSite, subtypeContext, type Evaluator, type ExprContext } from "./compile-expr.js";
import type { RowSlot } from "./row-slot.js";
import { columnInfo, compileOrderBy, type CoreParts } from "./select.js";
import type { QueryProgram } from "./select-types.js";
import { ResultRows } from "./result-rows.js";
import { compareKeys, sortKeySpec } from "./sort.js";
import { foldFor } from "./value-key.js";
import { WindowResolver, type ResolvedWindow } from "./window-def.js";
import { evaluatePass, type WindowCallSpec, type WindowPassSpec } from "./window-pass.js";

/** The rows windows run over, numbered 0..n-1 in the order they are read. */
interface WindowInput {
  scope: Scope;
  /** Compiles expressions over the current input row (aggregate calls allowed for groups). */
  ctx: ExprContext;
  /** Reads every row, each one current in `ctx` while `visit` runs; returns the row count. */
  read(visit: () => void): number;
  /** Makes row `r` of the last read current again. */
  position(r: number): void;
}

/** A compiled window call waiting to be put into a pass, with the context its window's keys compile in. */
interface PendingCall {
  spec: WindowCallSpec;
  window: ResolvedWindow;
  ctx: ExprContext;
}

export function compileWindowQuery(core: SelectCore, parts: CoreParts, aggregate: boolean): QueryProgram {
  const { env, projections } = parts;
  const resolver = new WindowResolver(core.windows, env.source);
  // An aggregate inside a window's PARTITION BY or ORDER BY makes the whole query an aggregate, as in SQLite.
  const grouped = aggregate || windowDefsUseAggregates(core, parts);
  const input: WindowInput = grouped ? groupInput(core, parts) : rowInput(parts);
  // Result-column aliases are visible inside windows of the ORDER BY clause only (as in SQLite).
  let argCtx: ExprContext = { ...input.ctx, resolveAlias: undefined };
  const fctx: FunctionContext = env.runtime.functions;
  const runtime = env.runtime;
  const tick = (): void => runtime.tick();

  const calls: PendingCall[] = [];
  let currentRow = 0;

  const windowCall = (call: FunctionCall): Evaluator => {
    const name = call.name.name;
    const found = argCtx.lookupFunction(name, call.star ? 0 : call.args.length);
    if (found === undefined) throw new SqliteError(`no such function: ${name}`);
    if (found === "wrong-arity") throw new SqliteError(`wrong number of arguments to function ${name}()`);
    if (found.kind === "scalar") throw new SqliteError(`${name}() may not be used as a window function`);
    if (call.distinct) throw new SqliteError("DISTINCT is not supported for window functions");
    if (call.filter && found.kind === "window") throw new SqliteError("FILTER clause may only be used with aggregate window functions");
    const extreme = extremeOf(found, call, input.scope);
    const args = call.args.map((a) => compileExpr(a, argCtx));
    const spec: WindowCallSpec = {
      fn: extreme && extreme.collation !== binaryCollation ? minMaxAggregate(extreme.max ? "max" : "min", extreme.collation) : found,
      fctx: subtypeContext(fctx, args, { subtype: 0 }),
      extreme,
      args,
      filter: call.filter ? compileExpr(call.filter, argCtx) : null,
      argValues: [],
      filterValues: [],
      results: [],
    };
    calls.push({ spec, window: resolver.resolve(call, found.name), ctx: argCtx });
    // JSON aggregates produce JSON: their results carry the JSON subtype into enclosing calls.
    return registerCallSite(() => spec.results[currentRow], { subtype: JSON_SUBTYPE_AGGREGATES.has(found.name) ? JSON_SUBTYPE : 0 });
  };

  const outCtx: ExprContext = {
    ...input.ctx,
    aggregateCall: (call, fn) => {
      if (call.over !== null) return windowCall(call);
      if (input.ctx.aggregateCall) return input.ctx.aggregateCall(call, fn);
      throw new SqliteError(fn === undefined ? `wrong number of arguments to function ${call.name.name}()` : `misuse of window function ${call.name.name}()`);
    },
  };
  const columns = projections.map((p) => columnInfo(p, input.scope));
  const outEvals = projections.map((p) => compileExpr(p.expr, outCtx));
  argCtx = input.ctx;
  const sort = compileOrderBy(parts.orderBy, projections, outCtx, input.scope);
  if (sort) env.plan.add("USE TEMP B-TREE FOR ORDER BY");
  const width = outEvals.length;
  const outFolds = columns.map((c) => foldFor(c.collation));
  // Processed last-to-first so that the first window's sort decides the final row order.
  const passList = groupIntoPasses(calls, input.scope).reverse();
  const specs = calls.map((c) => c.spec);

  return {
    columns,
    get correlated() {
      return parts.scope.correlated || input.scope.correlated;
    },
    run(emit) {
      const { limit, offset } = parts.limits();
      if (limit === 0) return;
      for (const pass of passList) pass.rowKeys = [];
      for (const c of specs) {
        c.argValues = [];
        c.filterValues = c.filter ? [] : null;
      }
      const n = input.read(() => {
        for (const pass of passList) pass.rowKeys.push(evaluateAll(pass.keys));
        for (const c of specs) {
          c.argValues.push(evaluateAll(c.args));
          c.filterValues?.push(truthValue((c.filter as Evaluator)()) === true);
        }
      });
      let order: number[] = Array.from({ length: n }, (_, i) => i);
      for (const pass of passList) {
        const keys = pass.rowKeys;
        const keySpecs = pass.keySpecs;
        if (keySpecs.length > 0) order = order.slice().sort((x, y) => compareKeys(keys[x], keys[y], keySpecs));
        evaluatePass(pass, order, tick);
      }
      const result = new ResultRows(parts.distinct ? outFolds : null, sort);
      for (const r of order) {
        input.position(r);
        currentRow = r;
        const row: SqlValue[] = new Array(width);
        for (let i = 0; i < width; i++) row[i] = outEvals[i]();
        result.add(row);
      }
      result.emit(offset, limit, emit);
    },
  };
}

/** For min()/max() of one argument: direction and the argument's collation (e.g. a NOCASE column), which they compare by, as in SQLite. */
function extremeOf(fn: AggregateFunction | WindowFunction, call: FunctionCall, scope: Scope): WindowCallSpec["extreme"] {
  if (fn.kind !== "aggregate" || (fn.name !== "min" && fn.name !== "max") || call.args.length !== 1) return null;
  return { max: fn.name === "max", collation: collationByName(exprCollation(call.args[0], scope)?.name ?? "BINARY") };
}

/**
 * SQLite's passes: the first window still waiting takes every call over an
 * equal window, then the next one waiting, and so on. The calls' frames as
 * SQLite fixes them for ranking functions count in the comparison.
 */
function groupIntoPasses(calls: readonly PendingCall[], scope: Scope): WindowPassSpec[] {
  const passes: WindowPassSpec[] = [];
  let waiting = calls;
  while (waiting.length > 0) {
    const { window: w, ctx } = waiting[0];
    const orderSpecs = w.orderBy.map((o) => sortKeySpec(collationByName(exprCollation(o.expr, scope)?.name ?? "BINARY"), o.direction === "DESC", o.nulls));
    const partitionSpecs = w.partitionBy.map((e) => sortKeySpec(collationByName(exprCollation(e, scope)?.name ?? "BINARY"), false, null));
    const offsetCtx: ExprContext = { ...ctx, scope: new Scope([], null), aggregateCall: undefined };
    const offset = (e: Expr | null): Evaluator | null => (e === null ? null : isConstant(e) ? compileExpr(e, offsetCtx) : () => null);
    passes.push({
      window: w,
      keys: [...w.partitionBy.map((e) => compileExpr(e, ctx)), ...w.orderBy.map((o) => compileExpr(o.expr, ctx))],
      partitionSpecs,
      keySpecs: [...partitionSpecs, ...orderSpecs],
      startOffset: offset(w.frame.start.offset),
      endOffset: offset(w.frame.end.offset),
      calls: waiting.filter((c) => c.window.key === w.key).map((c) => c.spec),
      rowKeys: [],
    });
    waiting = waiting.filter((c) => c.window.key !== w.key);
  }
  return passes;
}

function evaluateAll(evals: readonly Evaluator[]): SqlValue[] {
  const values: SqlValue[] = new Array(evals.length);
  for (let i = 0; i < evals.length; i++) values[i] = evals[i]();
  return values;
}

/** Groups after HAVING, for queries that aggregate. */
function groupInput(core: SelectCore, parts: CoreParts): WindowInput {
  const groups = compileGroupRows(core, parts);
  let positions: (() => void)[] = [];
  return {
    scope: groups.scope,
    ctx: groups.ctx,
    read(visit) {
      positions = [];
      groups.forEachGroup((makeCurrent) => {
        positions.push(makeCurrent);
        visit();
      });
      return positions.length;
    },
    position: (r) => positions[r](),
  };
}

/** A shadow source's slot over captured rows: one vector per column some expression reads. */
class CapturedRowSlot implements RowSlot {
  nullRow = false;
  current = 0;
  columns: SqlValue[][] = [];
  rowids: SqlValue[] = [];
  column(i: number): SqlValue {
    return this.columns[i][this.current] ?? null;
  }
  rowid(): SqlValue {
    return this.rowids[this.current] ?? null;
  }
}

/**
 * Join rows, captured: expressions are compiled against shadow sources whose
 * slots read the captured columns (only those some expression reads), so a
 * row can become current again after the scan has moved on.
 */
function rowInput(parts: CoreParts): WindowInput {
  const real = parts.scope.sources;
  const slots = real.map(() => new CapturedRowSlot());
  // Shadows share the real sources' used-column sets (see aggregate.ts).
  const shadows: Source[] = real.map((s, i) => ({ ...s, slot: slots[i] }));
  const scope = new Scope(shadows, parts.scope.outer);
  const position = (r: number): void => {
    for (const slot of slots) slot.current = r;
  };
  return {
    scope,
    ctx: { ...parts.ctx, scope },
    read(visit) {
      const used = shadows.map((s) => [...s.usedColumns].filter((c) => c >= 0));
      const usesRowid = shadows.map((s) => s.usedColumns.has(-1));
      for (let s = 0; s < slots.length; s++) {
        slots[s].columns = [];
        for (const c of used[s]) slots[s].columns[c] = [];
        slots[s].rowids = [];
      }
      let n = 0;
      parts.loops(() => {
        for (let s = 0; s < real.length; s++) {
          const from = real[s].slot;
          const slot = slots[s];
          for (const c of used[s]) slot.columns[c].push(from.column(c));
          if (usesRowid[s]) slot.rowids.push(from.rowid());
        }
        position(n++);
        visit();
        return true;
      });
      return n;
    },
    position,
  };
}

function windowDefsUseAggregates(core: SelectCore, parts: CoreParts): boolean {
  const { env, scope } = parts;
  const defUses = (partitionBy: Expr[], orderBy: { expr: Expr }[]): boolean => partitionBy.some((e) => containsAggregate(e, env, scope)) || orderBy.some((o) => containsAggregate(o.expr, env, scope));
  if (core.windows.some((w) => defUses(w.window.partitionBy, w.window.orderBy))) return true;
  let found = false;
  const visit = (e: Expr): void => {
    if (found) return;
    if (e.kind === "FunctionCall" && e.over !== null && e.over.kind === "WindowDef" && defUses(e.over.partitionBy, e.over.orderBy)) found = true;
    else forEachChild(e, visit);
  };
  for (const p of parts.projections) visit(p.expr);
  for (const o of parts.orderBy) visit(o.expr);
  return found;
}

/** Offsets must be constant: anything reading a column or a subquery counts as NULL (an error at run time), as in SQLite. */
function isConstant(e: Expr): boolean {
  let constant = true;
  const visit = (x: Expr): void => {
    if (!constant) return;
    if (x.kind === "ColumnRef" || x.kind === "SubqueryExpr" || x.kind === "ExistsExpr" || x.kind === "InSelectExpr" || x.kind === "InTableExpr") constant = false;
    else forEachChild(x, visit);
  };
  visit(e);
  return constant;
}
