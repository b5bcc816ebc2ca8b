// The write-throughput cost of change data capture in the engine: the same
// writes with capture off, in 'id' mode and in 'full' mode (before/after
// images and the updates record), on a fresh in-memory database each run.
// Workloads: autocommit single-row INSERTs (one commit record each), one
// transaction of bulk INSERTs, and single-row UPDATEs by key. Also the time
// to prune 100k retained changes down to 1k. Figures are median CPU ms and
// rows per CPU second; the ratio column is the cost relative to capture off.
import { Database, pruneCapturedChanges, setCaptureRetention } from "../src/engine/index.js";
import { measure } from "./engine/measure.js";

const MODES = ["off", "id", "full"] as const;
const OPTIONS = { runs: 7, budgetMs: 4000 };

interface Workload {
  name: string;
  rows: number;
  /** Builds a database in `mode` and returns the timed work. */
  make(mode: (typeof MODES)[number]): () => unknown;
}

function database(mode: string, preload: number): Database {
  const db = new Database();
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, tag TEXT)");
  if (preload > 0) {
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${preload}) INSERT INTO t SELECT i, 'name ' || i, i * 0.5, 'tag' FROM n`);
  }
  db.exec(`PRAGMA capture_data_changes_conn('${mode}')`);
  return db;
}

const WORKLOADS: Workload[] = [
  {
    name: "autocommit INSERT (1 row each)",
    rows: 2000,
    make(mode) {
      const db = database(mode, 0);
      const insert = db.prepare("INSERT INTO t (name, score, tag) VALUES (?, ?, ?)");
      return () => {
        for (let i = 0; i < 2000; i++) insert.run(`name ${i}`, i * 0.5, "tag");
      };
    },
  },
  {
    name: "INSERT x 20000 in one transaction",
    rows: 20000,
    make(mode) {
      const db = database(mode, 0);
      const insert = db.prepare("INSERT INTO t (name, score, tag) VALUES (?, ?, ?)");
      const all = db.transaction(() => {
        for (let i = 0; i < 20000; i++) insert.run(`name ${i}`, i * 0.5, "tag");
      });
      return () => all();
    },
  },
  {
    name: "autocommit UPDATE by key",
    rows: 2000,
    make(mode) {
      const db = database(mode, 2000);
      const update = db.prepare("UPDATE t SET score = score + 1 WHERE id = ?");
      return () => {
        for (let i = 1; i <= 2000; i++) update.run(i);
      };
    },
  },
];

export async function run(): Promise<void> {
  console.log("| workload | capture | CPU ms | rows/s | vs off |");
  console.log("|---|---|---:|---:|---:|");
  for (const w of WORKLOADS) {
    let offMs = 0;
    for (const mode of MODES) {
      const t = measure(() => w.make(mode), OPTIONS);
      if (mode === "off") offMs = t.cpuMs;
      const perSecond = Math.round((w.rows / t.cpuMs) * 1000);
      console.log(`| ${w.name} | ${mode} | ${t.cpuMs.toFixed(1)} | ${perSecond} | ${(t.cpuMs / offMs).toFixed(2)}x |`);
    }
  }
  const prune = measure(() => {
    const db = database("id", 0);
    const insert = db.prepare("INSERT INTO t (name) VALUES (?)");
    const batch = db.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run("x");
    });
    // 100 transactions of 1000 rows: 100,100 retained changes.
    for (let i = 0; i < 100; i++) batch();
    setCaptureRetention(db, { maxChanges: 1000, maxAgeSeconds: null });
    return () => pruneCapturedChanges(db).deleted;
  }, { runs: 3, budgetMs: 3000 });
  console.log(`\nprune 100,100 changes down to ~1,000: ${prune.cpuMs.toFixed(1)} CPU ms (${String(prune.result)} rows deleted)`);
}
