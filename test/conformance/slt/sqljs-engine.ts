// The sqllogictest engine adapter for real SQLite through sql.js (SQLite
// compiled to WebAssembly): the oracle that proves the runner right.
import initSqlJs, { type Database, type Statement } from "sql.js";
import { intValue, realValue, type SqlValue } from "../../../src/engine/value/types.js";
import type { SltConnection, SltEngine, SltQueryResult } from "./engine.js";

/** sql.js returns INTEGERs as bigint with { useBigInt: true }; @types/sql.js lacks that overload. */
type RawValue = number | bigint | string | Uint8Array | null;
interface BigIntStatement {
  get(params: null, config: { useBigInt: true }): RawValue[];
}

/** Canonical form: INTEGER as number/bigint, REAL as number/IntegralReal (see types.ts). */
function canonical(v: RawValue): SqlValue {
  if (typeof v === "bigint") return intValue(v);
  if (typeof v === "number") return realValue(v);
  return v;
}

class SqlJsConnection implements SltConnection {
  constructor(private readonly db: Database) {}

  execute(sql: string): void {
    // Database.run without parameters is sqlite3_exec, as in the reference runner.
    this.db.run(sql);
  }

  query(sql: string): SltQueryResult {
    const statement: Statement = this.db.prepare(sql);
    try {
      const columnCount = statement.getColumnNames().length;
      const reader = statement as unknown as BigIntStatement;
      const rows: SqlValue[][] = [];
      while (statement.step()) rows.push(reader.get(null, { useBigInt: true }).map(canonical));
      return { columnCount, rows };
    } finally {
      statement.free();
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Loads sql.js once; every open() is a new in-memory database. */
export async function createSqlJsEngine(): Promise<SltEngine> {
  const SQL = await initSqlJs();
  return { name: "sqlite", open: () => new SqlJsConnection(new SQL.Database()) };
}
