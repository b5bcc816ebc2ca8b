// SELECT compilation: WITH, compound operators, VALUES, and the SELECT core
// (FROM/WHERE through the planner's join loops, then projection, DISTINCT,
// ORDER BY and LIMIT/OFFSET). Aggregate queries are delegated to
// aggregate.ts. Every query compiles to a QueryProgram that pushes rows.
import { SqliteError } from "../errors.js";
import { describeLevel, planJoin, type OrderRequest } from "../plan/access.js";
import { Scope, type Source } from "../plan/scope.js";
import { analyzeSources, forEachChild, splitConjuncts, type IndexableTerm, type Term } from "../plan/terms.js";
import { foldName } from "../schema/schema.js";
import { callsFunction } from "../sql/ast-search.js";
import type { CommonTableExpr, CompoundSelect, Expr, OrderingTerm, ResultColumn, Select, SelectBody, SelectCore, ValuesClause } from "../sql/ast.js";
import { truthValue } from "../value/arith.js";
import { comparisonAffinity } from "../value/compare.js";
import { toNumeric } from "../value/convert.js";
import { IntegralReal, type SqlValue } from "../value/types.js";
import { checkWhereAggregates, compileAggregateQuery, containsAggregate, containsWindow, isAggregateCall } from "./aggregate.js";
import { PlanCollector, type CompileEnv, type CteBinding, type CteFrame } from "./compile-env.js";
import { collationByName, exprAffinity, exprCollation } from "../plan/expr-type.js";
import { compileExpr, type Evaluator, type ExprContext, type SubqueryProgram } from "./compile-expr.js";
import { buildFrom, materialize, type BuiltFrom, type FromSource, type NestedCompiler } from "./from.js";
import { composeJoinLoops, describeUnmatchedPasses, type JoinLevel } from "./right-join.js";
import type { Body, CompiledTerm } from "./scan.js";
import { ResultRows } from "./result-rows.js";
import type { QueryProgram, ResultColumnInfo } from "./select-types.js";
import { compileWindowQuery } from "./window.js";
import { compareKeys, sortKeySpec, type SortKeySpec } from "./sort.js";
import { foldFor, rowKey, type KeyFold } from "./value-key.js";

/** Compiles a full SELECT (with its WITH, ORDER BY and LIMIT). */
export function compileQuery(select: Select, env: CompileEnv, outer: Scope | null): QueryProgram {
  const inner = select.with ? withCtes(select.with.ctes, select.with.recursive, env) : env;
  if (select.body.kind === "SelectCore") return compileCore(select.body, inner, outer, select.orderBy, select.limit);
  const body = compileBody(select.body, inner, outer);
  return orderAndLimit(body, select.orderBy, select.limit, inner, outer);
}

const nested: NestedCompiler = {
  compileQuery,
  cteRows,
};

/** The environment seen inside a WITH clause (its CTEs in scope); also for INSERT/UPDATE/DELETE with WITH. */
export function withCtes(ctes: CommonTableExpr[], recursive: boolean, env: CompileEnv): CompileEnv {
  const frame: CteFrame = { ctes: new Map(), parent: env.ctes };
  for (const cte of ctes) {
    const key = foldName(cte.name.name);
    if (frame.ctes.has(key)) throw new SqliteError(`duplicate WITH table name: ${cte.name.name}`);
    frame.ctes.set(key, { cte, frame, recursive });
  }
  return { ...env, ctes: frame };
}

/** Compiles a compound, VALUES or core body without the outer ORDER BY/LIMIT. */
function compileBody(body: SelectBody, env: CompileEnv, outer: Scope | null): QueryProgram {
  switch (body.kind) {
    case "SelectCore":
      return compileCore(body, env, outer, [], null);
    case "ValuesClause":
      return compileValues(body, env, outer);
    case "CompoundSelect":
      return compileCompound(body, env, outer);
  }
}

/** The expression context for a scope: names resolve in it, subqueries compile in `env`. */
export function exprContext(scope: Scope, env: CompileEnv): ExprContext {
  return {
    scope,
    runtime: env.runtime,
    source: env.source,
    lookupFunction: env.lookupFunction,
    compileSubquery: (select, s) => subqueryProgram(select, env, s),
  };
}

