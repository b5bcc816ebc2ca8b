// Compiles expression ASTs into evaluator closures. Names are resolved and
// every static decision (affinity, collation, function lookup, operator) is
// taken here, once per prepared statement; the closures only compute.
//
// An evaluator is a zero-argument function: it reads the current rows
// through the row slots captured at compile time and parameters through the
// statement runtime, so evaluation allocates nothing on the common paths.
import { SqliteError } from "../errors.js";
import type { BuiltinFunction, FunctionContext, ScalarFunction } from "../func/types.js";
import { collationByName, comparisonCollation, exprAffinity, exprCollation } from "../plan/expr-type.js";
import { qualified, type ResolvedColumn, type Scope, type Source } from "../plan/scope.js";
import { forEachChild } from "../plan/terms.js";
import type { BinaryExpr, ColumnRef, Expr, FunctionCall, Select } from "../sql/ast.js";
import type { Affinity } from "../value/affinity.js";
import { arith, bitNot, bitwise, concat, logicalNot, negate, truthValue, type ArithOp, type BitOp } from "../value/arith.js";
import { castValue } from "../value/cast.js";
import { binaryCollation, type Collation } from "../value/collation.js";
import { minMaxScalar, nullifWith } from "../func/core.js";
import { compareForExpr, comparisonAffinity } from "../value/compare.js";
import { INT64_MIN, intValue, type SqlValue } from "../value/types.js";
import { RaiseSignal } from "./raise.js";
import type { RowSlot } from "./row-slot.js";
import type { StatementRuntime } from "./runtime.js";

export type Evaluator = () => SqlValue;

/** Result of looking a function up by name and argument count. */
export type FunctionLookup = BuiltinFunction | "wrong-arity" | undefined;

/** A subquery compiled for use inside an expression. */
export interface SubqueryProgram {
  /** Number of result columns. */
  width: number;
  /** Affinity of each result column (for IN and comparisons). */
  affinities: Affinity[];
  /** Runs the subquery, pushing each row; `emit` returns false to stop early. */
  run(emit: (row: SqlValue[]) => boolean): void;
  /** False when the subquery reads no outer row, so its result can be computed once per execution. */
  correlated: boolean;
}

/** What the expression compiler needs from the statement being compiled. */
export interface ExprContext {
  scope: Scope;
  runtime: StatementRuntime;
  /** The SQL text that AST offsets refer to. */
  source: string;
  lookupFunction(name: string, nArgs: number): FunctionLookup;
  compileSubquery(select: Select, scope: Scope): SubqueryProgram;
  /**
   * Called for a call to an aggregate or window function (or any call with
   * OVER); returns the evaluator that reads its current value. Undefined
   * when aggregates are not allowed here.
   */
  aggregateCall?: (call: FunctionCall, fn: BuiltinFunction | undefined) => Evaluator;
  /** Resolves a bare name to a result-column alias's expression when no column has that name. */
  resolveAlias?: (name: string) => Expr | undefined;
  /** Where a bare identifier in double quotes may not fall back to a string (e.g. CHECK in STRICT mode); default false. */
  noStringFallback?: boolean;
}

function tryResolve(ref: ColumnRef, scope: Scope): ResolvedColumn | undefined {
  return scope.resolve(ref);
}

const TRUE_FALSE: Record<string, number> = { true: 1, false: 0 };

