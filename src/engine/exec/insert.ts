// INSERT and REPLACE: rows from VALUES, a SELECT or DEFAULT VALUES, mapped
// onto the table's columns, completed with defaults and rowids, written
// through the TableWriter with the statement's conflict resolution, plus
// UPSERT (ON CONFLICT ... DO NOTHING / DO UPDATE) and RETURNING.
import { SqliteError } from "../errors.js";
import { Scope } from "../plan/scope.js";
import { foldName, type Table } from "../schema/schema.js";
import type { Insert, Upsert } from "../sql/ast.js";
import { truthValue } from "../value/arith.js";
import type { SqlValue } from "../value/types.js";
import { readSequence, writeSequence } from "./autoincrement.js";
import type { CompileEnv } from "./compile-env.js";
import { compileExpr, type Evaluator } from "./compile-expr.js";
import { compileReturning, defaultEvaluators, rowScope, rowWriter, tableExprContext, targetTable } from "./dml-target.js";
import { rowidOf, type RowKey, type RowWriter } from "./row-writer.js";
import type { StatementProgram } from "./program.js";
import { ArrayRowSlot } from "./row-slot.js";
import { compileQuery, withCtes } from "./select.js";
import { ForeignKeys } from "./foreign-key.js";
import { compileViewInsert, targetView } from "./view-dml.js";
import { rowidFromValue } from "./table-writer.js";
import { tableShape, TriggerPrograms } from "./trigger.js";

const ROWID_NAMES = new Set(["rowid", "oid", "_rowid_"]);

export function compileInsert(stmt: Insert, outerEnv: CompileEnv): StatementProgram {
  const env = stmt.with ? withCtes(stmt.with.ctes, stmt.with.recursive, outerEnv) : outerEnv;
  const view = targetView(env, stmt.table.name);
  if (view) return compileViewInsert(stmt, env, view);
  const table = targetTable(env, stmt.schema, stmt.table);
  const n = table.columns.length;
  // Column i of the source row goes to target column targets[i] (-1 = rowid).
  let targets: number[];
  if (stmt.columns) {
    targets = stmt.columns.map((c) => {
      const i = table.columns.findIndex((col) => foldName(col.name) === foldName(c.name));
      if (i >= 0) {
        if (table.columns[i].generated) throw new SqliteError(`cannot INSERT into generated column "${table.columns[i].name}"`);
        return i;
      }
      if (!table.withoutRowid && ROWID_NAMES.has(foldName(c.name))) return -1;
      throw new SqliteError(`table ${table.name} has no column named ${c.name}`);
    });
  } else targets = table.columns.flatMap((c, i) => (c.generated ? [] : [i]));

  const rows = compileSource(stmt, env, targets.length, table);
  const defaults = defaultEvaluators(env, table);
  const writer = rowWriter(env, table, env.writeTx);
  const returning = compileReturning(env, table, stmt.alias?.name ?? table.name, stmt.returning);
  const upsert = stmt.upserts.length > 0 ? compileUpserts(stmt.upserts, table, env, stmt.alias?.name ?? table.name) : null;
  const resolution = stmt.orConflict ?? (stmt.verb === "REPLACE" ? "REPLACE" : null);
  const triggers = new TriggerPrograms(env, tableShape(table), "INSERT", null);
  const foreignKeys = new ForeignKeys(env, table);
  const rt = env.runtime;
  env.plan.add(`INSERT INTO ${table.name}`);

  return {
    columns: returning?.columns ?? [],
    writes: true,
    changesSchema: false,
    countsChanges: true,
    onConstraintError: resolution === "FAIL" || resolution === "ROLLBACK" ? resolution : undefined,
    // One VALUES row with no triggers: every check happens before the first write.
    singleRowWrite: stmt.source.kind === "Select" && stmt.source.body.kind === "ValuesClause" && stmt.source.body.rows.length === 1 && triggers.empty,
    run(emit) {
      let sequence = table.autoincrement ? readSequence(env.writeTx(), env.schema, table.name) : 0;
      const startSequence = sequence;
      for (const source of rows()) {
        rt.tick();
        const values: SqlValue[] = new Array(n).fill(undefined);
        let rowidValue: SqlValue = null;
        for (let i = 0; i < targets.length; i++) {
          if (targets[i] < 0) rowidValue = source[i];
          else values[targets[i]] = source[i];
        }
        for (let i = 0; i < n; i++) if (values[i] === undefined) values[i] = defaults[i]();
        if (table.rowidAlias >= 0 && values[table.rowidAlias] !== null) rowidValue = values[table.rowidAlias];
        if (triggers.before.length > 0) {
          const triggerRowid = rowidValue !== null ? rowidFromValue(rowidValue) : -1;
          if (triggers.fire(triggers.before, null, null, writer.withAffinity(values), triggerRowid) === "ignore") continue;
        }
        const coerced = writer.coerce(values, resolution, defaults);
        if (coerced === "ignore") continue;
        const key = writer.newRowKey(values, rowidValue, sequence);
        const rowid = rowidOf(key);
        if (table.rowidAlias >= 0) values[table.rowidAlias] = rowid;
        const slot = writer.candidateSlot();
        slot.row = values;
        slot.rowidValue = rowid;
        if (!writer.check(resolution)) continue;
        if (upsert) {
          const handled = upsert.tryConflict(values, key, writer, (updated, updatedRowid) => {
            rt.changes++;
            rt.rows.written++;
            if (returning && !emit(returning.row(updated, updatedRowid))) return false;
            return true;
          });
          if (handled !== "no-conflict") {
            if (handled === "stop") return;
            continue;
          }
        }
        foreignKeys.checkChild(values, rowid);
        const outcome = writer.insert(values, key, resolution, null);
        if (outcome.status === "ignored") continue;
        rt.changes++;
        rt.rows.written++;
        // Rows of WITHOUT ROWID tables have no rowid, and leave last_insert_rowid() alone.
        if (rowid !== null) {
          rt.lastInsertRowid = rowid;
          if (table.autoincrement && rowid > sequence) sequence = rowid;
        }
        triggers.fire(triggers.after, null, null, values, rowid);
        if (returning && !emit(returning.row(values, rowid))) break;
      }
      if (table.autoincrement && sequence !== startSequence) writeSequence(env.writeTx(), env.schema, table.name, sequence);
    },
  };
}

