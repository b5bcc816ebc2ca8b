// Tessera's engine side by side with SQLite on issue #4's workloads: 100k
// INSERTs in one transaction, 100k point SELECTs, range scans (rowid and
// index), SUM and GROUP BY over 1M rows, and an indexed join of 100k × 10k
// rows. Peers, measured in the same run: sql.js (SQLite in WebAssembly) and
// better-sqlite3 when `npm run bench:native` has built it, and native SQLite
// through Node 22's node:sqlite (the same C library, no build needed).
// Every engine prepares each statement once and gets rows as arrays.
// BENCH_WORKLOADS=insert,sum runs only the workloads whose names start with
// one of the given (case-insensitive) prefixes.
import { env, version } from "node:process";
import { loadFixture, orderRows } from "./engine/data.js";
import { betterSqlite3 } from "./engine/better-sqlite3.js";
import { nodeSqlite, sqlJs, tessera, type BenchEngine } from "./engine/engines.js";
import { measure } from "./engine/measure.js";
import { printReport, type Row } from "./engine/report.js";
import { workloads } from "./engine/workloads.js";

/** Timed runs per measurement (after one warm-up), fewer when a measurement's runs pass BUDGET_MS. */
const RUNS = 3;
const BUDGET_MS = 4_000;

export async function run(): Promise<void> {
  if (!version.startsWith("v22.")) console.log(`note: expected Node 22 (npm run bench), running ${version}`);
  const better = betterSqlite3();
  if ("missing" in better) console.log(`better-sqlite3: ${better.missing}`);
  const engines: BenchEngine[] = [tessera, await sqlJs(), ...("engine" in better ? [better.engine] : []), nodeSqlite];
  const orders = orderRows();
  const wanted = (env.BENCH_WORKLOADS ?? "").split(",").map((w) => w.trim().toLowerCase()).filter((w) => w !== "");
  const list = workloads(orders).filter((w) => wanted.length === 0 || wanted.some((prefix) => w.name.toLowerCase().startsWith(prefix)));
  const rows: Row[] = list.map((workload) => ({ workload, timings: [] }));
  for (const engine of engines) {
    const db = engine.open();
    const loadStart = performance.now();
    loadFixture(db, orders);
    console.log(`${engine.name}: fixture loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    list.forEach((workload, i) => rows[i].timings.push(measure(() => workload.makeRun(engine, db), { runs: RUNS, budgetMs: BUDGET_MS })));
    db.close();
  }
  for (const { workload, timings } of rows) {
    const results = timings.map((t) => String(t.result));
    if (results.some((r) => r !== results[0])) {
      throw new Error(`engines disagree on "${workload.name}": ${results.map((r) => r.slice(0, 80)).join(" / ")}`);
    }
  }
  console.log(`\nNode ${version}; in-memory databases; one warm-up then the median of up to ${RUNS} runs.\n`);
  printReport(
    engines.map((e) => e.name),
    rows,
  );
}