export function compileExpr(expr: Expr, ctx: ExprContext): Evaluator {
  switch (expr.kind) {
    case "NumberLiteral":
    case "StringLiteral":
    case "BlobLiteral": {
      const v: SqlValue = expr.value;
      return () => v;
    }
    case "NullLiteral":
      return () => null;
    case "CurrentTimeLiteral":
      return compileCall(
        { kind: "FunctionCall", start: expr.start, end: expr.end, name: { kind: "Ident", name: expr.which.toLowerCase(), quote: "none", start: expr.start, end: expr.end }, distinct: false, star: false, args: [], orderBy: [], filter: null, over: null },
        ctx,
      );
    case "Param": {
      const rt = ctx.runtime;
      const i = expr.index;
      return () => rt.params[i] ?? null;
    }
    case "ColumnRef":
      return compileColumnRef(expr, ctx);
    case "UnaryExpr":
      return compileUnary(expr.op, expr, ctx);
    case "BinaryExpr":
      return compileBinary(expr, ctx);
    case "LikeExpr": {
      const name = expr.op.toLowerCase();
      const args = expr.escape ? [expr.right, expr.left, expr.escape] : [expr.right, expr.left];
      const call = callWithArgs(scalarFunction(name, args.length, ctx), args.map((a) => compileExpr(a, ctx)), ctx.runtime.functions);
      return expr.not ? () => logicalNot(call()) : call;
    }
    case "BetweenExpr": {
      const x = compileExpr(expr.expr, ctx);
      const lo = compileExpr(expr.low, ctx);
      const hi = compileExpr(expr.high, ctx);
      const aff = comparisonAffinity(exprAffinity(expr.expr, ctx.scope), exprAffinity(expr.low, ctx.scope));
      const affHi = comparisonAffinity(exprAffinity(expr.expr, ctx.scope), exprAffinity(expr.high, ctx.scope));
      const collLo = comparisonCollation(expr.expr, expr.low, ctx.scope);
      const collHi = comparisonCollation(expr.expr, expr.high, ctx.scope);
      const not = expr.not;
      return () => {
        const v = x();
        const c1 = compareForExpr(v, lo(), aff, collLo);
        const c2 = compareForExpr(v, hi(), affHi, collHi);
        const r = and3(c1 === null ? null : c1 >= 0, c2 === null ? null : c2 <= 0);
        return r === null ? null : r !== not ? 1 : 0;
      };
    }
    case "InListExpr":
      return compileInList(expr.expr, expr.items, expr.not, ctx);
    case "InSelectExpr":
      return compileInSelect(expr.expr, expr.select, expr.not, ctx);
    case "InTableExpr":
      return compileInSelect(expr.expr, tableAsSelect(expr), expr.not, ctx);
    case "IsNullExpr": {
      const e = compileExpr(expr.expr, ctx);
      return expr.not ? () => (e() === null ? 0 : 1) : () => (e() === null ? 1 : 0);
    }
    case "CastExpr": {
      const e = compileExpr(expr.expr, ctx);
      const type = expr.type.name;
      return () => castValue(e(), type);
    }
    case "CaseExpr":
      return compileCase(expr, ctx);
    case "CollateExpr":
      collationByName(expr.collation.name);
      return compileExpr(expr.expr, ctx);
    case "ExistsExpr": {
      const sub = ctx.compileSubquery(expr.select, ctx.scope);
      return cacheUnlessCorrelated(sub, ctx, () => {
        let found = false;
        sub.run(() => {
          found = true;
          return false;
        });
        return found ? 1 : 0;
      });
    }
    case "SubqueryExpr": {
      const sub = ctx.compileSubquery(expr.select, ctx.scope);
      if (sub.width !== 1) throw new SqliteError(`sub-select returns ${sub.width} columns - expected 1`);
      return cacheUnlessCorrelated(sub, ctx, () => {
        let value: SqlValue = null;
        sub.run((row) => {
          value = row[0];
          return false;
        });
        return value;
      });
    }
    case "RaiseExpr": {
      if (!ctx.runtime.inTrigger) throw new SqliteError("RAISE() may only be used within a trigger-program");
      const action = expr.action;
      const message = expr.message ? compileExpr(expr.message, ctx) : null;
      return () => {
        const text = message ? message() : null;
        throw new RaiseSignal(action, text === null ? "" : String(text instanceof Uint8Array ? new TextDecoder().decode(text) : text));
      };
    }
    case "FunctionCall":
      return compileCall(expr, ctx);
    case "RowValue":
      throw new SqliteError("row value misused");
  }
}