/** The source rows, each with one value per target column. */
function compileSource(stmt: Insert, env: CompileEnv, width: number, table: Table): () => Iterable<SqlValue[]> {
  const src = stmt.source;
  if (src.kind === "DefaultValues") return () => [[]];
  const body = src.body;
  if (body.kind === "ValuesClause" && !src.with && src.orderBy.length === 0 && !src.limit) {
    const ctx = tableExprContext(env, table, new Scope([], env.outer));
    const rowEvals: Evaluator[][] = body.rows.map((r) => {
      if (r.length !== width) throw new SqliteError(arityError(stmt, table, width, r.length));
      return r.map((e) => compileExpr(e, { ...ctx, source: env.source }));
    });
    if (rowEvals.length === 1) {
      // One row (a prepared INSERT run per row): evaluated into the same array every run; the run copies it out at once.
      const [evals] = rowEvals;
      const row: SqlValue[] = new Array(width);
      const rows = [row];
      return () => {
        for (let i = 0; i < width; i++) row[i] = evals[i]();
        return rows;
      };
    }
    return () => rowEvals.map((r) => r.map((e) => e()));
  }
  const program = compileQuery(src, env, env.outer);
  if (program.columns.length !== width) throw new SqliteError(arityError(stmt, table, width, program.columns.length));
  // The whole source is read before the first write, so INSERT INTO t SELECT ... FROM t is well defined.
  return () => {
    const rows: SqlValue[][] = [];
    program.run((row) => {
      rows.push(row);
      return true;
    });
    return rows;
  };
}

function arityError(stmt: Insert, table: Table, width: number, got: number): string {
  return stmt.columns ? `${got} values for ${width} columns` : `table ${table.name} has ${width} columns but ${got} values were supplied`;
}

