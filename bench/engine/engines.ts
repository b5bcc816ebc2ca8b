// The engines the engine benchmark races, behind one small interface:
// Tessera (src/engine), SQLite in WebAssembly (sql.js) and native SQLite
// compiled into Node 22 (node:sqlite); better-sqlite3 joins them from
// better-sqlite3.ts when built. Every engine returns rows as arrays of
// values, so no engine pays for building row objects.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import initSqlJs from "sql.js";
import { Database, type BindValue, type Statement } from "../../src/engine/index.js";

/** A statement prepared once and run many times with positional parameters. */
export interface BenchStatement {
  run(params: readonly BindValue[]): void;
  /** The first row, or undefined when there is none. */
  get(params: readonly BindValue[]): unknown[] | undefined;
  all(params: readonly BindValue[]): unknown[][];
  free(): void;
}

/** One in-memory database of one engine. */
export interface BenchDatabase {
  exec(sql: string): void;
  prepare(sql: string): BenchStatement;
  close(): void;
}

export interface BenchEngine {
  /** Column label in the report. */
  name: string;
  open(): BenchDatabase;
}

function tesseraStatement(stmt: Statement): BenchStatement {
  return {
    run: (params) => void stmt.run(...params),
    get: (params) => stmt.get(...params) as unknown[] | undefined,
    all: (params) => stmt.all(...params) as unknown[][],
    free: () => undefined,
  };
}

export const tessera: BenchEngine = {
  name: "tessera",
  open() {
    const db = new Database();
    return {
      exec: (sql) => void db.exec(sql),
      prepare: (sql) => tesseraStatement(db.prepare(sql).raw()),
      close: () => db.close(),
    };
  },
};

/** node:sqlite types its parameters more narrowly than our shared BindValue. */
type NodeSqliteParam = null | number | bigint | string | Uint8Array;

function nodeSqliteStatement(stmt: StatementSync): BenchStatement {
  stmt.setReturnArrays(true);
  const args = (params: readonly BindValue[]) => params as NodeSqliteParam[];
  return {
    run: (params) => void stmt.run(...args(params)),
    get: (params) => stmt.get(...args(params)) as unknown[] | undefined,
    all: (params) => stmt.all(...args(params)) as unknown as unknown[][],
    free: () => undefined,
  };
}

export const nodeSqlite: BenchEngine = {
  name: "native SQLite (node:sqlite)",
  open() {
    const db = new DatabaseSync(":memory:");
    return {
      exec: (sql) => db.exec(sql),
      prepare: (sql) => nodeSqliteStatement(db.prepare(sql)),
      close: () => db.close(),
    };
  },
};

/** sql.js (SQLite compiled to WebAssembly); its module loads asynchronously once. */
export async function sqlJs(): Promise<BenchEngine> {
  const SQL = await initSqlJs();
  type SqlJsParams = Parameters<InstanceType<typeof SQL.Database>["run"]>[1];
  return {
    name: "sql.js (wasm)",
    open() {
      const db = new SQL.Database();
      return {
        exec: (sql) => void db.exec(sql),
        prepare(sql) {
          const stmt = db.prepare(sql);
          const bind = (params: readonly BindValue[]) => stmt.bind(params as SqlJsParams);
          return {
            run(params) {
              bind(params);
              stmt.step();
              stmt.reset();
            },
            get(params) {
              bind(params);
              const row = stmt.step() ? stmt.get() : undefined;
              stmt.reset();
              return row;
            },
            all(params) {
              bind(params);
              const rows: unknown[][] = [];
              while (stmt.step()) rows.push(stmt.get());
              stmt.reset();
              return rows;
            },
            free: () => void stmt.free(),
          };
        },
        close: () => db.close(),
      };
    },
  };
}