function compileColumnRef(ref: ColumnRef, ctx: ExprContext): Evaluator {
  const r = tryResolve(ref, ctx.scope);
  if (r) {
    const slot = r.source.slot;
    r.source.usedColumns.add(r.column);
    if (r.column < 0) return () => slot.rowid();
    const i = r.column;
    if (r.coalesce) return mergedUsingColumn(slot, i, r.coalesce);
    return slot.columnReader?.(i) ?? (() => slot.column(i));
  }
  if (!ref.table) {
    const aliased = ctx.resolveAlias?.(ref.column.name);
    if (aliased && aliased !== ref) {
      // An alias may not refer to itself through another alias: resolve without aliases below.
      return compileExpr(aliased, { ...ctx, resolveAlias: undefined });
    }
    if (ref.column.quote === "double" && !ctx.noStringFallback) {
      const s = ref.column.name;
      return () => s;
    }
    const tf = TRUE_FALSE[ref.column.name.toLowerCase()];
    if (tf !== undefined && ref.column.quote === "none") return () => tf;
  }
  throw new SqliteError(`no such column: ${qualified(ref)}`);
}

/** A USING column merged by RIGHT/FULL JOINs: the first non-NULL of the joined columns. */
function mergedUsingColumn(slot: RowSlot, column: number, merged: { source: Source; column: number }[]): Evaluator {
  for (const m of merged) m.source.usedColumns.add(m.column);
  return () => {
    const v = slot.column(column);
    if (v !== null) return v;
    for (const m of merged) {
      const w = m.source.slot.column(m.column);
      if (w !== null) return w;
    }
    return null;
  };
}

function compileUnary(op: "-" | "+" | "~" | "NOT", expr: Extract<Expr, { kind: "UnaryExpr" }>, ctx: ExprContext): Evaluator {
  // -9223372036854775808 is INT64_MIN, though 9223372036854775808 alone is REAL.
  if (op === "-" && expr.operand.kind === "NumberLiteral" && expr.operand.raw === "9223372036854775808") {
    const min = intValue(INT64_MIN);
    return () => min;
  }
  const e = compileExpr(expr.operand, ctx);
  switch (op) {
    case "-":
      if (expr.operand.kind === "NumberLiteral") {
        const v = negate(expr.operand.value);
        return () => v;
      }
      return () => negate(e());
    case "+":
      return e;
    case "~":
      return () => bitNot(e());
    case "NOT":
      return () => logicalNot(e());
  }
}

const COMPARISONS = new Set(["=", "!=", "<", "<=", ">", ">=", "IS", "IS NOT"]);

function compileBinary(expr: BinaryExpr, ctx: ExprContext): Evaluator {
  const { op } = expr;
  if (COMPARISONS.has(op)) return compileComparison(expr, ctx);
  if (expr.left.kind === "RowValue" || expr.right.kind === "RowValue") throw new SqliteError("row value misused");
  const l = compileExpr(expr.left, ctx);
  const r = compileExpr(expr.right, ctx);
  switch (op) {
    case "AND":
      return () => {
        const a = truthValue(l());
        if (a === false) return 0;
        const b = truthValue(r());
        return b === false ? 0 : a === null || b === null ? null : 1;
      };
    case "OR":
      return () => {
        const a = truthValue(l());
        if (a === true) return 1;
        const b = truthValue(r());
        return b === true ? 1 : a === null || b === null ? null : 0;
      };
    case "+":
      return () => addValues(l(), r());
    case "-":
    case "*":
    case "/":
    case "%": {
      const aop: ArithOp = op;
      return () => arith(aop, l(), r());
    }
    case "&":
    case "|":
    case "<<":
    case ">>": {
      const bop: BitOp = op;
      return () => bitwise(bop, l(), r());
    }
    case "||":
      return () => concat(l(), r());
    case "->":
    case "->>":
      return callWithArgs(scalarFunction(op, 2, ctx), [l, r], ctx.runtime.functions);
    default:
      throw new SqliteError(`unsupported operator ${op}`);
  }
}

/** `+` with a fast path for two small integers, the overwhelmingly common case. */
function addValues(a: SqlValue, b: SqlValue): SqlValue {
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  return arith("+", a, b);
}