interface CompiledUpsert {
  /**
   * Checks the candidate row against each ON CONFLICT target in order; on a
   * conflict runs DO NOTHING or DO UPDATE. Returns "no-conflict" when the row
   * should be inserted normally, "handled" when it was consumed, "stop" when
   * RETURNING's consumer asked to stop.
   */
  tryConflict(
    values: SqlValue[],
    key: RowKey,
    writer: RowWriter,
    onUpdate: (row: SqlValue[], rowid: number | bigint | null) => boolean,
  ): "no-conflict" | "handled" | "stop";
}

function compileUpserts(upserts: Upsert[], table: Table, env: CompileEnv, name: string): CompiledUpsert {
  // DO UPDATE expressions see the existing row by the table's name and the proposed one as `excluded`.
  const existing = new ArrayRowSlot();
  const excluded = new ArrayRowSlot();
  const scope = rowScope(table, name, existing);
  const excludedScope = rowScope(table, "excluded", excluded);
  // `excluded` is reachable only by qualified names: bare names mean the existing row.
  table.columns.forEach((_, i) => excludedScope.sources[0].usingHidden.add(i));
  const both = new Scope([...scope.sources, ...excludedScope.sources], null);
  const ctx = { ...tableExprContext(env, table, both), source: env.source };
  const clauses = upserts.map((u) => {
    const targetColumns = u.target?.map((ic) => {
      const e = ic.expr.kind === "CollateExpr" ? ic.expr.expr : ic.expr;
      if (e.kind !== "ColumnRef") throw new SqliteError("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
      const i = table.columns.findIndex((c) => foldName(c.name) === foldName(e.column.name));
      if (i < 0) throw new SqliteError(`no such column: ${e.column.name}`);
      return i;
    }) ?? null;
    if (targetColumns) {
      const sorted = [...targetColumns].sort().join(",");
      const matches =
        (targetColumns.length === 1 && targetColumns[0] === table.rowidAlias) ||
        table.indexes.some((ix) => ix.unique && !ix.where && ix.columns.map((c) => c.column).sort().join(",") === sorted);
      if (!matches) throw new SqliteError("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    }
    const sets = u.doUpdate?.set.map((s) => {
      if (s.columns.length !== 1) throw new SqliteError("row value assignments in DO UPDATE are not supported yet");
      const i = table.columns.findIndex((c) => foldName(c.name) === foldName(s.columns[0].name));
      if (i < 0) throw new SqliteError(`no such column: ${s.columns[0].name}`);
      if (table.columns[i].generated) throw new SqliteError(`cannot UPDATE generated column "${table.columns[i].name}"`);
      return { column: i, value: compileExpr(s.value, ctx) };
    });
    const where = u.doUpdate?.where ? compileExpr(u.doUpdate.where, ctx) : null;
    return { targetColumns, sets: sets ?? null, assigned: new Set(sets?.map((s) => s.column)), where };
  });
  return {
    tryConflict(values, key, writer, onUpdate) {
      for (const clause of clauses) {
        const conflict = writer.findConflictingRow(values, key, clause.targetColumns);
        if (conflict === null) continue;
        if (!clause.sets) return "handled";
        const old = writer.read(conflict) as SqlValue[];
        existing.row = old;
        existing.rowidValue = rowidOf(conflict);
        excluded.row = values;
        excluded.rowidValue = rowidOf(key);
        if (clause.where && truthValue(clause.where()) !== true) return "handled";
        const updated = old.slice();
        for (const s of clause.sets) updated[s.column] = s.value();
        // The updated row is stored like any other: column affinities and NOT NULL (a WITHOUT ROWID key is known only then), then its generated columns.
        if (writer.coerce(updated, null) === "ignore") return "handled";
        let newKey: RowKey;
        if (table.withoutRowid) newKey = writer.newRowKey(updated, null, 0);
        else newKey = table.rowidAlias >= 0 && updated[table.rowidAlias] !== null ? rowidFromValue(updated[table.rowidAlias]) : (conflict as number | bigint);
        writer.fillGenerated(updated, rowidOf(newKey));
        writer.update(conflict, updated, newKey, null, null, clause.assigned);
        return onUpdate(updated, rowidOf(newKey)) ? "handled" : "stop";
      }
      return "no-conflict";
    },
  };
}
