// FROM clause: turns the join tree into a flat list of sources (tables,
// views, subqueries, CTEs, table-valued functions) with the conditions the
// joins imply (ON, USING, NATURAL), ready for the planner.
import { SqliteError } from "../errors.js";
import type { PlanSource } from "../plan/access.js";
import type { Scope, Source, SourceColumn } from "../plan/scope.js";
import { foldName, type Index, type Table } from "../schema/schema.js";
import type { Expr, FromItem, Ident, JoinType, Select } from "../sql/ast.js";
import type { SqlValue } from "../value/types.js";
import { shortRecordDefaults } from "./alter-defaults.js";
import type { CompileEnv, CteBinding } from "./compile-env.js";
import type { Evaluator } from "./compile-expr.js";
import { bindVirtualColumns } from "./generated.js";
import { pragmaTableFunction } from "./pragma-function.js";
import { ArrayRowSlot } from "./row-slot.js";
import type { LoopSource } from "./scan.js";
import type { QueryProgram } from "./select-types.js";
import type { TableValuedFunction } from "./table-function.js";
import { TableRowSlot } from "./table-slot.js";

export interface FromSource {
  source: Source;
  plan: PlanSource;
  loop: LoopSource;
  /** For table-valued functions: compiles the arguments once the query's scope exists. */
  bindArguments?: (compile: (arg: Expr) => Evaluator) => void;
}

/**
 * A condition contributed by a join: `leftJoinOn` names the right-hand source
 * of a LEFT, RIGHT or FULL JOIN whose ON (or USING) clause it is, `origin`
 * the right-hand source of the join that wrote it.
 */
export interface JoinCondition {
  expr: Expr;
  leftJoinOn: number | null;
  origin: number;
}

export interface BuiltFrom {
  sources: FromSource[];
  conditions: JoinCondition[];
}

/** How the FROM builder compiles nested queries (views, subqueries, CTEs); provided by select.ts. */
export interface NestedCompiler {
  compileQuery(select: Select, env: CompileEnv, outer: Scope | null): QueryProgram;
  /** Rows of a CTE, materialized once per execution (recursive CTEs included). */
  cteRows(binding: CteBinding, env: CompileEnv, outer: Scope | null): { program: QueryProgram; rows: () => SqlValue[][] };
}

export function buildFrom(from: FromItem | null, env: CompileEnv, outer: Scope | null, nested: NestedCompiler): BuiltFrom {
  const out: BuiltFrom = { sources: [], conditions: [] };
  if (from) addItem(from, ",", env, outer, nested, out);
  return out;
}

function addItem(item: FromItem, join: JoinType, env: CompileEnv, outer: Scope | null, nested: NestedCompiler, out: BuiltFrom): void {
  if (item.kind !== "Join") {
    out.sources.push(buildSource(item, join, env, outer, nested));
    return;
  }
  addItem(item.left, join, env, outer, nested, out);
  const leftCount = out.sources.length;
  addItem(item.right, item.type, env, outer, nested, out);
  const right = out.sources.length - 1;
  const outerJoin = item.type === "LEFT" || item.type === "RIGHT" || item.type === "FULL";
  const leftJoinOn = outerJoin ? right : null;
  let using = item.using?.map((i) => i.name) ?? null;
  if (item.natural) {
    if (item.on || item.using) throw new SqliteError("a NATURAL join may not have an ON or USING clause");
    const rightCols = out.sources[right].source.columns;
    using = rightCols
      .filter((c) => !c.hidden && out.sources.slice(0, leftCount).some((s) => s.source.columns.some((lc) => !lc.hidden && foldName(lc.name) === foldName(c.name))))
      .map((c) => c.name);
  }
  for (const name of using ?? []) {
    const condition = usingCondition(name, out.sources.slice(0, leftCount), out.sources[right].source, item.type, { start: item.start, end: item.end });
    out.conditions.push({ expr: condition, leftJoinOn, origin: right });
  }
  if (item.on) out.conditions.push({ expr: item.on, leftJoinOn, origin: right });
}

/**
 * The equality a USING column implies, merging the right-hand column into the
 * left one: `*` and the unqualified name then show the left column, or, once
 * a RIGHT or FULL JOIN may leave it NULL, the first non-NULL of the merged
 * columns (as SQLite does).
 */