/** A subquery inside an expression, numbered for EXPLAIN QUERY PLAN. */
export function subqueryProgram(select: Select, env: CompileEnv, scope: Scope): SubqueryProgram {
  const n = ++env.subqueries.count;
  const probe = new Scope([], scope);
  const program = env.plan.nest(`SCALAR SUBQUERY ${n}`, () => compileQuery(select, env, probe));
  return {
    width: program.columns.length,
    affinities: program.columns.map((c) => c.affinity),
    run: (emit) => program.run(emit),
    correlated: program.correlated || probe.correlated,
  };
}

function compileValues(values: ValuesClause, env: CompileEnv, outer: Scope | null): QueryProgram {
  const scope = new Scope([], outer);
  const ctx = exprContext(scope, env);
  const rows = values.rows.map((r) => r.map((e) => compileExpr(e, ctx)));
  const width = values.rows[0].length;
  const first = values.rows[0];
  const columns: ResultColumnInfo[] = first.map((e, i) => ({
    name: `column${i + 1}`,
    declaredType: null,
    table: null,
    column: null,
    affinity: exprAffinity(e, scope),
    collation: exprCollation(e, scope)?.name ?? "BINARY",
  }));
  const rt = env.runtime;
  return {
    columns,
    get correlated() {
      return scope.correlated;
    },
    run(emit) {
      for (const r of rows) {
        rt.tick();
        const out: SqlValue[] = new Array(width);
        for (let i = 0; i < width; i++) out[i] = r[i]();
        if (!emit(out)) return;
      }
    },
  };
}

function compileCompound(body: CompoundSelect, env: CompileEnv, outer: Scope | null): QueryProgram {
  const left = compileBody(body.left, env, outer);
  const right = compileBody(body.right, env, outer);
  if (left.columns.length !== right.columns.length) {
    throw new SqliteError(`SELECTs to the left and right of ${body.op} do not have the same number of result columns`);
  }
  const op = body.op;
  const folds: KeyFold[] = left.columns.map((c) => foldFor(c.collation));
  const specs: SortKeySpec[] = left.columns.map((c) => sortKeySpec(collationByName(c.collation), false, null));
  return {
    columns: left.columns,
    get correlated() {
      return left.correlated || right.correlated;
    },
    run(emit) {
      if (op === "UNION ALL") {
        let stopped = false;
        left.run((row) => (emit(row) ? true : ((stopped = true), false)));
        if (!stopped) right.run(emit);
        return;
      }
      // Distinct compounds come out in sorted order, as SQLite produces them from its temporary index.
      const leftRows = new Map<string, SqlValue[]>();
      left.run((row) => {
        const k = rowKey(row, folds);
        if (!leftRows.has(k)) leftRows.set(k, row);
        return true;
      });
      let result: Map<string, SqlValue[]>;
      if (op === "UNION") {
        result = leftRows;
        right.run((row) => {
          const k = rowKey(row, folds);
          if (!result.has(k)) result.set(k, row);
          return true;
        });
      } else {
        const rightKeys = new Set<string>();
        right.run((row) => {
          rightKeys.add(rowKey(row, folds));
          return true;
        });
        result = new Map([...leftRows].filter(([k]) => rightKeys.has(k) === (op === "INTERSECT")));
      }
      const rows = [...result.values()].sort((a, b) => compareKeys(a, b, specs));
      for (const row of rows) if (!emit(row)) return;
    },
  };
}

/** ORDER BY / LIMIT over a compound or VALUES: terms refer to result columns. */
function orderAndLimit(body: QueryProgram, orderBy: OrderingTerm[], limit: Select["limit"], env: CompileEnv, outer: Scope | null): QueryProgram {
  if (orderBy.length === 0 && !limit) return body;
  const keyColumns = orderBy.map((term, i) => compoundOrderColumn(term, body.columns, i));
  const specs = orderBy.map((term, i) => sortKeySpec(collationByName(explicitCollation(term.expr) ?? body.columns[keyColumns[i]].collation), term.direction === "DESC", term.nulls));
  const limits = compileLimit(limit, env, outer);
  return {
    columns: body.columns,
    get correlated() {
      return body.correlated;
    },
    run(emit) {
      const { limit: max, offset } = limits();
      if (max === 0) return;
      const result = new ResultRows(null, specs.length > 0 ? { specs, keys: (row) => keyColumns.map((c) => row[c]) } : null);
      body.run((row) => {
        result.add(row);
        return true;
      });
      result.emit(offset, max, emit);
    },
  };
}

