// sql.js (real SQLite compiled to WebAssembly) as the oracle for parse
// errors: the message SQLite gives when preparing a statement.

import initSqlJs from "sql.js";

type SqlJsDatabase = InstanceType<Awaited<ReturnType<typeof initSqlJs>>["Database"]>;

let dbPromise: Promise<SqlJsDatabase> | null = null;

/** One shared in-memory database with a few tables, so that name errors do not hide syntax errors. */
function oracleDb(): Promise<SqlJsDatabase> {
  dbPromise ??= initSqlJs().then((SQL) => {
    const db = new SQL.Database();
    db.exec("CREATE TABLE t(a, b, c); CREATE TABLE u(a, b); CREATE TABLE t1(x, y, z)");
    return db;
  });
  return dbPromise;
}

/** SQLite's error message for preparing `sql`, or null if it prepares. */
export async function sqlitePrepareError(sql: string): Promise<string | null> {
  const db = await oracleDb();
  try {
    db.prepare(sql).free();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether a SQLite error message is one the parser (not name resolution) produces. */
export function isSyntaxMessage(message: string): boolean {
  return /^(near ".*": syntax error|incomplete input|unrecognized token: )/s.test(message);
}

/** sql.js's own prepare+free, for the benchmark's comparison figure. */
export async function sqlJsPreparer(): Promise<(sql: string) => void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  return (sql: string) => {
    try {
      db.prepare(sql).free();
    } catch {
      // Missing tables are expected on an empty database; the parse work is done either way.
    }
  };
}
