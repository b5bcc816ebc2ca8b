// DELETE: the rows matching WHERE are collected first, then removed with
// their index entries (RETURNING sees each row as it was).
import { SqliteError } from "../errors.js";
import type { Delete } from "../sql/ast.js";
import type { CompileEnv } from "./compile-env.js";
import { compileReturning, rowWriter, targetTable } from "./dml-target.js";
import { rowidOf, rowKeyOf, type RowKey } from "./row-writer.js";
import type { StatementProgram } from "./program.js";
import { ForeignKeys } from "./foreign-key.js";
import { compileViewDelete, targetView } from "./view-dml.js";
import { compileRowLoop, withCtes } from "./select.js";
import { tableShape, TriggerPrograms } from "./trigger.js";

export function compileDelete(stmt: Delete, outerEnv: CompileEnv): StatementProgram {
  const env = stmt.with ? withCtes(stmt.with.ctes, stmt.with.recursive, outerEnv) : outerEnv;
  if (stmt.orderBy.length > 0 || stmt.limit) throw new SqliteError("ORDER BY and LIMIT on DELETE are not supported");
  const view = targetView(env, stmt.table.name.name);
  if (view) return compileViewDelete(stmt, env, view);
  const table = targetTable(env, stmt.table.schema, stmt.table.name);
  const loop = compileRowLoop(stmt.table, stmt.where, env, env.outer);
  const slot = loop.scope.sources[0].slot;
  const writer = rowWriter(env, table, env.writeTx);
  const keyOf = rowKeyOf(table);
  const returning = compileReturning(env, table, stmt.table.alias?.name ?? table.name, stmt.returning);
  const rt = env.runtime;
  const triggers = new TriggerPrograms(env, tableShape(table), "DELETE", null);
  const foreignKeys = new ForeignKeys(env, table);
  return {
    columns: returning?.columns ?? [],
    writes: true,
    changesSchema: false,
    countsChanges: true,
    run(emit) {
      const keys: RowKey[] = [];
      loop.loops(() => {
        keys.push(keyOf(slot));
        return true;
      });
      for (const key of keys) {
        rt.tick();
        const rowid = rowidOf(key);
        if (triggers.before.length > 0) {
          const before = writer.read(key);
          if (!before || triggers.fire(triggers.before, before, rowid, null, null) === "ignore") continue;
        }
        const old = writer.delete(key);
        if (!old) continue;
        foreignKeys.parentDeleted(old, rowid);
        rt.changes++;
        rt.rows.written++;
        triggers.fire(triggers.after, old, rowid, null, null);
        if (returning && !emit(returning.row(old, rowid))) return;
      }
    },
  };
}