function explicitCollation(e: Expr): string | null {
  return e.kind === "CollateExpr" ? e.collation.name.toUpperCase() : null;
}

function compoundOrderColumn(term: OrderingTerm, columns: ResultColumnInfo[], position: number): number {
  let e = term.expr;
  if (e.kind === "CollateExpr") e = e.expr;
  const k = integerConstant(e);
  if (k !== null) {
    if (k < 1 || k > columns.length) throw new SqliteError(`${ordinal(position + 1)} ORDER BY term out of range - should be between 1 and ${columns.length}`);
    return k - 1;
  }
  if (e.kind === "ColumnRef" && !e.table) {
    const i = columns.findIndex((c) => foldName(c.name) === foldName(e.column.name));
    if (i >= 0) return i;
  }
  throw new SqliteError(`${ordinal(position + 1)} ORDER BY term does not match any column in the result set`);
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

function integerConstant(e: Expr): number | null {
  if (e.kind === "NumberLiteral" && e.isInteger && typeof e.value === "number") return e.value;
  return null;
}

/** LIMIT and OFFSET, evaluated at the start of each run (-1 limit: none). */
export function compileLimit(limit: Select["limit"], env: CompileEnv, outer: Scope | null): () => { limit: number; offset: number } {
  if (!limit) return () => ({ limit: -1, offset: 0 });
  const ctx = exprContext(new Scope([], outer), env);
  const l = compileExpr(limit.limit, ctx);
  const o = limit.offset ? compileExpr(limit.offset, ctx) : null;
  return () => ({ limit: limitValue(l()), offset: o ? Math.max(0, limitValue(o())) : 0 });
}

function limitValue(v: SqlValue): number {
  const n = typeof v === "string" ? toNumeric(v) : v;
  if (typeof n === "number" && Number.isSafeInteger(n)) return n;
  if (typeof n === "bigint") return n < 0n ? -1 : Number.MAX_SAFE_INTEGER;
  if (n instanceof IntegralReal) return n.value;
  throw new SqliteError("datatype mismatch", "SQLITE_MISMATCH");
}

/** One result column of a core before compilation: an expression with its name. */
export interface Projection {
  expr: Expr;
  name: string;
  alias: boolean;
}

/** Expands `*` and `t.*` and names each result column as SQLite does. */
export function expandResultColumns(columns: ResultColumn[], scope: Scope, env: CompileEnv): Projection[] {
  const out: Projection[] = [];
  for (const rc of columns) {
    if (rc.kind === "ResultExpr") {
      const e = rc.expr;
      const name = rc.alias ? rc.alias.name : e.kind === "ColumnRef" ? columnDisplayName(e, scope) : env.source.slice(e.start, e.end);
      out.push({ expr: e, name, alias: rc.alias !== null });
      continue;
    }
    const table = rc.kind === "ResultTableStar" ? foldName(rc.table.name) : null;
    if (scope.sources.length === 0) throw new SqliteError("no tables specified");
    let matched = false;
    for (const source of scope.sources) {
      if (table !== null && foldName(source.name) !== table) continue;
      matched = true;
      source.columns.forEach((c, i) => {
        if (c.hidden || (table === null && source.usingHidden.has(i))) return;
        // A USING column merged by RIGHT/FULL JOINs shows as its unqualified name does: coalesced.
        const merged = table === null && source.usingCoalesce?.has(i);
        out.push({ expr: starRef(merged ? null : source, c.name, rc), name: c.name, alias: false });
      });
    }
    if (!matched) throw new SqliteError(`no such table: ${rc.kind === "ResultTableStar" ? rc.table.name : ""}`);
  }
  return out;
}

function starRef(source: Source | null, column: string, at: { start: number; end: number }): Expr {
  const span = { start: at.start, end: at.end };
  return {
    kind: "ColumnRef",
    schema: null,
    table: source ? { kind: "Ident", name: source.name, quote: "double", ...span } : null,
    column: { kind: "Ident", name: column, quote: "double", ...span },
    ...span,
  };
}

/** A plain column reference is named by its column (as declared), e.g. `SELECT T.A` gives "a" for a declared `a`. */
function columnDisplayName(e: Extract<Expr, { kind: "ColumnRef" }>, scope: Scope): string {
  const r = scope.resolve(e);
  if (r && r.column >= 0) return r.source.columns[r.column].name;
  return e.column.name;
}

export function columnInfo(p: Projection, scope: Scope): ResultColumnInfo {
  const e = p.expr;
  let declaredType: string | null = null;
  let table: string | null = null;
  let column: string | null = null;
  if (e.kind === "ColumnRef") {
    const r = scope.resolve(e);
    if (r && r.column >= 0) {
      const c = r.source.columns[r.column];
      declaredType = c.declaredType;
      table = c.originTable;
      column = c.originColumn;
    } else if (r) declaredType = "INTEGER";
  }
  return { name: p.name, declaredType, table, column, affinity: exprAffinity(e, scope), collation: exprCollation(e, scope)?.name ?? "BINARY" };
}

/** The state of a core being compiled, shared with aggregate.ts. */
export interface CoreParts {
  env: CompileEnv;
  scope: Scope;
  ctx: ExprContext;
  projections: Projection[];
  /** Runs the FROM/WHERE join loops, calling `body` per qualifying row. */
  loops: (body: Body) => boolean;
  orderBy: OrderingTerm[];
  limits: () => { limit: number; offset: number };
  distinct: boolean;
}

/** FROM and WHERE, planned and compiled into nested loops over a new scope. */
export interface RowLoop {
  from: BuiltFrom;
  scope: Scope;
  ctx: ExprContext;
  loops: (body: Body) => boolean;
  orderSatisfied: boolean;
}

/**
 * Plans and compiles the join loops of a FROM clause with its WHERE. For a
 * query, `beforePlan` runs once the scope exists and before expressions are
 * compiled (to expand result columns and set alias resolution); it says
 * whether the query is an aggregate and may return an ORDER BY request.
 * Without it the loop feeds a DELETE or UPDATE, which reads whole rows.
 */
export function compileRowLoop(
  fromItem: SelectCore["from"],
  where: Expr | null,
  env: CompileEnv,
  outer: Scope | null,
  beforePlan?: (scope: Scope, ctx: ExprContext) => { order: OrderRequest | null; aggregate: boolean },
  extraSources: FromSource[] = [],
): RowLoop {
  const from = buildFrom(fromItem, env, outer, nested);
  from.sources.unshift(...extraSources);
  const scope = new Scope(from.sources.map((s) => s.source), outer);
  const ctx = exprContext(scope, env);
  const { order: orderRequest, aggregate } = beforePlan?.(scope, ctx) ?? { order: null, aggregate: false };
  for (const s of from.sources) s.bindArguments?.((arg) => compileExpr(arg, ctx));
  if (where) checkWhereAggregates(where, scope, aggregate, env);
  // Without a FROM clause there is no level to filter: the WHERE clause decides whether the one row exists.
  const constantWhere = where && from.sources.length === 0 ? compileExpr(where, ctx) : null;
  const terms: Term[] = [];
  if (!constantWhere) for (const e of splitConjuncts(where)) terms.push(makeTerm(e, scope, null, from.sources.length - 1));
  for (const c of from.conditions) for (const e of splitConjuncts(c.expr)) terms.push(makeTerm(e, scope, c.leftJoinOn, c.origin));
  const { levels, orderSatisfied } = planJoin(from.sources.map((s) => s.plan), scope, terms, orderRequest);
  for (const level of levels) {
    const { plan, source } = from.sources[level.source];
    // Whether an index covers a query is known once the whole statement has compiled.
    const used = beforePlan ? source.usedColumns : null;
    env.plan.add(() => describeLevel(plan, level.path, used));
  }
  describeUnmatchedPasses(levels, from.sources.map((s) => s.plan.label), env);
  const joined = joinLoops(levels, from.sources, scope, ctx, env);
  const loops = constantWhere ? (body: Body) => truthValue(constantWhere()) !== true || joined(body) : joined;
  return { from, scope, ctx, loops, orderSatisfied };
}

function compileCore(core: SelectCore, env: CompileEnv, outer: Scope | null, orderBy: OrderingTerm[], limit: Select["limit"]): QueryProgram {
  let projections: Projection[] = [];
  let aggregate = false;
  let windowed = false;
  const loop = compileRowLoop(core.from, core.where, env, outer, (scope, ctx) => {
    projections = expandResultColumns(core.columns, scope, env);
    // Result aliases may be used in WHERE, GROUP BY, HAVING and ORDER BY when no column has the name.
    ctx.resolveAlias = aliasResolver(projections);
    windowed = projections.some((p) => containsWindow(p.expr)) || orderBy.some((o) => containsWindow(o.expr));
    // SQLite rejects an enclosing query's aggregate in a subquery of a windowed query rather than make it an aggregate.
    aggregate =
      core.groupBy.length > 0 ||
      core.having !== null ||
      projections.some((p) => containsAggregate(p.expr, env, scope)) ||
      orderBy.some((o) => containsAggregate(o.expr, env, scope)) ||
      (!windowed && subqueriesAggregateHere(projections, scope, env));
    return { order: aggregate || windowed || core.distinct === "DISTINCT" ? null : orderRequestFor(orderBy, scope, projections), aggregate };
  });
  const parts: CoreParts = {
    env,
    scope: loop.scope,
    ctx: loop.ctx,
    projections,
    loops: loop.loops,
    orderBy,
    limits: compileLimit(limit, env, outer),
    distinct: core.distinct === "DISTINCT",
  };
  if (windowed) return compileWindowQuery(core, parts, aggregate);
  if (aggregate) return compileAggregateQuery(core, parts);
  return compileProjection(parts, loop.orderSatisfied);
}

/**
 * Whether a result column's subquery calls an aggregate over this query's
 * columns only, which makes this query an aggregate (SQLite's rule). Which
 * query a call's arguments read is known once names resolve, so such
 * subqueries are compiled once, for nothing else, with this scope accepting
 * aggregates; only result subqueries that call an aggregate somewhere pay for it.
 */
function subqueriesAggregateHere(projections: Projection[], scope: Scope, env: CompileEnv): boolean {
  const subqueries: Select[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "SubqueryExpr" || e.kind === "ExistsExpr" || e.kind === "InSelectExpr") subqueries.push(e.select);
    forEachChild(e, visit);
  };
  for (const p of projections) visit(p.expr);
  if (!subqueries.some((select) => callsFunction(select, (call) => isAggregateCall(call, env)))) return false;
  let found = false;
  scope.aggregates = () => {
    found = true;
    return () => null;
  };
  const probeEnv: CompileEnv = { ...env, plan: new PlanCollector(), subqueries: { count: 0 } };
  try {
    for (const select of subqueries) {
      if (found) break;
      subqueryProgram(select, probeEnv, scope);
    }
  } catch {
    // The real compilation reports the error.
  } finally {
    scope.aggregates = undefined;
  }
  return found;
}

