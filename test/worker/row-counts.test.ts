// Rows read and written reach every protocol: Hrana execute and batch results
// (v2 and v3 JSON pipelines), the legacy v1/execute and v1/batch, and the JSON
// query API's stats, with the engine's counts (a point read reads one row, a
// scan every row, a write one row per row changed).
import { describe, expect, it } from "vitest";
import { execute, pipeline, post, resultOf, run } from "./hrana-helpers.js";

const SEED = "INSERT INTO kv SELECT value, 'v' || value FROM (WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 50) SELECT value FROM n)";

async function seeded(db: string): Promise<void> {
  const [, seed] = await run(db, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)", SEED);
  expect(seed).toMatchObject({ rows_read: 0, rows_written: 50 });
}

describe("rows_read and rows_written", () => {
  it("are reported per statement in v2 and v3 pipeline results", async () => {
    await seeded("counts-pipeline");
    for (const version of ["v2", "v3"]) {
      const body = await pipeline(
        "counts-pipeline",
        [
          execute("SELECT v FROM kv WHERE k = ?", [{ type: "integer", value: "7" }]),
          execute("SELECT count(*) FROM kv WHERE v LIKE '%1%'"),
          execute("UPDATE kv SET v = 'x' WHERE k <= 3"),
          execute("SELECT 1"),
          { type: "close" },
        ],
        null,
        version,
      );
      expect([0, 1, 2, 3].map((i) => resultOf(body, i)).map((r) => [r.rows_read, r.rows_written])).toEqual([
        [1, 0],
        [50, 0],
        [3, 3],
        [0, 0],
      ]);
    }
  });

  it("are reported for each step of a batch", async () => {
    await seeded("counts-batch");
    const body = await pipeline("counts-batch", [
      {
        type: "batch",
        batch: { steps: [{ stmt: { sql: "DELETE FROM kv WHERE k >= 41" } }, { stmt: { sql: "SELECT * FROM kv" } }] },
      },
      { type: "close" },
    ]);
    const result = body.results[0].response?.result as { step_results: { rows_read: number; rows_written: number }[] };
    expect(result.step_results.map((r) => [r.rows_read, r.rows_written])).toEqual([
      [10, 10],
      [40, 0],
    ]);
  });

  it("are reported by the legacy v1/execute and v1/batch", async () => {
    await seeded("counts-legacy");
    const exec = await post("/db/counts-legacy/v1/execute", { stmt: { sql: "SELECT v FROM kv WHERE k BETWEEN 1 AND 5" } });
    expect(((await exec.json()) as { result: unknown }).result).toMatchObject({ rows_read: 5, rows_written: 0 });
    const batch = await post("/db/counts-legacy/v1/batch", { batch: { steps: [{ stmt: { sql: "INSERT INTO kv (v) VALUES ('a'), ('b')" } }] } });
    expect(((await batch.json()) as { result: { step_results: unknown[] } }).result.step_results[0]).toMatchObject({ rows_read: 0, rows_written: 2 });
  });

  it("appear in the JSON query API's stats, per statement of a batch too", async () => {
    await seeded("counts-json");
    const one = await post("/db/counts-json/query", { sql: "SELECT v FROM kv WHERE k = ?", params: [9] });
    expect(await one.json()).toMatchObject({ rows: [["v9"]], rowsRead: 1, rowsWritten: 0 });
    const batch = await post("/db/counts-json/query", { statements: ["UPDATE kv SET v = 'y' WHERE k = 1", "SELECT count(*) FROM kv"] });
    expect(((await batch.json()) as { results: unknown[] }).results).toMatchObject([
      { changes: 1, rowsRead: 1, rowsWritten: 1 },
      { rowsRead: 50, rowsWritten: 0 },
    ]);
  });
});