function usingCondition(name: string, lefts: FromSource[], rightSource: Source, type: JoinType, span: { start: number; end: number }): Expr {
  const rc = rightSource.columns.findIndex((c) => foldName(c.name) === foldName(name));
  let lc = -1;
  const left = lefts.find((s) => {
    lc = s.source.columns.findIndex((c, i) => foldName(c.name) === foldName(name) && !s.source.usingHidden.has(i));
    return lc >= 0;
  });
  if (rc < 0 || !left) throw new SqliteError(`cannot join using column ${name} - column not present in both tables`);
  rightSource.usingHidden.add(rc);
  const ref = (source: Source, column: number): Expr => ({
    kind: "ColumnRef",
    schema: null,
    table: { kind: "Ident", name: source.name, quote: "double", ...span },
    column: { kind: "Ident", name: source.columns[column].name, quote: "double", ...span },
    ...span,
  });
  const merged = left.source.usingCoalesce?.get(lc) ?? [];
  const leftValue: Expr =
    merged.length === 0
      ? ref(left.source, lc)
      : {
          kind: "FunctionCall",
          name: { kind: "Ident", name: "coalesce", quote: "none", ...span },
          distinct: false,
          star: false,
          args: [ref(left.source, lc), ...merged.map((m) => ref(m.source, m.column))],
          orderBy: [],
          filter: null,
          over: null,
          ...span,
        };
  if (type === "RIGHT" || type === "FULL") (left.source.usingCoalesce ??= new Map()).set(lc, [...merged, { source: rightSource, column: rc }]);
  return { kind: "BinaryExpr", op: "=", left: leftValue, right: ref(rightSource, rc), ...span };
}

function buildSource(item: Exclude<FromItem, { kind: "Join" }>, join: JoinType, env: CompileEnv, outer: Scope | null, nested: NestedCompiler): FromSource {
  switch (item.kind) {
    case "TableRef": {
      const name = item.name.name;
      const alias = item.alias?.name ?? null;
      const cte = item.schema ? undefined : findCte(env, name);
      if (cte) {
        const { program, rows } = nested.cteRows(cte, env, outer);
        env.plan.add(`SCAN ${alias ?? name}`);
        return rowsSource(alias ?? name, program, rows, join);
      }
      checkSchemaName(item.schema);
      const table = env.schema.table(name);
      if (table) return tableSource(table, alias, join, item, env);
      const view = env.schema.view(name);
      if (view) {
        const viewEnv: CompileEnv = { ...env, source: view.sql, ctes: null };
        const program = env.plan.nest(`CO-ROUTINE ${view.name}`, () => nested.compileQuery(view.select, viewEnv, null));
        if (view.columnNames) {
          if (view.columnNames.length !== program.columns.length) {
            throw new SqliteError(`expected ${view.columnNames.length} columns for '${view.name}' but got ${program.columns.length}`);
          }
          program.columns.forEach((c, i) => (c.name = (view.columnNames as string[])[i]));
        }
        env.plan.add(`SCAN ${alias ?? view.name}`);
        return rowsSource(alias ?? view.name, program, materialize(program, env), join);
      }
      // A pragma function may be named without arguments, as a table.
      const pragma = item.schema ? undefined : pragmaTableFunction(name.toLowerCase(), env);
      if (pragma) return tableFunctionSource(pragma, item.alias, [], join, env);
      throw new SqliteError(`no such table: ${item.schema ? item.schema.name + "." : ""}${name}`);
    }
    case "SubqueryRef": {
      const n = ++env.subqueries.count;
      const program = env.plan.nest(`CO-ROUTINE (subquery-${n})`, () => nested.compileQuery(item.select, env, outer));
      const name = item.alias?.name ?? `(subquery-${n})`;
      env.plan.add(`SCAN ${name}`);
      return rowsSource(name, program, materialize(program, env), join);
    }
    case "TableFunctionRef": {
      const name = item.name.name.toLowerCase();
      const fn = env.lookupTableFunction(name) ?? pragmaTableFunction(name, env);
      if (!fn) throw new SqliteError(`no such table: ${item.name.name}`);
      return tableFunctionSource(fn, item.alias, item.args, join, env);
    }
  }
}