function aliasResolver(projections: Projection[]): (name: string) => Expr | undefined {
  return (name) => projections.find((p) => p.alias && foldName(p.name) === foldName(name))?.expr;
}

function makeTerm(expr: Expr, scope: Scope, leftJoinOn: number | null, origin: number): Term {
  const { sources, opaque } = analyzeSources(expr, scope);
  return { expr, sources, opaque, leftJoinOn, origin };
}

/** The ORDER BY as a single source's column order, when it is one (for index-ordered scans). */
function orderRequestFor(orderBy: OrderingTerm[], scope: Scope, projections: Projection[]): OrderRequest | null {
  if (orderBy.length === 0) return null;
  let source = -1;
  const columns: OrderRequest["columns"] = [];
  for (const term of orderBy) {
    if (term.nulls !== null) return null;
    let e = term.expr;
    let collation: string | null = null;
    if (e.kind === "CollateExpr") {
      collation = e.collation.name.toUpperCase();
      e = e.expr;
    }
    const k = integerConstant(e);
    if (k !== null && k >= 1 && k <= projections.length) e = projections[k - 1].expr;
    if (e.kind !== "ColumnRef") return null;
    const r = scope.resolve(e);
    if (!r || r.depth !== 0) return null;
    const s = scope.sources.indexOf(r.source);
    if (source >= 0 && s !== source) return null;
    source = s;
    columns.push({ column: r.column, desc: term.direction === "DESC", collation: collation ?? (r.column >= 0 ? r.source.columns[r.column].collation : "BINARY") });
  }
  return { source, columns };
}