function and3(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

/** Maps a three-way comparison result to the operator's truth value. */
function comparisonTest(op: string): (c: number) => boolean {
  switch (op) {
    case "=":
    case "IS":
      return (c) => c === 0;
    case "!=":
    case "IS NOT":
      return (c) => c !== 0;
    case "<":
      return (c) => c < 0;
    case "<=":
      return (c) => c <= 0;
    case ">":
      return (c) => c > 0;
    default:
      return (c) => c >= 0;
  }
}

function compileComparison(expr: BinaryExpr, ctx: ExprContext): Evaluator {
  if (expr.left.kind === "RowValue" || expr.right.kind === "RowValue" || isMultiColumnSubquery(expr.right, ctx) || isMultiColumnSubquery(expr.left, ctx)) {
    return compileRowComparison(expr, ctx);
  }
  const l = compileExpr(expr.left, ctx);
  const r = compileExpr(expr.right, ctx);
  const aff = comparisonAffinity(exprAffinity(expr.left, ctx.scope), exprAffinity(expr.right, ctx.scope));
  const coll = comparisonCollation(expr.left, expr.right, ctx.scope);
  const test = comparisonTest(expr.op);
  if (expr.op === "IS" || expr.op === "IS NOT") {
    const isNot = expr.op === "IS NOT";
    return () => {
      const a = l();
      const b = r();
      if (a === null || b === null) return (a === null && b === null) !== isNot ? 1 : 0;
      return test(compareForExpr(a, b, aff, coll) as number) ? 1 : 0;
    };
  }
  return () => {
    const c = compareForExpr(l(), r(), aff, coll);
    return c === null ? null : test(c) ? 1 : 0;
  };
}

function isMultiColumnSubquery(e: Expr, ctx: ExprContext): boolean {
  if (e.kind !== "SubqueryExpr") return false;
  const body = e.select.body;
  if (body.kind !== "SelectCore") return false;
  return body.columns.length > 1 || body.columns.some((c) => c.kind !== "ResultExpr") ? ctx.compileSubquery(e.select, ctx.scope).width > 1 : false;
}

/** Row-value comparison `(a, b) op (c, d)`, element by element as SQLite does. */
function compileRowComparison(expr: BinaryExpr, ctx: ExprContext): Evaluator {
  const left = rowOperand(expr.left, ctx);
  const right = rowOperand(expr.right, ctx);
  if (left.width !== right.width) throw new SqliteError("row value misused");
  const n = left.width;
  const affs: Affinity[] = [];
  const colls: Collation[] = [];
  for (let i = 0; i < n; i++) {
    const le = left.exprs?.[i];
    const re = right.exprs?.[i];
    affs.push(comparisonAffinity(le ? exprAffinity(le, ctx.scope) : (left.affinities?.[i] ?? "none"), re ? exprAffinity(re, ctx.scope) : (right.affinities?.[i] ?? "none")));
    colls.push(le && re ? comparisonCollation(le, re, ctx.scope) : binaryCollation);
  }
  const op = expr.op;
  const isIs = op === "IS" || op === "IS NOT";
  return () => {
    const a = left.values();
    const b = right.values();
    let sawNull = false;
    for (let i = 0; i < n; i++) {
      let c: number | null;
      if (isIs) {
        c = a[i] === null || b[i] === null ? (a[i] === null && b[i] === null ? 0 : a[i] === null ? -1 : 1) : compareForExpr(a[i], b[i], affs[i], colls[i]);
      } else {
        c = compareForExpr(a[i], b[i], affs[i], colls[i]);
      }
      if (c === null) {
        if (op === "=" || op === "!=") {
          sawNull = true;
          continue;
        }
        return null;
      }
      if (c !== 0) {
        switch (op) {
          case "=":
          case "IS":
            return 0;
          case "!=":
          case "IS NOT":
            return 1;
          case "<":
          case "<=":
            return c < 0 ? 1 : 0;
          default:
            return c > 0 ? 1 : 0;
        }
      }
    }
    if (sawNull) return null;
    return op === "=" || op === "IS" || op === "<=" || op === ">=" ? 1 : 0;
  };
}

interface RowOperand {
  width: number;
  exprs: Expr[] | null;
  affinities: Affinity[] | null;
  values(): SqlValue[];
}

function rowOperand(e: Expr, ctx: ExprContext): RowOperand {
  if (e.kind === "RowValue") {
    const evals = e.items.map((i) => compileExpr(i, ctx));
    const out: SqlValue[] = new Array(evals.length);
    return {
      width: evals.length,
      exprs: e.items,
      affinities: null,
      values: () => {
        for (let i = 0; i < evals.length; i++) out[i] = evals[i]();
        return out;
      },
    };
  }
  if (e.kind === "SubqueryExpr") {
    const sub = ctx.compileSubquery(e.select, ctx.scope);
    const nulls: SqlValue[] = new Array(sub.width).fill(null);
    return {
      width: sub.width,
      exprs: null,
      affinities: sub.affinities,
      values: () => {
        let first: SqlValue[] = nulls;
        sub.run((row) => {
          first = row;
          return false;
        });
        return first;
      },
    };
  }
  const single = compileExpr(e, ctx);
  const out: SqlValue[] = [null];
  return {
    width: 1,
    exprs: [e],
    affinities: null,
    values: () => {
      out[0] = single();
      return out;
    },
  };
}

function compileInList(left: Expr, items: Expr[], not: boolean, ctx: ExprContext): Evaluator {
  if (left.kind === "RowValue") {
    // (a, b) IN ((1, 2), (3, 4)): OR of row equalities.
    const tests = items.map((item) =>
      compileComparison({ kind: "BinaryExpr", op: "=", left, right: item, start: left.start, end: item.end }, ctx),
    );
    return () => {
      let sawNull = false;
      for (const t of tests) {
        const r = t();
        if (r === 1) return not ? 0 : 1;
        if (r === null) sawNull = true;
      }
      return sawNull ? null : not ? 1 : 0;
    };
  }
  if (items.length === 0) {
    // `x IN ()` is false (and NOT IN () true) even when x is NULL.
    const v = not ? 1 : 0;
    return () => v;
  }
  const l = compileExpr(left, ctx);
  const leftAff = exprAffinity(left, ctx.scope);
  const evals = items.map((i) => compileExpr(i, ctx));
  const affs = items.map((i) => comparisonAffinity(leftAff, exprAffinity(i, ctx.scope)));
  const colls = items.map((i) => comparisonCollation(left, i, ctx.scope));
  return () => {
    const v = l();
    if (v === null) return null;
    let sawNull = false;
    for (let i = 0; i < evals.length; i++) {
      const c = compareForExpr(v, evals[i](), affs[i], colls[i]);
      if (c === 0) return not ? 0 : 1;
      if (c === null) sawNull = true;
    }
    return sawNull ? null : not ? 1 : 0;
  };
}

function compileInSelect(left: Expr, select: Select, not: boolean, ctx: ExprContext): Evaluator {
  const sub = ctx.compileSubquery(select, ctx.scope);
  const lhs = rowOperand(left, ctx);
  if (lhs.width !== sub.width) {
    throw new SqliteError(`sub-select returns ${sub.width} columns - expected ${lhs.width}`);
  }
  const n = sub.width;
  // IN (SELECT ...) compares with the affinity of the left operand (NUMERIC if either side numeric).
  const affs: Affinity[] = [];
  const colls: Collation[] = [];
  for (let i = 0; i < n; i++) {
    const le = lhs.exprs?.[i];
    affs.push(comparisonAffinity(le ? exprAffinity(le, ctx.scope) : "none", sub.affinities[i]));
    const lc = le ? exprCollation(le, ctx.scope) : null;
    colls.push(lc ? collationByName(lc.name) : binaryCollation);
  }
  const rows = (): SqlValue[][] => {
    const out: SqlValue[][] = [];
    sub.run((row) => {
      out.push(row);
      return true;
    });
    return out;
  };
  let cached: SqlValue[][] | null = null;
  let cachedRun = -1;
  const rt = ctx.runtime;
  return () => {
    const v = lhs.values();
    let list: SqlValue[][];
    if (sub.correlated) list = rows();
    else {
      if (cached === null || cachedRun !== rt.executionId) {
        cached = rows();
        cachedRun = rt.executionId;
      }
      list = cached;
    }
    if (list.length === 0) return not ? 1 : 0;
    let sawNull = false;
    outer: for (const row of list) {
      let rowNull = false;
      for (let i = 0; i < n; i++) {
        const c = compareForExpr(v[i], row[i], affs[i], colls[i]);
        if (c === null) rowNull = true;
        else if (c !== 0) continue outer;
      }
      if (rowNull) sawNull = true;
      else return not ? 0 : 1;
    }
    return sawNull ? null : not ? 1 : 0;
  };
}

/** `x IN table` means `x IN (SELECT * FROM table)`; with arguments, a table-valued function. */
function tableAsSelect(expr: Extract<Expr, { kind: "InTableExpr" }>): Select {
  const span = { start: expr.table.start, end: expr.end };
  const from =
    expr.args === null
      ? { kind: "TableRef" as const, schema: expr.schema, name: expr.table, alias: null, indexHint: null, ...span }
      : { kind: "TableFunctionRef" as const, schema: expr.schema, name: expr.table, args: expr.args, alias: null, ...span };
  return {
    kind: "Select",
    with: null,
    body: { kind: "SelectCore", distinct: null, columns: [{ kind: "ResultStar", ...span }], from, where: null, groupBy: [], having: null, windows: [], ...span },
    orderBy: [],
    limit: null,
    ...span,
  };
}

/** Uncorrelated subqueries run once per statement execution; correlated ones every time. */
function cacheUnlessCorrelated(sub: SubqueryProgram, ctx: ExprContext, compute: () => SqlValue): Evaluator {
  if (sub.correlated) return compute;
  const rt = ctx.runtime;
  let cachedRun = -1;
  let cached: SqlValue = null;
  return () => {
    if (cachedRun !== rt.executionId) {
      cached = compute();
      cachedRun = rt.executionId;
    }
    return cached;
  };
}

function compileCase(expr: Extract<Expr, { kind: "CaseExpr" }>, ctx: ExprContext): Evaluator {
  const whens = expr.whens.map((w) => compileExpr(w.when, ctx));
  const thens = expr.whens.map((w) => compileExpr(w.then, ctx));
  const otherwise = expr.else ? compileExpr(expr.else, ctx) : () => null;
  const n = whens.length;
  if (!expr.base) {
    return () => {
      for (let i = 0; i < n; i++) if (truthValue(whens[i]()) === true) return thens[i]();
      return otherwise();
    };
  }
  const base = compileExpr(expr.base, ctx);
  const baseAff = exprAffinity(expr.base, ctx.scope);
  const affs = expr.whens.map((w) => comparisonAffinity(baseAff, exprAffinity(w.when, ctx.scope)));
  const colls = expr.whens.map((w) => comparisonCollation(expr.base as Expr, w.when, ctx.scope));
  return () => {
    const b = base();
    for (let i = 0; i < n; i++) if (compareForExpr(b, whens[i](), affs[i], colls[i]) === 0) return thens[i]();
    return otherwise();
  };
}

function scalarFunction(name: string, nArgs: number, ctx: ExprContext): ScalarFunction {
  const found = ctx.lookupFunction(name, nArgs);
  if (found === undefined) throw new SqliteError(`no such function: ${name}`);
  if (found === "wrong-arity") throw new SqliteError(`wrong number of arguments to function ${name}()`);
  if (found.kind !== "scalar") throw new SqliteError(`misuse of aggregate function ${name}()`);
  return found;
}

/**
 * The enclosing query an aggregate call belongs to when its arguments read
 * columns of enclosing queries only (the innermost of them), as SQLite
 * decides; null when it belongs to the query it is written in.
 */
export function outerAggregateOwner(call: FunctionCall, scope: Scope): Scope | null {
  let depth = Infinity;
  const visit = (e: Expr): void => {
    if (e.kind === "ColumnRef") {
      const found = scope.resolve(e);
      if (found) depth = Math.min(depth, found.depth);
    }
    forEachChild(e, visit);
  };
  call.args.forEach(visit);
  if (call.filter) visit(call.filter);
  for (const o of call.orderBy) visit(o.expr);
  if (depth === 0 || depth === Infinity) return null;
  let owner: Scope = scope;
  for (let d = 0; d < depth; d++) owner = owner.outer as Scope;
  return owner;
}

function compileCall(call: FunctionCall, ctx: ExprContext): Evaluator {
  const name = call.name.name.toLowerCase();
  const nArgs = call.star ? 0 : call.args.length;
  const found = ctx.lookupFunction(name, nArgs);
  if (call.over === null && found !== undefined && found !== "wrong-arity" && found.kind === "aggregate") {
    const owner = outerAggregateOwner(call, ctx.scope);
    if (owner) {
      if (!owner.aggregates) throw new SqliteError(`misuse of aggregate: ${call.name.name}()`);
      return owner.aggregates(call, found);
    }
  }
  if (call.over !== null || (found !== undefined && found !== "wrong-arity" && found.kind !== "scalar")) {
    if (!ctx.aggregateCall) {
      if (found === "wrong-arity") throw new SqliteError(`wrong number of arguments to function ${call.name.name}()`);
      throw new SqliteError(`misuse of ${call.over ? "window" : "aggregate"} function ${call.name.name}()`);
    }
    return ctx.aggregateCall(call, found === "wrong-arity" ? undefined : found);
  }
  if (found === undefined) throw new SqliteError(`no such function: ${call.name.name}`);
  if (found === "wrong-arity") throw new SqliteError(`wrong number of arguments to function ${call.name.name}()`);
  if (call.distinct) throw new SqliteError(`DISTINCT aggregates must have exactly one argument`);
  if (call.filter) throw new SqliteError(`FILTER may not be used with non-aggregate ${call.name.name}()`);
  const fn = found as ScalarFunction;
  const evals = call.args.map((a) => compileExpr(a, ctx));
  switch (name) {
    // Short-circuiting functions evaluate only the arguments they need.
    case "coalesce":
    case "ifnull":
      return () => {
        for (const e of evals) {
          const v = e();
          if (v !== null) return v;
        }
        return null;
      };
    case "iif":
    case "if": {
      const [c, t, f] = evals;
      return () => (truthValue(c()) === true ? t() : f ? f() : null);
    }
    // Built-ins that compare their arguments use the collation of the first argument that has one (SQLite's NEEDCOLL).
    case "min":
    case "max":
    case "nullif": {
      const collation = argumentCollation(call.args, ctx.scope);
      if (collation === binaryCollation) return callWithArgs(fn, evals, ctx.runtime.functions);
      return callWithArgs(name === "nullif" ? nullifWith(collation) : minMaxScalar(name, collation), evals, ctx.runtime.functions);
    }
    default:
      return callWithArgs(fn, evals, ctx.runtime.functions);
  }
}

function argumentCollation(args: readonly Expr[], scope: Scope): Collation {
  for (const a of args) {
    const info = exprCollation(a, scope);
    if (info) return collationByName(info.name);
  }
  return binaryCollation;
}

/**
 * SQLite's value subtypes (JSON text from json functions stays JSON when
 * passed straight into another function): each call site records the
 * subtype its last result carried, and a function reads its arguments'
 * subtypes from their call sites.
 */
interface CallSite {
  subtype: number;
}
const callSites = new WeakMap<Evaluator, CallSite>();

/** A function context for one call site that knows its arguments' subtypes and records the result's. */
export function subtypeContext(base: FunctionContext, args: readonly Evaluator[], site: CallSite): FunctionContext {
  const argSites = args.map((e) => callSites.get(e) ?? null);
  const ctx: FunctionContext & { argSubtype(i: number): number; setResultSubtype(s: number): void } = Object.assign(Object.create(base) as FunctionContext, {
    argSubtype: (i: number) => argSites[i]?.subtype ?? 0,
    setResultSubtype: (s: number) => {
      site.subtype = s;
    },
  });
  return ctx;
}

/** Registers `evaluator` as a call site whose result subtype others can read. */
export function registerCallSite(evaluator: Evaluator, site: CallSite): Evaluator {
  callSites.set(evaluator, site);
  return evaluator;
}

/** Calls a scalar function on evaluated arguments, reusing one argument array. */
function callWithArgs(fn: ScalarFunction, evals: Evaluator[], base: FunctionContext): Evaluator {
  const site: CallSite = { subtype: 0 };
  const fctx = subtypeContext(base, evals, site);
  const argv: SqlValue[] = new Array(evals.length);
  const n = evals.length;
  if (n === 1) {
    const a0 = evals[0];
    return registerCallSite(() => {
      argv[0] = a0();
      site.subtype = 0;
      return fn.call(argv, fctx);
    }, site);
  }
  return registerCallSite(() => {
    for (let i = 0; i < n; i++) argv[i] = evals[i]();
    site.subtype = 0;
    return fn.call(argv, fctx);
  }, site);
}
