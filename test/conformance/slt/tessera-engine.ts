// The sqllogictest engine adapter for Tessera's own engine.
import { Database } from "../../../src/engine/index.js";
import type { SqlValue } from "../../../src/engine/value/types.js";
import type { SltConnection, SltEngine, SltQueryResult } from "./engine.js";

class TesseraConnection implements SltConnection {
  private readonly db = new Database();

  execute(sql: string): void {
    this.db.exec(sql);
  }

  query(sql: string): SltQueryResult {
    const statement = this.db.prepare(sql).canonical();
    const rows = statement.all() as SqlValue[][];
    return { columnCount: statement.columns().length, rows };
  }

  close(): void {
    this.db.close();
  }
}

export function createTesseraEngine(): SltEngine {
  return { name: "tessera", open: () => new TesseraConnection() };
}