/** Nests the level loops: the first level is the outermost. */
function joinLoops(levels: ReturnType<typeof planJoin>["levels"], sources: FromSource[], scope: Scope, ctx: ExprContext, env: CompileEnv): (body: Body) => boolean {
  const compiledTerms = new Map<IndexableTerm, CompiledTerm>();
  const compileTerm = (form: IndexableTerm): CompiledTerm => {
    let t = compiledTerms.get(form);
    if (t) return t;
    const columnAffinity = form.column < 0 ? "integer" : scope.sources[form.source].columns[form.column].affinity;
    const probe = (e: Expr) => ({ eval: compileExpr(e, ctx), affinity: comparisonAffinity(columnAffinity, exprAffinity(e, scope)) });
    let subquery: (() => SqlValue[]) | null = null;
    if (form.subquery) {
      const sub = subqueryProgram(form.subquery, env, scope);
      subquery = () => {
        const values: SqlValue[] = [];
        sub.run((row) => {
          values.push(row[0]);
          return true;
        });
        return values;
      };
    }
    t = { form, value: form.value ? probe(form.value) : null, list: form.list ? form.list.map(probe) : null, subquery, subqueryAffinity: columnAffinity, collation: form.collation };
    compiledTerms.set(form, t);
    return t;
  };
  const joinLevels: JoinLevel[] = levels.map((level) => ({
    level,
    source: sources[level.source].loop,
    filters: level.filters.map((t) => compileExpr(t.expr, ctx)),
    joinFilters: level.joinFilters.map((t) => compileExpr(t.expr, ctx)),
  }));
  return composeJoinLoops(joinLevels, compileTerm, env);
}

