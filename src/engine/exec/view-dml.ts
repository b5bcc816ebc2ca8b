// INSERT, UPDATE and DELETE on a view: allowed only through INSTEAD OF
// triggers, which run once per affected view row with NEW (the inserted or
// updated row) and OLD (the view row before the change). The view itself is
// never written, and, as in SQLite, such statements report no changes().
import { SqliteError } from "../errors.js";
import { foldName, type View } from "../schema/schema.js";
import type { Delete, Expr, Insert, Update } from "../sql/ast.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import { compileExpr, type ExprContext } from "./compile-expr.js";
import type { StatementProgram } from "./program.js";
import { compileQuery, compileRowLoop } from "./select.js";
import { TriggerPrograms, type TriggerEvent, type TriggerRowShape } from "./trigger.js";

/** The view a DML statement targets when its name is a view (not a table), else null. */
export function targetView(env: CompileEnv, name: string): View | null {
  return env.schema.table(name) ? null : (env.schema.view(name) ?? null);
}

export function viewShape(env: CompileEnv, view: View): TriggerRowShape {
  const query = compileQuery(view.select, { ...env, source: view.sql, ctes: null, outer: null }, null);
  return {
    name: view.name,
    columns: query.columns.map((c, i) => ({ name: view.columnNames?.[i] ?? c.name, affinity: c.affinity, collation: c.collation, declaredType: c.declaredType })),
    rowidAlias: -1,
    hasRowid: true,
  };
}

function insteadOf(env: CompileEnv, view: View, event: TriggerEvent, shape: TriggerRowShape, columns: number[] | null): TriggerPrograms {
  const triggers = new TriggerPrograms(env, shape, event, columns);
  if (triggers.instead.length === 0) throw new SqliteError(`cannot modify ${view.name} because it is a view`);
  return triggers;
}

function viewProgram(run: () => void): StatementProgram {
  return { columns: [], writes: true, changesSchema: false, countsChanges: true, run: () => run() };
}

function columnIndex(shape: TriggerRowShape, name: string): number {
  const i = shape.columns.findIndex((c) => foldName(c.name) === foldName(name));
  if (i < 0) throw new SqliteError(`no such column: ${name}`);
  return i;
}

export function compileViewInsert(stmt: Insert, env: CompileEnv, view: View): StatementProgram {
  if (stmt.returning) throw new SqliteError("cannot use RETURNING on a view");
  if (stmt.upserts.length > 0) throw new SqliteError("cannot UPSERT a view");
  const shape = viewShape(env, view);
  const triggers = insteadOf(env, view, "INSERT", shape, null);
  const targets = stmt.columns ? stmt.columns.map((c) => columnIndex(shape, c.name)) : shape.columns.map((_, i) => i);
  const width = shape.columns.length;
  let rows: () => SqlValue[][];
  if (stmt.source.kind === "DefaultValues") rows = () => [[]];
  else {
    const query = compileQuery(stmt.source, env, env.outer);
    if (query.columns.length !== targets.length) {
      throw new SqliteError(stmt.columns ? `${query.columns.length} values for ${targets.length} columns` : `table ${view.name} has ${targets.length} columns but ${query.columns.length} values were supplied`);
    }
    rows = () => {
      const out: SqlValue[][] = [];
      query.run((row) => {
        out.push(row);
        return true;
      });
      return out;
    };
  }
  const rt = env.runtime;
  return viewProgram(() => {
    for (const source of rows()) {
      rt.tick();
      const row: SqlValue[] = new Array(width).fill(null);
      targets.forEach((t, i) => (row[t] = source[i] ?? null));
      triggers.fire(triggers.instead, null, null, row, null);
    }
  });
}

/** Loops over the view's rows matching WHERE, calling `each` with the row's values. */
function viewRows(stmt: Update | Delete, env: CompileEnv, shape: TriggerRowShape): { run: (each: (row: SqlValue[]) => void) => void; ctx: ExprContext } {
  const loop = compileRowLoop(stmt.table, stmt.where, env, env.outer);
  const slot = loop.scope.sources[0].slot;
  const width = shape.columns.length;
  return {
    ctx: loop.ctx,
    run(each) {
      const rows: SqlValue[][] = [];
      loop.loops(() => {
        const row: SqlValue[] = new Array(width);
        for (let i = 0; i < width; i++) row[i] = slot.column(i);
        rows.push(row);
        return true;
      });
      for (const row of rows) each(row);
    },
  };
}

export function compileViewUpdate(stmt: Update, env: CompileEnv, view: View): StatementProgram {
  if (stmt.returning) throw new SqliteError("cannot use RETURNING on a view");
  if (stmt.from) throw new SqliteError("UPDATE ... FROM on a view is not supported");
  const shape = viewShape(env, view);
  const assigned: { column: number; value: Expr }[] = stmt.set.map((s) => {
    if (s.columns.length !== 1) throw new SqliteError("row value assignments in UPDATE are not supported yet");
    return { column: columnIndex(shape, s.columns[0].name), value: s.value };
  });
  const triggers = insteadOf(env, view, "UPDATE", shape, assigned.map((a) => a.column));
  const rows = viewRows(stmt, env, shape);
  const values = assigned.map((a) => compileExpr(a.value, rows.ctx));
  const rt = env.runtime;
  return viewProgram(() => {
    const pending: { old: SqlValue[]; next: SqlValue[] }[] = [];
    rows.run((old) => {
      const next = old.slice();
      assigned.forEach((a, i) => (next[a.column] = values[i]()));
      pending.push({ old, next });
    });
    for (const { old, next } of pending) {
      rt.tick();
      triggers.fire(triggers.instead, old, null, next, null);
    }
  });
}

export function compileViewDelete(stmt: Delete, env: CompileEnv, view: View): StatementProgram {
  if (stmt.returning) throw new SqliteError("cannot use RETURNING on a view");
  const shape = viewShape(env, view);
  const triggers = insteadOf(env, view, "DELETE", shape, null);
  const rows = viewRows(stmt, env, shape);
  const rt = env.runtime;
  return viewProgram(() => {
    const doomed: SqlValue[][] = [];
    rows.run((old) => doomed.push(old));
    for (const old of doomed) {
      rt.tick();
      triggers.fire(triggers.instead, old, null, null, null);
    }
  });
}
