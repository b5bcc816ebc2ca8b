// The workloads of issue #4's benchmark, each written once for every engine:
// how to build one timed run on an engine (given the loaded fixture), how
// many rows a run handles, and Tessera's target.
import type { BindValue } from "../../src/engine/index.js";
import { BIG, CREATE_ORDERS, INSERT_ORDER, ORDERS, shuffledIds } from "./data.js";
import type { BenchDatabase, BenchEngine } from "./engines.js";

/** Tessera's target: a minimum rate (rows/s) or a maximum time per run (ms). */
export type Target = { minRowsPerSecond: number } | { maxMs: number };

export interface Workload {
  name: string;
  /** Rows one run handles (inserted, looked up, returned or scanned). */
  rows: number;
  target?: Target;
  /** Builds one run on `db` (the loaded fixture); the returned function is the timed work and returns a checksum. */
  makeRun(engine: BenchEngine, db: BenchDatabase): () => unknown;
}

/** A run that executes one prepared query on the fixture and returns its rows. */
function queryRun(sql: string, params: BindValue[] = []) {
  return (_engine: BenchEngine, db: BenchDatabase) => {
    const stmt = db.prepare(sql);
    return () => JSON.stringify(stmt.all(params));
  };
}

const RANGE_ROWS = 10_000;
const RANGES_PER_RUN = 10;

/** Ten ranges of 10k rows each: `bounds(k)` gives the k-th range's parameters; the checksum is rows and sum of the first column. */
function rangeRun(sql: string, bounds: (k: number) => BindValue[]) {
  return (_engine: BenchEngine, db: BenchDatabase) => {
    const stmt = db.prepare(sql);
    return () => {
      let rows = 0;
      let sum = 0;
      for (let k = 0; k < RANGES_PER_RUN; k++) {
        for (const row of stmt.all(bounds(k))) {
          rows++;
          sum += row[0] as number;
        }
      }
      return `${rows} rows, sum ${sum}`;
    };
  };
}

export function workloads(orders: BindValue[][]): Workload[] {
  const lookups = shuffledIds(ORDERS);
  return [
    {
      name: "INSERT 100k rows, one transaction (prepared)",
      rows: ORDERS,
      target: { minRowsPerSecond: 400_000 },
      makeRun(engine) {
        const db = engine.open();
        db.exec(CREATE_ORDERS);
        const stmt = db.prepare(INSERT_ORDER);
        return () => {
          db.exec("BEGIN");
          for (const row of orders) stmt.run(row);
          db.exec("COMMIT");
          stmt.free();
          db.close();
          return ORDERS;
        };
      },
    },
    {
      name: "point SELECT by primary key, 100k (prepared)",
      rows: ORDERS,
      target: { minRowsPerSecond: 300_000 },
      makeRun(_engine, db) {
        const stmt = db.prepare("SELECT user_id, amount, note FROM orders WHERE id = ?");
        return () => {
          let sum = 0;
          for (const id of lookups) sum += (stmt.get([id]) as unknown[])[1] as number;
          return sum;
        };
      },
    },
    {
      name: "rowid range scan, 10 × 10k rows",
      rows: RANGE_ROWS * RANGES_PER_RUN,
      makeRun: rangeRun("SELECT id, user_id, amount FROM orders WHERE id BETWEEN ? AND ?", (k) => [
        1 + k * RANGE_ROWS,
        (k + 1) * RANGE_ROWS,
      ]),
    },
    {
      name: "indexed range scan, 10 × 10k rows",
      rows: RANGE_ROWS * RANGES_PER_RUN,
      makeRun: rangeRun("SELECT amount, id FROM orders WHERE amount >= ? AND amount < ?", (k) => [
        k * RANGE_ROWS,
        (k + 1) * RANGE_ROWS,
      ]),
    },
    {
      name: "SUM over 1M rows",
      rows: BIG,
      target: { maxMs: 80 },
      makeRun: queryRun("SELECT sum(v) FROM big"),
    },
    {
      name: "GROUP BY, 1k groups over 1M rows",
      rows: BIG,
      target: { maxMs: 400 },
      makeRun: queryRun("SELECT g, count(*), sum(v) FROM big GROUP BY g"),
    },
    {
      name: "indexed join, 100k orders × 10k users",
      rows: ORDERS,
      target: { maxMs: 80 },
      makeRun: queryRun("SELECT count(*), sum(o.amount) FROM orders o JOIN users u ON u.id = o.user_id"),
    },
  ];
}
