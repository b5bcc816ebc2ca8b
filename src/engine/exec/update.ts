// UPDATE: the rows matching WHERE (joined with FROM when given) are collected
// first with their new values, computed from the old row; then each is
// written through the TableWriter (so an UPDATE never sees its own changes).
import { SqliteError } from "../errors.js";
import { foldName } from "../schema/schema.js";
import type { Update } from "../sql/ast.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import { compileExpr, type Evaluator } from "./compile-expr.js";
import { compileReturning, defaultEvaluators, rowWriter, targetTable } from "./dml-target.js";
import { primaryKeyOrder } from "./without-rowid-keys.js";
import { keyIdentity, rowidOf, rowKeyOf, type RowKey } from "./row-writer.js";
import type { StatementProgram } from "./program.js";
import { compileRowLoop, withCtes } from "./select.js";
import { ForeignKeys } from "./foreign-key.js";
import { compileViewUpdate, targetView } from "./view-dml.js";
import { rowidFromValue } from "./table-writer.js";
import { tableShape, TriggerPrograms } from "./trigger.js";

export function compileUpdate(stmt: Update, outerEnv: CompileEnv): StatementProgram {
  const env = stmt.with ? withCtes(stmt.with.ctes, stmt.with.recursive, outerEnv) : outerEnv;
  if (stmt.orderBy.length > 0 || stmt.limit) throw new SqliteError("ORDER BY and LIMIT on UPDATE are not supported");
  const view = targetView(env, stmt.table.name.name);
  if (view) return compileViewUpdate(stmt, env, view);
  const table = targetTable(env, stmt.table.schema, stmt.table.name);
  const name = stmt.table.alias?.name ?? table.name;
  const from = stmt.from
    ? { kind: "Join" as const, type: "," as const, natural: false, left: stmt.table, right: stmt.from, on: null, using: null, start: stmt.table.start, end: stmt.from.end }
    : stmt.table;
  const loop = compileRowLoop(from, stmt.where, env, env.outer);
  const target = loop.scope.sources[0];
  const assignments: { column: number; value: Evaluator }[] = [];
  let rowidAssigned: Evaluator | null = null;
  for (const set of stmt.set) {
    if (set.columns.length !== 1) throw new SqliteError("row value assignments in UPDATE are not supported yet");
    const colName = set.columns[0].name;
    const i = table.columns.findIndex((c) => foldName(c.name) === foldName(colName));
    if (i >= 0 && table.columns[i].generated) throw new SqliteError(`cannot UPDATE generated column "${table.columns[i].name}"`);
    const value = compileExpr(set.value, loop.ctx);
    if (i >= 0) assignments.push({ column: i, value });
    else if (!table.withoutRowid && ["rowid", "oid", "_rowid_"].includes(foldName(colName))) rowidAssigned = value;
    else throw new SqliteError(`no such column: ${colName}`);
  }
  const writer = rowWriter(env, table, env.writeTx);
  const keyOf = rowKeyOf(table);
  const keyOrder = table.withoutRowid ? primaryKeyOrder(table) : null;
  const defaults = defaultEvaluators(env, table);
  const returning = compileReturning(env, table, name, stmt.returning);
  const resolution = stmt.orConflict;
  const triggers = new TriggerPrograms(env, tableShape(table), "UPDATE", assignments.map((a) => a.column));
  const foreignKeys = new ForeignKeys(env, table);
  const assigned = assignments.map((a) => a.column);
  const assignedForCapture = new Set(rowidAssigned ? [...assigned, -1] : assigned);
  const rt = env.runtime;
  const slot = target.slot;

  return {
    columns: returning?.columns ?? [],
    writes: true,
    changesSchema: false,
    countsChanges: true,
    onConstraintError: resolution === "FAIL" || resolution === "ROLLBACK" ? resolution : undefined,
    run(emit) {
      // Phase 1: find the rows and compute their new values from the old row.
      const pending: { rowid: RowKey; changes: SqlValue[]; newRowid: SqlValue | undefined }[] = [];
      const seen = new Set<number | bigint | string>();
      loop.loops(() => {
        const rowid = keyOf(slot);
        const identity = keyIdentity(rowid);
        if (seen.has(identity)) return true; // UPDATE ... FROM: first matching row wins, as in SQLite
        seen.add(identity);
        pending.push({ rowid, changes: assignments.map((a) => a.value()), newRowid: rowidAssigned ? rowidAssigned() : undefined });
        return true;
      });
      // SQLite visits the rows of a WITHOUT ROWID table in PRIMARY KEY order (from a key-ordered temporary index),
      // which decides which row survives when OR REPLACE makes several take one key.
      if (keyOrder) pending.sort((x, y) => keyOrder(x.rowid as readonly SqlValue[], y.rowid as readonly SqlValue[]));
      // Phase 2: write.
      for (const p of pending) {
        rt.tick();
        const old = writer.read(p.rowid);
        if (!old) continue;
        const values = old.slice();
        assignments.forEach((a, k) => (values[a.column] = p.changes[k]));
        const oldRowid = rowidOf(p.rowid);
        let newRowid = oldRowid;
        if (table.rowidAlias >= 0 && values[table.rowidAlias] !== old[table.rowidAlias]) newRowid = rowidFromValue(values[table.rowidAlias]);
        else if (p.newRowid !== undefined) newRowid = rowidFromValue(p.newRowid);
        if (table.rowidAlias >= 0) values[table.rowidAlias] = newRowid;
        if (triggers.before.length > 0) {
          if (triggers.fire(triggers.before, old, oldRowid, writer.withAffinity(values), newRowid) === "ignore") continue;
          if (!writer.read(p.rowid)) continue;
        }
        const coerced = writer.coerce(values, resolution, defaults);
        if (coerced === "ignore") continue;
        // A WITHOUT ROWID row's new key is its PRIMARY KEY values after affinity.
        const newKey: RowKey = newRowid ?? writer.newRowKey(values, null, 0);
        const cs = writer.candidateSlot();
        cs.row = values;
        cs.rowidValue = newRowid;
        if (!writer.check(resolution)) continue;
        foreignKeys.checkChild(values, newRowid, rowidAssigned ? null : assigned);
        const outcome = writer.update(p.rowid, values, newKey, resolution, null, assignedForCapture);
        if (outcome.status === "ignored") continue;
        foreignKeys.parentUpdated(old, oldRowid, values, newRowid);
        rt.changes++;
        rt.rows.written++;
        triggers.fire(triggers.after, old, oldRowid, values, newRowid);
        if (returning && !emit(returning.row(values, newRowid))) return;
      }
    },
  };
}