function tableFunctionSource(fn: TableValuedFunction, alias: Ident | null, args: Expr[], join: JoinType, env: CompileEnv): FromSource {
  if (args.length > fn.maxArgs) throw new SqliteError(`too many arguments on ${fn.name}() - max ${fn.maxArgs}`);
  if (args.length < fn.minArgs) throw new SqliteError(`not enough arguments on ${fn.name}()`);
  const columns: SourceColumn[] = [...fn.columns.map((c) => column(c, false)), ...fn.hiddenColumns.map((c) => column(c, true))];
  const name = alias?.name ?? fn.name;
  const slot = new ArrayRowSlot();
  // Arguments may read sources to the left (`FROM t, json_each(t.doc)`), so they
  // are compiled once the query's scope exists, and evaluated at each loop start.
  let argEvaluators: Evaluator[] = [];
  const rows = (): SqlValue[][] => Array.from(fn.rows(argEvaluators.map((a) => a())));
  env.plan.add(`SCAN ${name} VIRTUAL TABLE INDEX 0:`);
  return {
    source: newSource(name, columns, slot, false, -1),
    plan: { label: name, table: null, join, indexHint: null, lateral: args.length > 0 },
    loop: { kind: "rows", slot, rows, rowids: true },
    bindArguments: (compile) => {
      argEvaluators = args.map(compile);
    },
  };
}

function column(name: string, hidden: boolean): SourceColumn {
  return { name, affinity: "none", collation: "BINARY", declaredType: null, originTable: null, originColumn: null, hidden };
}

function newSource(name: string, columns: SourceColumn[], slot: Source["slot"], hasRowid: boolean, rowidAlias: number): Source {
  return { name, columns, slot, hasRowid, rowidAlias, usingHidden: new Set(), usingCoalesce: new Map(), usedColumns: new Set() };
}

/** A table's columns as a FROM source describes them. */
export function tableSourceColumns(table: Table): SourceColumn[] {
  return table.columns.map((c) => ({
    name: c.name,
    affinity: c.affinity,
    collation: c.collation,
    declaredType: c.declaredType || null,
    originTable: table.name,
    originColumn: c.name,
    hidden: false,
  }));
}

function tableSource(table: Table, alias: string | null, join: JoinType, item: Extract<FromItem, { kind: "TableRef" }>, env: CompileEnv): FromSource {
  const slot = new TableRowSlot(table);
  const defaults = shortRecordDefaults(table);
  if (defaults) slot.setDefaults(defaults);
  bindVirtualColumns(slot, table, env);
  const columns = tableSourceColumns(table);
  let indexHint: PlanSource["indexHint"] = null;
  if (item.indexHint?.kind === "NotIndexed") indexHint = { kind: "NotIndexed" };
  else if (item.indexHint?.kind === "IndexedBy") {
    const index: Index | undefined = table.indexes.find((i) => foldName(i.name) === foldName((item.indexHint as { name: Ident }).name.name));
    if (!index) throw new SqliteError(`no such index: ${item.indexHint.name.name}`);
    indexHint = { kind: "IndexedBy", index };
  }
  const name = alias ?? table.name;
  const source = newSource(name, columns, slot, !table.withoutRowid, table.rowidAlias);
  return {
    source,
    plan: { label: alias ?? table.name, table, join, indexHint },
    loop: { kind: "table", table, slot, tx: env.tx, used: source.usedColumns },
  };
}

function rowsSource(name: string, program: QueryProgram, rows: () => SqlValue[][], join: JoinType): FromSource {
  const slot = new ArrayRowSlot();
  const columns: SourceColumn[] = program.columns.map((c) => ({
    name: c.name,
    affinity: c.affinity,
    collation: c.collation,
    declaredType: c.declaredType,
    originTable: c.table,
    originColumn: c.column,
    hidden: false,
  }));
  return {
    source: newSource(name, columns, slot, false, -1),
    plan: { label: name, table: null, join, indexHint: null },
    loop: { kind: "rows", slot, rows, rowids: false },
  };
}

/** Runs a query once per statement execution (again each time when it reads outer rows). */
export function materialize(program: QueryProgram, env: CompileEnv): () => SqlValue[][] {
  const rt = env.runtime;
  let cachedFor = -1;
  let cached: SqlValue[][] = [];
  return () => {
    if (program.correlated || cachedFor !== rt.executionId) {
      const rows: SqlValue[][] = [];
      program.run((row) => {
        rows.push(row);
        return true;
      });
      cached = rows;
      cachedFor = rt.executionId;
    }
    return cached;
  };
}

function findCte(env: CompileEnv, name: string): CteBinding | undefined {
  const key = foldName(name);
  for (let frame = env.ctes; frame; frame = frame.parent) {
    const b = frame.ctes.get(key);
    if (b) return b;
  }
  return undefined;
}

function checkSchemaName(schema: Ident | null): void {
  if (schema && !["main", "temp"].includes(foldName(schema.name))) throw new SqliteError(`unknown database ${schema.name}`);
}