/** A non-aggregate core: evaluate the result columns per row, then DISTINCT, ORDER BY, LIMIT. */
function compileProjection(parts: CoreParts, orderSatisfied: boolean): QueryProgram {
  const { scope, ctx, projections, env } = parts;
  const columns = projections.map((p) => columnInfo(p, scope));
  const evals = projections.map((p) => compileExpr(p.expr, ctx));
  const width = evals.length;
  const sort = orderSatisfied ? null : compileOrderBy(parts.orderBy, projections, ctx, scope);
  if (sort) env.plan.add("USE TEMP B-TREE FOR ORDER BY");
  const folds = columns.map((c) => foldFor(c.collation));
  if (parts.distinct) env.plan.add("USE TEMP B-TREE FOR DISTINCT");
  const distinct = parts.distinct;
  return {
    columns,
    get correlated() {
      return scope.correlated;
    },
    run(emit) {
      const { limit, offset } = parts.limits();
      if (limit === 0) return;
      if (!sort) {
        const seen = distinct ? new Set<string>() : null;
        let skip = offset;
        let left = limit;
        parts.loops(() => {
          const row: SqlValue[] = new Array(width);
          for (let i = 0; i < width; i++) row[i] = evals[i]();
          if (seen) {
            const k = rowKey(row, folds);
            if (seen.has(k)) return true;
            seen.add(k);
          }
          if (skip > 0) {
            skip--;
            return true;
          }
          if (!emit(row)) return false;
          return --left !== 0;
        });
        return;
      }
      const result = new ResultRows(distinct ? folds : null, sort);
      parts.loops(() => {
        const row: SqlValue[] = new Array(width);
        for (let i = 0; i < width; i++) row[i] = evals[i]();
        result.add(row);
        return true;
      });
      result.emit(offset, limit, emit);
    },
  };
}

/** ORDER BY of a core: each key is a result column (by number or alias) or an expression over the sources. */
export function compileOrderBy(orderBy: OrderingTerm[], projections: Projection[], ctx: ExprContext, scope: Scope): { specs: SortKeySpec[]; keys: (row: SqlValue[]) => SqlValue[] } | null {
  if (orderBy.length === 0) return null;
  const getters: ((row: SqlValue[]) => SqlValue)[] = [];
  const specs: SortKeySpec[] = [];
  orderBy.forEach((term, position) => {
    let e = term.expr;
    let collation: string | null = null;
    if (e.kind === "CollateExpr") {
      collation = e.collation.name.toUpperCase();
      e = e.expr;
    }
    const k = integerConstant(e);
    let column = -1;
    if (k !== null) {
      if (k < 1 || k > projections.length) throw new SqliteError(`${ordinal(position + 1)} ORDER BY term out of range - should be between 1 and ${projections.length}`);
      column = k - 1;
    } else if (e.kind === "ColumnRef" && !e.table) {
      const name = foldName(e.column.name);
      column = projections.findIndex((p) => p.alias && foldName(p.name) === name);
    }
    if (column >= 0) {
      const c = column;
      getters.push((row) => row[c]);
      specs.push(sortKeySpec(collationByName(collation ?? exprCollation(projections[c].expr, scope)?.name ?? "BINARY"), term.direction === "DESC", term.nulls));
      return;
    }
    const ev: Evaluator = compileExpr(e, ctx);
    getters.push(() => ev());
    specs.push(sortKeySpec(collationByName(collation ?? exprCollation(e, scope)?.name ?? "BINARY"), term.direction === "DESC", term.nulls));
  });
  return { specs, keys: (row) => getters.map((g) => g(row)) };
}

