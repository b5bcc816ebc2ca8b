// Prepared statements the CDC service functions (api.ts, retention.ts) reuse
// per database: preparing one costs far more than running it, and the
// Durable Object calls these after every write. Statements are kept in raw
// mode (rows as arrays); they recompile themselves when the schema changes.
import type { Database } from "../database.js";
import type { RunResult, Statement } from "../statement.js";
import type { SqlValue } from "../value/types.js";

const cache = new WeakMap<Database, Map<string, Statement>>();

function statement(db: Database, sql: string): Statement {
  let statements = cache.get(db);
  if (statements === undefined) {
    statements = new Map();
    cache.set(db, statements);
  }
  let s = statements.get(sql);
  if (s === undefined) {
    s = db.prepare(sql).raw();
    statements.set(sql, s);
  }
  return s;
}

export function allRows(db: Database, sql: string, ...params: SqlValue[]): SqlValue[][] {
  return statement(db, sql).all(...params) as SqlValue[][];
}

/** The first row, or undefined when there is none. */
export function firstRow(db: Database, sql: string, ...params: SqlValue[]): SqlValue[] | undefined {
  return statement(db, sql).get(...params) as SqlValue[] | undefined;
}

/** The first column of the first row, or null when there is no row. */
export function firstValue(db: Database, sql: string, ...params: SqlValue[]): SqlValue {
  return firstRow(db, sql, ...params)?.[0] ?? null;
}

/** Whether a table of that name (in any letter case) exists. */
export function hasTable(db: Database, name: string): boolean {
  return firstRow(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE", name) !== undefined;
}

export function runStatement(db: Database, sql: string, ...params: SqlValue[]): RunResult {
  return statement(db, sql).run(...params);
}
