// Statement compilation: dispatches a parsed statement to the compiler of
// its kind, wrapping schema changes for change data capture. Transaction
// control (BEGIN, COMMIT, SAVEPOINT...) is not compiled here; the
// connection executes it directly.
import { captureSchemaChanges } from "../cdc/schema-capture.js";
import { SqliteError } from "../errors.js";
import type { Statement } from "../sql/ast.js";
import { findCollation } from "../value/collation.js";
import { compileAlterTable } from "./alter.js";
import type { CompileEnv } from "./compile-env.js";
import { compileCreateIndex, compileCreateTable, compileCreateTrigger, compileCreateView, compileDrop } from "./ddl.js";
import { compileDelete } from "./delete.js";
import { compileInsert } from "./insert.js";
import { compilePragma } from "./pragma.js";
import type { StatementProgram } from "./program.js";
import { compileQuery } from "./select.js";
import type { ResultColumnInfo } from "./select-types.js";
import { compileUpdate } from "./update.js";

export function compileStatement(stmt: Statement, env: CompileEnv): StatementProgram {
  const program = compileStatementOfKind(stmt, env);
  return program.changesSchema ? captureSchemaChanges(program, stmt, env) : program;
}

function compileStatementOfKind(stmt: Statement, env: CompileEnv): StatementProgram {
  switch (stmt.kind) {
    case "Select": {
      const q = compileQuery(stmt, env, env.outer);
      return { columns: q.columns, writes: false, changesSchema: false, run: (emit) => q.run(emit) };
    }
    case "Insert":
      return compileInsert(stmt, env);
    case "Update":
      return compileUpdate(stmt, env);
    case "Delete":
      return compileDelete(stmt, env);
    case "CreateTable":
      return compileCreateTable(stmt, env);
    case "CreateIndex":
      return compileCreateIndex(stmt, env);
    case "CreateView":
      return compileCreateView(stmt, env);
    case "Drop":
      return compileDrop(stmt, env);
    case "Pragma":
      return compilePragma(stmt, env, env.settings);
    case "Explain":
      return compileExplain(stmt, env);
    case "CreateTrigger":
      return compileCreateTrigger(stmt, env);
    case "CreateVirtualTable":
      throw new SqliteError(`no such module: ${stmt.module.name}`);
    case "AlterTable":
      return compileAlterTable(stmt, env);
    case "Attach":
    case "Detach":
      throw new SqliteError("ATTACH and DETACH are not supported: each Tessera database stands alone");
    case "Reindex":
      if (stmt.name && !env.schema.table(stmt.name.name) && !env.schema.index(stmt.name.name) && !findCollation(stmt.name.name)) {
        throw new SqliteError("unable to identify the object to be reindexed");
      }
      return { columns: [], writes: false, changesSchema: false, run: () => undefined };
    case "Analyze":
    case "Vacuum":
      // Accepted for compatibility: there are no statistics to gather, and indexes and pages need no rebuild.
      return { columns: [], writes: false, changesSchema: false, run: () => undefined };
    default:
      throw new SqliteError(`${stmt.kind} cannot be compiled here`, "SQLITE_INTERNAL");
  }
}

const PLAN_COLUMNS: ResultColumnInfo[] = ["id", "parent", "notused", "detail"].map((name) => ({
  name,
  declaredType: null,
  table: null,
  column: null,
  affinity: "none",
  collation: "BINARY",
}));

function compileExplain(stmt: Extract<Statement, { kind: "Explain" }>, env: CompileEnv): StatementProgram {
  if (!stmt.queryPlan) throw new SqliteError("EXPLAIN without QUERY PLAN is not supported: Tessera has no bytecode to list");
  compileStatement(stmt.statement, env);
  const rows = env.plan.rows.map((r) => [r.id, r.parent, 0, r.detail]);
  return {
    columns: PLAN_COLUMNS,
    writes: false,
    changesSchema: false,
    run(emit) {
      for (const row of rows) if (!emit(row.slice())) return;
    },
  };
}