/** Rows of a CTE: plain CTEs materialize their query; recursive ones iterate to a fixpoint. */
function cteRows(binding: CteBinding, env: CompileEnv, outer: Scope | null): { program: QueryProgram; rows: () => SqlValue[][] } {
  const { cte } = binding;
  const active = recursionRows.get(binding);
  if (active) return active;
  const cteEnv: CompileEnv = { ...env, ctes: binding.frame };
  const body = cte.select.body;
  const selfReferencing = binding.recursive && body.kind === "CompoundSelect" && (body.op === "UNION" || body.op === "UNION ALL") && referencesName(body.right, cte.name.name);
  if (!selfReferencing) {
    // A CTE does not see itself unless RECURSIVE: hide it while compiling its body.
    const hidden: CompileEnv = { ...cteEnv, ctes: { ctes: new Map([...binding.frame.ctes].filter(([, b]) => b !== binding)), parent: binding.frame.parent } };
    const program = renameColumns(compileQuery(cte.select, binding.recursive ? cteEnv : hidden, outer), cte);
    return { program, rows: materialize(program, env) };
  }
  const compound = body as CompoundSelect;
  const initial = renameColumns(compileBody(compound.left, cteEnv, outer), cte);
  let current: SqlValue[][] = [];
  const self = { program: initial, rows: () => current };
  recursionRows.set(binding, self);
  let recursive: QueryProgram;
  try {
    recursive = compileBody(compound.right, cteEnv, outer);
  } finally {
    recursionRows.delete(binding);
  }
  if (recursive.columns.length !== initial.columns.length) {
    throw new SqliteError(`SELECTs to the left and right of ${compound.op} do not have the same number of result columns`);
  }
  const distinct = compound.op === "UNION";
  const folds = initial.columns.map((c) => foldFor(c.collation));
  const limits = compileLimit(cte.select.limit, env, outer);
  const rt = env.runtime;
  let cachedFor = -1;
  let cached: SqlValue[][] = [];
  const rows = (): SqlValue[][] => {
    if (cachedFor === rt.executionId && !initial.correlated) return cached;
    const { limit } = limits();
    const out: SqlValue[][] = [];
    const seen = distinct ? new Set<string>() : null;
    const queue: SqlValue[][] = [];
    const add = (row: SqlValue[]): boolean => {
      if (seen) {
        const k = rowKey(row, folds);
        if (seen.has(k)) return true;
        seen.add(k);
      }
      queue.push(row);
      return true;
    };
    initial.run(add);
    while (queue.length > 0) {
      rt.tick();
      const row = queue.shift() as SqlValue[];
      out.push(row);
      if (limit >= 0 && out.length >= limit) break;
      current = [row];
      recursive.run(add);
    }
    cached = out;
    cachedFor = rt.executionId;
    return out;
  };
  return { program: initial, rows };
}

const recursionRows = new Map<CteBinding, { program: QueryProgram; rows: () => SqlValue[][] }>();

function renameColumns(program: QueryProgram, cte: CteBinding["cte"]): QueryProgram {
  if (!cte.columns) return program;
  if (cte.columns.length !== program.columns.length) {
    throw new SqliteError(`table ${cte.name.name} has ${program.columns.length} values for ${cte.columns.length} columns`);
  }
  const names = cte.columns.map((c) => c.name);
  return {
    columns: program.columns.map((c, i) => ({ ...c, name: names[i] })),
    run: (emit) => program.run(emit),
    get correlated() {
      return program.correlated;
    },
  };
}

function referencesName(body: SelectBody, name: string): boolean {
  const key = foldName(name);
  const inFrom = (item: SelectCore["from"]): boolean => {
    if (!item) return false;
    switch (item.kind) {
      case "TableRef":
        return foldName(item.name.name) === key;
      case "Join":
        return inFrom(item.left) || inFrom(item.right);
      default:
        return false;
    }
  };
  switch (body.kind) {
    case "SelectCore":
      return inFrom(body.from);
    case "CompoundSelect":
      return referencesName(body.left, name) || referencesName(body.right, name);
    default:
      return false;
  }
}
