// Window functions do linear work, measured deterministically with the
// statement step budget (limits.statementSteps: one step per row read, per
// row stepped into or out of a frame, per result): sliding aggregates use
// inverse, sliding min/max a monotonic queue, ranking computes each row
// once. A frame recomputed per row would take thousands of steps per row
// (as EXCLUDE does, shown below). Results are checked against values
// computed here.
import { beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";

const N = 20_000;
/** Steps per row that linear window work stays within (about 3 are needed). */
const LINEAR_STEPS = 4 * N;
const value = (i: number): number => (i * 7919) % 1000;
let db: Database;

beforeAll(() => {
  db = new Database();
  db.exec("CREATE TABLE big(id INTEGER PRIMARY KEY, p INTEGER, v INTEGER)");
  const insert = db.prepare("INSERT INTO big VALUES (?, ?, ?)");
  db.exec("BEGIN");
  for (let i = 1; i <= N; i++) insert.run(i, i % 100, value(i));
  db.exec("COMMIT");
});

/** The query's rows, computed within `steps` steps (it fails with SQLITE_INTERRUPT past them). */
function withinSteps(sql: string, steps: number): unknown[][] {
  db.limits.statementSteps = steps;
  try {
    return db.prepare(sql).raw().all() as unknown[][];
  } finally {
    db.limits.statementSteps = Number.POSITIVE_INFINITY;
  }
}

function slidingSum(frame: number): number {
  let expected = 0;
  for (let i = N - frame; i <= N; i++) expected += value(i);
  return expected;
}

describe("window functions do linear work", () => {
  it("running sum over ROWS BETWEEN 10 PRECEDING AND CURRENT ROW", () => {
    const rows = withinSteps("SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) FROM big", LINEAR_STEPS);
    expect(rows.length).toBe(N);
    expect(rows[N - 1]).toEqual([N, slidingSum(10)]);
  });

  it("a 5000-row sliding frame costs no more than a narrow one (inverse, not recomputation)", () => {
    const rows = withinSteps("SELECT sum(v) OVER (ORDER BY id ROWS BETWEEN 5000 PRECEDING AND CURRENT ROW) FROM big", LINEAR_STEPS);
    expect(rows[N - 1]).toEqual([slidingSum(5000)]);
  });

  it("sliding max() over a 5000-row frame keeps a queue instead of rescanning the frame", () => {
    const rows = withinSteps("SELECT max(v) OVER (ORDER BY id ROWS BETWEEN 5000 PRECEDING AND CURRENT ROW) FROM big", LINEAR_STEPS);
    let expected = 0;
    for (let i = N - 5000; i <= N; i++) expected = Math.max(expected, value(i));
    expect(rows[N - 1]).toEqual([expected]);
  });

  it("rank() over 100 partitions", () => {
    const rows = withinSteps("SELECT id, rank() OVER (PARTITION BY p ORDER BY v) FROM big ORDER BY id", LINEAR_STEPS);
    expect(rows.length).toBe(N);
    // Row 1 is in partition 1, where values are ranked ascending with ties sharing the lowest rank.
    const partition = Array.from({ length: N / 100 }, (_, k) => value(1 + 100 * k));
    expect(rows[0]).toEqual([1, partition.filter((v) => v < value(1)).length + 1]);
  });

  it("the budget counts frame work: a frame recomputed per row (EXCLUDE) exceeds it", () => {
    const sql = "SELECT sum(v) OVER (ORDER BY id ROWS BETWEEN 5000 PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM big";
    expect(() => withinSteps(sql, 100 * N)).toThrow("interrupted");
  });
});
