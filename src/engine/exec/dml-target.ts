// What INSERT, UPDATE and DELETE share about their target table: finding
// it (and refusing views and the schema table), compiling the table's own
// expressions (CHECK, index expressions, partial-index WHERE, DEFAULTs)
// against its stored CREATE text, and RETURNING clauses.
import type { WriteTransaction } from "../btree/index.js";
import { rowCaptureFor } from "../cdc/capture.js";
import { SqliteError } from "../errors.js";
import { GENERATED_WITHOUT_ROWID } from "../plan/generated-columns.js";
import { Scope, type Source } from "../plan/scope.js";
import { foldName, type Table } from "../schema/schema.js";
import type { Ident, ResultColumn } from "../sql/ast.js";
import type { SqlValue } from "../value/types.js";
import { constantDefault } from "./alter-defaults.js";
import type { CompileEnv } from "./compile-env.js";
import { compileExpr, type Evaluator, type ExprContext } from "./compile-expr.js";
import { tableSourceColumns } from "./from.js";
import { compileGenerated } from "./generated.js";
import { ArrayRowSlot } from "./row-slot.js";
import { columnInfo, expandResultColumns, exprContext } from "./select.js";
import type { ResultColumnInfo } from "./select-types.js";
import type { RowWriter } from "./row-writer.js";
import { TableWriter, type TableExprs } from "./table-writer.js";
import { WithoutRowidWriter } from "./without-rowid-writer.js";

export function targetTable(env: CompileEnv, schema: Ident | null, name: Ident): Table {
  if (schema && !["main", "temp"].includes(foldName(schema.name))) throw new SqliteError(`unknown database ${schema.name}`);
  const key = foldName(name.name);
  if (key === "sqlite_schema" || key === "sqlite_master") throw new SqliteError(`table ${name.name} may not be modified`);
  const table = env.schema.table(name.name);
  if (table) return table;
  if (env.schema.view(name.name)) throw new SqliteError(`cannot modify ${name.name} because it is a view`);
  throw new SqliteError(`no such table: ${name.name}`);
}

/** A one-source scope over a row held in an array slot (the candidate row, NEW/OLD, RETURNING). */
export function rowScope(table: Table, name: string, slot: ArrayRowSlot, outer: Scope | null = null): Scope {
  const source: Source = {
    name,
    columns: tableSourceColumns(table),
    slot,
    hasRowid: !table.withoutRowid,
    rowidAlias: table.rowidAlias,
    usingHidden: new Set(),
    usedColumns: new Set(),
  };
  return new Scope([source], outer);
}

/** An expression context for expressions stored in the schema (their offsets refer to the table's SQL). */
export function tableExprContext(env: CompileEnv, table: Table, scope: Scope): ExprContext {
  return exprContext(scope, { ...env, source: table.sql, ctes: null });
}

/** A TableWriter (rowid tables) with the table's CHECK and index expressions compiled. */
export function tableWriter(env: CompileEnv, table: Table, tx: () => WriteTransaction): TableWriter {
  return new TableWriter(table, tableExprs(env, table), tx, env.maxValueLength, rowCaptureFor(env, table));
}

/** The writer for the table's layout: a TableWriter, or a WithoutRowidWriter for a WITHOUT ROWID table. */
export function rowWriter(env: CompileEnv, table: Table, tx: () => WriteTransaction): RowWriter {
  if (table.withoutRowid) {
    // CREATE TABLE refuses these; a database file made elsewhere may still hold one.
    if (table.columns.some((c) => c.generated)) throw new SqliteError(GENERATED_WITHOUT_ROWID);
    return new WithoutRowidWriter(table, tableExprs(env, table), tx, env.maxValueLength, rowCaptureFor(env, table));
  }
  return tableWriter(env, table, tx);
}

function tableExprs(env: CompileEnv, table: Table): TableExprs {
  const slot = new ArrayRowSlot();
  const scope = rowScope(table, table.name, slot);
  const ctx = tableExprContext(env, table, scope);
  // Generated expressions may not name the rowid (only an INTEGER PRIMARY KEY column).
  const generated = compileGenerated(table, tableExprContext(env, table, new Scope([{ ...scope.sources[0], hasRowid: false }], null)));
  const exprs: TableExprs = {
    generated,
    virtual: generated.filter((g) => !table.columns[g.column].generated?.stored),
    slot,
    checks: table.checks.map((check) => ({ check, eval: compileExpr(check.expr, ctx) })),
    indexes: table.indexes.map((index) => {
      const indexCtx = index.sql ? { ...ctx, source: index.sql } : ctx;
      return {
        columns: index.columns.map((c) => (c.expr ? compileExpr(c.expr, indexCtx) : null)),
        where: index.where ? compileExpr(index.where, indexCtx) : null,
      };
    }),
  };
  return exprs;
}

/** DEFAULT value evaluators per column (NULL when none). */
export function defaultEvaluators(env: CompileEnv, table: Table): Evaluator[] {
  const ctx = tableExprContext(env, table, new Scope([], null));
  return table.columns.map((c) => {
    if (!c.default) return () => null;
    // `DEFAULT abc` (a bare word, parsed as a column name) is the string 'abc'; TRUE/FALSE are 1/0.
    if (c.default.kind === "ColumnRef") {
      const value = constantDefault(c.default) ?? null;
      return () => value;
    }
    return compileExpr(c.default, ctx);
  });
}

/** A compiled RETURNING clause over the written (or deleted) row. */
export interface Returning {
  columns: ResultColumnInfo[];
  /** Evaluates the clause for a row (values by column, and its rowid). */
  row(values: readonly SqlValue[], rowid: SqlValue): SqlValue[];
}

export function compileReturning(env: CompileEnv, table: Table, name: string, returning: ResultColumn[] | null): Returning | null {
  if (!returning) return null;
  const slot = new ArrayRowSlot();
  const scope = rowScope(table, name, slot);
  const ctx = exprContext(scope, env);
  const projections = expandResultColumns(returning, scope, env);
  const evals = projections.map((p) => compileExpr(p.expr, ctx));
  return {
    columns: projections.map((p) => columnInfo(p, scope)),
    row(values, rowid) {
      slot.row = values;
      slot.rowidValue = rowid;
      return evals.map((e) => e());
    },
  };
}
