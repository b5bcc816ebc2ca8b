// Aggregate queries: GROUP BY / HAVING and aggregate functions (with
// DISTINCT, FILTER and ORDER BY inside the call).
//
// Rows from the join loops are folded into groups. Output expressions are
// compiled against "shadow" sources whose slots read values captured from
// each group's representative row, so bare columns work as in SQLite: with
// exactly one min() or max() they come from the row holding the extreme
// value, otherwise from the group's first row. Groups are output in GROUP BY
// key order, as SQLite's sorter produces them.
import { SqliteError } from "../errors.js";
import type { AggregateFunction, BuiltinFunction, FunctionContext } from "../func/types.js";
import { Scope, type Source } from "../plan/scope.js";
import { forEachChild } from "../plan/terms.js";
import type { Expr, FunctionCall, SelectCore } from "../sql/ast.js";
import { truthValue } from "../value/arith.js";
import { IntegralReal, type SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import { collationByName, exprCollation } from "../plan/expr-type.js";
import { compileExpr, outerAggregateOwner, registerCallSite, subtypeContext, type Evaluator, type ExprContext } from "./compile-expr.js";
import { minMaxAggregate } from "../func/aggregate.js";
import { JSON_SUBTYPE_AGGREGATES } from "../func/json.js";
import { JSON_SUBTYPE } from "../func/json-value.js";
import type { RowSlot } from "./row-slot.js";
import { columnInfo, compileOrderBy, type CoreParts } from "./select.js";
import type { QueryProgram } from "./select-types.js";
import { ResultRows } from "./result-rows.js";
import { compareKeys, sortEntries, sortKeySpec, type SortEntry, type SortKeySpec } from "./sort.js";
import { foldFor, rowKey, valueKey, type KeyFold } from "./value-key.js";

/** Whether the call names an aggregate function (with an arity it takes). */
export function isAggregateCall(call: FunctionCall, env: CompileEnv): boolean {
  const f = env.lookupFunction(call.name.name, call.star ? 0 : call.args.length);
  return f !== undefined && f !== "wrong-arity" && f.kind === "aggregate";
}

/**
 * Whether an expression calls an aggregate function of the query whose
 * names resolve in `scope` (not looking inside subqueries; a call reading
 * only enclosing queries' columns belongs to one of them).
 */
export function containsAggregate(e: Expr, env: CompileEnv, scope: Scope): boolean {
  let found = false;
  const visit = (x: Expr): void => {
    if (found) return;
    if (x.kind === "FunctionCall" && x.over === null && isAggregateCall(x, env) && outerAggregateOwner(x, scope) === null) {
      found = true;
      return;
    }
    forEachChild(x, visit);
  };
  visit(e);
  return found;
}

/**
 * Aggregate calls in a WHERE clause, with SQLite's errors: none is allowed
 * in a query that is not an aggregate; in one that is, only calls that
 * belong to an enclosing query (`WHERE b > max(outer.a)`).
 */
export function checkWhereAggregates(where: Expr, scope: Scope, aggregateQuery: boolean, env: CompileEnv): void {
  const visit = (x: Expr): void => {
    if (x.kind === "FunctionCall" && x.over === null && isAggregateCall(x, env)) {
      if (!aggregateQuery) throw new SqliteError(`misuse of aggregate function ${x.name.name}()`);
      if (outerAggregateOwner(x, scope) === null) throw new SqliteError(`misuse of aggregate: ${x.name.name}()`);
    }
    forEachChild(x, visit);
  };
  visit(where);
}

/** Whether an expression calls a function with OVER (a window function). */
export function containsWindow(e: Expr): boolean {
  let found = false;
  const visit = (x: Expr): void => {
    if (found) return;
    if (x.kind === "FunctionCall" && x.over !== null) found = true;
    else forEachChild(x, visit);
  };
  visit(e);
  return found;
}

/** A slot over the values captured for the group being output. */
class GroupRowSlot implements RowSlot {
  nullRow = false;
  values: SqlValue[] = [];
  rowidValue: SqlValue = null;
  column(i: number): SqlValue {
    return this.values[i] ?? null;
  }
  rowid(): SqlValue {
    return this.rowidValue;
  }
}

interface AggregateSpec {
  fn: AggregateFunction;
  args: Evaluator[];
  argv: SqlValue[];
  distinct: boolean;
  filter: Evaluator | null;
  /** ORDER BY inside the call: arguments are collected and sorted before stepping. */
  order: { keys: Evaluator[]; specs: SortKeySpec[] } | null;
  /** Function context that knows the arguments' subtypes (JSON values stay JSON). */
  fctx: FunctionContext;
}

interface Group {
  key: SqlValue[];
  states: unknown[];
  seen: (Set<string> | null)[];
  ordered: (SortEntry[] | null)[];
  /** Captured columns per source (index -1 = rowid stored separately). */
  captured: SqlValue[][];
  rowids: SqlValue[];
  results: SqlValue[];
}

/**
 * A grouped query up to HAVING, shared by the plain aggregate output below
 * and the window phase (window.ts) of grouped queries with OVER clauses.
 * Expressions compiled through `ctx` (aggregate calls allowed) read the group
 * being visited.
 */
export interface GroupRows {
  scope: Scope;
  ctx: ExprContext;
  /**
   * Runs FROM/WHERE/GROUP BY and visits each group that passes HAVING, in
   * GROUP BY key order; `makeCurrent` positions `ctx` on that group again.
   */
  forEachGroup(visit: (makeCurrent: () => void) => void): void;
}

export function compileAggregateQuery(core: SelectCore, parts: CoreParts): QueryProgram {
  const groups = compileGroupRows(core, parts);
  const { scope: outScope, ctx: outCtx } = groups;
  const { env, scope, projections } = parts;
  const columns = projections.map((p) => columnInfo(p, outScope));
  const outEvals = projections.map((p) => compileExpr(p.expr, outCtx));
  const sort = compileOrderBy(parts.orderBy, projections, outCtx, outScope);
  if (sort) env.plan.add("USE TEMP B-TREE FOR ORDER BY");
  const width = outEvals.length;
  const outFolds = columns.map((c) => foldFor(c.collation));
  return {
    columns,
    get correlated() {
      return scope.correlated || outScope.correlated;
    },
    run(emit) {
      const { limit, offset } = parts.limits();
      if (limit === 0) return;
      const result = new ResultRows(parts.distinct ? outFolds : null, sort);
      groups.forEachGroup(() => {
        const row: SqlValue[] = new Array(width);
        for (let i = 0; i < width; i++) row[i] = outEvals[i]();
        result.add(row);
      });
      result.emit(offset, limit, emit);
    },
  };
}

export function compileGroupRows(core: SelectCore, parts: CoreParts): GroupRows {
  const { env, scope, ctx: rowCtx, projections } = parts;
  const fctx: FunctionContext = env.runtime.functions;

  const shadowSlots = scope.sources.map(() => new GroupRowSlot());
  // Shadows share the real sources' used-column sets: a column read in the output counts as read by the scan (covering indexes).
  const shadows: Source[] = scope.sources.map((s, i) => ({ ...s, slot: shadowSlots[i] }));
  const outScope = new Scope(shadows, scope.outer);

  const specs: AggregateSpec[] = [];
  let current: Group | null = null;
  const aggregateCall = (call: FunctionCall, fn: BuiltinFunction | undefined): Evaluator => {
    if (call.over !== null) throw new SqliteError(`misuse of window function ${call.name.name}()`);
    if (!fn || fn.kind !== "aggregate") {
      throw new SqliteError(fn === undefined ? `wrong number of arguments to function ${call.name.name}()` : `misuse of window function ${call.name.name}()`);
    }
    if (call.distinct && call.args.length !== 1) throw new SqliteError("DISTINCT aggregates must have exactly one argument");
    // Aggregate arguments are evaluated per input row; nested aggregates are an error there.
    const argCtx: ExprContext = { ...rowCtx, aggregateCall: undefined };
    const args = call.args.map((a) => compileExpr(a, argCtx));
    const order = call.orderBy.length
      ? {
          keys: call.orderBy.map((o) => compileExpr(o.expr, argCtx)),
          specs: call.orderBy.map((o) => sortKeySpec(collationByName(exprCollation(o.expr, scope)?.name ?? "BINARY"), o.direction === "DESC", o.nulls)),
        }
      : null;
    // min() and max() compare under their argument's collation.
    if ((fn.name === "min" || fn.name === "max") && call.args.length === 1) {
      const collation = exprCollation(call.args[0], scope)?.name ?? "BINARY";
      if (collation !== "BINARY") fn = minMaxAggregate(fn.name, collationByName(collation));
    }
    const k = specs.length;
    // JSON aggregates produce JSON: their results carry the JSON subtype into enclosing calls.
    const site = { subtype: JSON_SUBTYPE_AGGREGATES.has(fn.name) ? JSON_SUBTYPE : 0 };
    const fnCtx = subtypeContext(fctx, args, { subtype: 0 });
    specs.push({ fn, args, argv: new Array(args.length), distinct: call.distinct, filter: call.filter ? compileExpr(call.filter, argCtx) : null, order, fctx: fnCtx });
    return registerCallSite(() => (current as Group).results[k], site);
  };
  const outCtx: ExprContext = { ...rowCtx, scope: outScope, aggregateCall };
  outScope.aggregates = aggregateCall;

  const groupBy = core.groupBy.map((e, i) => {
    const k = e.kind === "NumberLiteral" && e.isInteger && typeof e.value === "number" ? e.value : null;
    if (k !== null) {
      if (k < 1 || k > projections.length) throw new SqliteError(`${i + 1}${["st", "nd", "rd"][i] ?? "th"} GROUP BY term out of range - should be between 1 and ${projections.length}`);
      return projections[k - 1].expr;
    }
    if (containsAggregate(e, env, scope)) throw new SqliteError("aggregate functions are not allowed in the GROUP BY clause");
    return e;
  });
  const keyEvals = groupBy.map((e) => compileExpr(e, rowCtx));
  const keyCollations = groupBy.map((e) => exprCollation(e, scope)?.name ?? "BINARY");
  const keyFolds: KeyFold[] = keyCollations.map(foldFor);
  const keySpecs = keyCollations.map((c) => sortKeySpec(collationByName(c), false, null));

  const having = core.having ? compileExpr(core.having, outCtx) : null;
  if (groupBy.length > 0) env.plan.add("USE TEMP B-TREE FOR GROUP BY");

  // With exactly one min()/max(), bare columns come from the row that set it.
  // Known only once the caller has compiled its expressions, so looked up per run.
  let extremeIndex = -1;

  const newGroup = (key: SqlValue[]): Group => ({
    key,
    states: specs.map((s) => s.fn.init()),
    seen: specs.map((s) => (s.distinct ? new Set<string>() : null)),
    ordered: specs.map((s) => (s.order ? [] : null)),
    captured: shadows.map((s) => new Array(s.columns.length).fill(null)),
    rowids: shadows.map(() => null),
    results: [],
  });

  const capture = (g: Group): void => {
    for (let s = 0; s < shadows.length; s++) {
      const real = scope.sources[s].slot;
      const row = g.captured[s];
      for (const c of shadows[s].usedColumns) {
        if (c < 0) g.rowids[s] = real.rowid();
        else row[c] = real.column(c);
      }
    }
  };

  const step = (g: Group, fresh: boolean): void => {
    let extremeChanged = fresh;
    for (let k = 0; k < specs.length; k++) {
      const spec = specs[k];
      if (spec.filter && truthValue(spec.filter()) !== true) continue;
      const argv = spec.argv;
      for (let i = 0; i < spec.args.length; i++) argv[i] = spec.args[i]();
      const seen = g.seen[k];
      if (seen) {
        const key = valueKey(argv[0], null);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      const ordered = g.ordered[k];
      if (ordered) {
        ordered.push({ keys: (spec.order as NonNullable<AggregateSpec["order"]>).keys.map((e) => e()), row: argv.slice() });
        continue;
      }
      if (k === extremeIndex) {
        const before = spec.fn.value(g.states[k]);
        g.states[k] = spec.fn.step(g.states[k], argv, spec.fctx);
        if (spec.fn.value(g.states[k]) !== before) extremeChanged = true;
      } else g.states[k] = spec.fn.step(g.states[k], argv, spec.fctx);
    }
    if (extremeIndex < 0 ? fresh : extremeChanged) capture(g);
  };

  /** step() for rows after a group's first when no aggregate has FILTER, DISTINCT, ORDER BY or a min/max capture: only the steps. */
  const stepPlain = (g: Group): void => {
    const states = g.states;
    for (let k = 0; k < specs.length; k++) {
      const spec = specs[k];
      const args = spec.args;
      const argv = spec.argv;
      for (let i = 0; i < args.length; i++) argv[i] = args[i]();
      states[k] = spec.fn.step(states[k], argv, spec.fctx);
    }
  };

  const finish = (g: Group): void => {
    for (let k = 0; k < specs.length; k++) {
      const spec = specs[k];
      const ordered = g.ordered[k];
      if (ordered) {
        sortEntries(ordered, (spec.order as NonNullable<AggregateSpec["order"]>).specs);
        for (const e of ordered) g.states[k] = spec.fn.step(g.states[k], e.row, spec.fctx);
      }
      g.results[k] = spec.fn.result(g.states[k]);
    }
  };

  const makeCurrent = (g: Group): void => {
    current = g;
    for (let s = 0; s < shadowSlots.length; s++) {
      shadowSlots[s].values = g.captured[s];
      shadowSlots[s].rowidValue = g.rowids[s];
    }
  };

  const grouped = groupBy.length > 0;
  return {
    scope: outScope,
    ctx: outCtx,
    forEachGroup(visit) {
      const minMax = specs.filter((s) => s.fn.name === "min" || s.fn.name === "max");
      extremeIndex = minMax.length === 1 ? specs.indexOf(minMax[0]) : -1;
      const plain = extremeIndex < 0 && specs.every((s) => !s.filter && !s.distinct && !s.order);
      const groups = new Map<unknown, Group>();
      const single = grouped ? null : newGroup([]);
      let first = true;
      const oneKey = keyEvals.length === 1 ? keyEvals[0] : null;
      const addRow = plain ? plainStepper(specs, stepPlain) : (g: Group): void => step(g, false);
      const startGroup = (hash: unknown, key: SqlValue[]): void => {
        const g = newGroup(key);
        groups.set(hash, g);
        step(g, true);
      };
      parts.loops(() => {
        if (single) {
          if (!first) addRow(single);
          else {
            first = false;
            step(single, true);
          }
          return true;
        }
        // One GROUP BY term (the common case): hashed without building a key array per row.
        if (oneKey) {
          const v = oneKey();
          const hash = valueHash(v, keyFolds[0]);
          const g = groups.get(hash);
          if (g === undefined) startGroup(hash, [v]);
          else addRow(g);
          return true;
        }
        const key: SqlValue[] = new Array(keyEvals.length);
        for (let i = 0; i < keyEvals.length; i++) key[i] = keyEvals[i]();
        const hash = rowKey(key, keyFolds);
        const g = groups.get(hash);
        if (g === undefined) startGroup(hash, key);
        else addRow(g);
        return true;
      });
      let list: Group[];
      if (single) list = [single];
      else {
        list = [...groups.values()];
        list.sort((a, b) => compareKeys(a.key, b.key, keySpecs));
      }
      for (const g of list) {
        finish(g);
        makeCurrent(g);
        if (having && truthValue(having()) !== true) continue;
        visit(() => makeCurrent(g));
      }
      current = null;
    },
  };
}


/**
 * stepPlain for one aggregate of at most one argument (`sum(x)`, `count(*)`,
 * the common case): the same steps without the loops over aggregates and
 * arguments per row.
 */
function plainStepper(specs: AggregateSpec[], stepPlain: (g: Group) => void): (g: Group) => void {
  if (specs.length !== 1 || specs[0].args.length > 1) return stepPlain;
  const { fn, argv, fctx } = specs[0];
  const arg = specs[0].args[0];
  if (arg === undefined) return (g) => void (g.states[0] = fn.step(g.states[0], argv, fctx));
  return (g) => {
    argv[0] = arg();
    g.states[0] = fn.step(g.states[0], argv, fctx);
  };
}

/** Map key of a one-term group: numbers directly (1 and 1.0 alike), other values by their value key. */
function valueHash(v: SqlValue, fold: KeyFold): unknown {
  if (typeof v === "number") return v === 0 ? 0 : v;
  if (v instanceof IntegralReal) return v.value === 0 ? 0 : v.value;
  return valueKey(v, fold);
}
