// Test helpers shared by the MVCC (BEGIN CONCURRENT) tests: a database in
// MVCC journal mode with some connections, the shared core behind it (for the
// pinned-version budget, which the public API does not expose), and an
// assertion on SQLite's error codes.
import { expect } from "vitest";
import type { DatabaseCore } from "../../../src/engine/connection.js";
import { Database, SqliteError, type DatabaseOptions, type SqliteErrorCode } from "../../../src/engine/index.js";

/** A database switched to MVCC journal mode, `setup` run on it, and `clients` more connections. */
export function mvccDatabase(setup: string, clients = 2, options: DatabaseOptions = {}): { db: Database; conns: Database[] } {
  const db = new Database(options);
  db.exec("PRAGMA journal_mode = 'mvcc'");
  if (setup) db.exec(setup);
  return { db, conns: Array.from({ length: clients }, () => db.connect()) };
}

/**
 * The state shared by every connection of `db`. Tests reach it to set
 * DatabaseCore.pinnedVersionBytes (configured by the Durable Object, not the
 * public API); the cast names the private field it reads.
 */
export function coreOf(db: Database): DatabaseCore {
  return (db as unknown as { connection: { core: DatabaseCore } }).connection.core;
}

/** Runs `f`, which must fail with SqliteError `code` and a message containing `includes`. */
export function expectSqliteError(f: () => unknown, code: SqliteErrorCode, includes = ""): SqliteError {
  let caught: unknown = null;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(SqliteError);
  const error = caught as SqliteError;
  expect(error.code).toBe(code);
  expect(error.message).toContain(includes);
  return error;
}

/** Every row of a query, as arrays (raw mode). */
export function rows(db: Database, sql: string): unknown[][] {
  return db.prepare(sql).raw().all() as unknown[][];
}

export function integrity(db: Database): string {
  return String(db.prepare("PRAGMA integrity_check").pluck().get());
}
