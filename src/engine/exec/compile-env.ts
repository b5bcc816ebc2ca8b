// What every part of statement compilation shares: the schema it compiles
// against, the runtime its closures will read, the SQL text, how to reach
// the current transaction at run time, function lookup, the CTEs in scope,
// and the EXPLAIN QUERY PLAN collector.
import type { ReadTransaction, WriteTransaction } from "../btree/index.js";
import type { Schema } from "../schema/schema.js";
import type { CommonTableExpr } from "../sql/ast.js";
import type { Scope } from "../plan/scope.js";
import type { FunctionLookup } from "./compile-expr.js";
import type { PragmaSettings } from "./pragma.js";
import type { StatementRuntime } from "./runtime.js";
import type { TableValuedFunction } from "./table-function.js";

/** A CTE visible to a query: its definition and, once compiled, its materialized rows. */
export interface CteBinding {
  cte: CommonTableExpr;
  /** The WITH clause's scope (a CTE sees itself only when RECURSIVE, and the CTEs before it). */
  frame: CteFrame;
  recursive: boolean;
}

export interface CteFrame {
  ctes: Map<string, CteBinding>;
  parent: CteFrame | null;
}

/** One EXPLAIN QUERY PLAN row. */
export interface PlanRow {
  id: number;
  parent: number;
  readonly detail: string;
}

export class PlanCollector {
  readonly rows: PlanRow[] = [];
  private nextId = 1;
  /** Parent id for rows added now. */
  parent = 0;

  /** Adds a row; its detail may be computed when the rows are read (after the statement has compiled). */
  add(detail: string | (() => string)): number {
    const id = this.nextId++;
    this.rows.push(typeof detail === "string" ? { id, parent: this.parent, detail } : { id, parent: this.parent, get detail() { return detail(); } });
    return id;
  }

  /** Adds a row and makes it the parent of rows added inside `f`. */
  nest<T>(detail: string, f: () => T): T {
    const id = this.add(detail);
    const saved = this.parent;
    this.parent = id;
    try {
      return f();
    } finally {
      this.parent = saved;
    }
  }
}

export interface CompileEnv {
  schema: Schema;
  runtime: StatementRuntime;
  /** The SQL text that AST offsets refer to. */
  source: string;
  /** The transaction statements read through, at run time. */
  tx(): ReadTransaction;
  /** The write transaction, at run time, for statements that write. */
  writeTx(): WriteTransaction;
  lookupFunction(name: string, nArgs: number): FunctionLookup;
  lookupTableFunction(name: string): TableValuedFunction | undefined;
  ctes: CteFrame | null;
  /** Scope around the whole statement: NEW and OLD in trigger bodies, else null. */
  outer: Scope | null;
  /** Triggers whose bodies are being compiled (a trigger does not fire itself recursively). */
  triggerStack: string[];
  settings: PragmaSettings;
  /** Largest string or blob a statement may store, in bytes. */
  maxValueLength: number;
  plan: PlanCollector;
  /** Numbers subqueries for EXPLAIN QUERY PLAN ("SCAN (subquery-1)"). */
  subqueries: { count: number };
}
