// Parser throughput: statements per second parsed by src/engine/sql over a
// sample of the sqllogictest corpus, next to sql.js (SQLite in WebAssembly)
// preparing and freeing the same statements. prepare also resolves names and
// generates bytecode, so the ratio is for scale, not a like-for-like race.

import initSqlJs from "sql.js";
import { parseScript } from "../src/engine/sql/parse.js";
import { CORPUS_DIR, corpusFiles, sqliteRecords } from "../test/engine/sql/slt-records.js";

/** One file from each kind of corpus folder, so every statement style is represented. */
const SAMPLE_FILES = [
  `${CORPUS_DIR}/select1.test`,
  `${CORPUS_DIR}/select3.test`,
  `${CORPUS_DIR}/select5.test`,
  ...["index/between/10", "index/in/10", "index/orderby/100", "index/view/100", "random/aggregates", "random/expr", "random/groupby", "random/select"].map(
    (dir) => corpusFiles(`${CORPUS_DIR}/${dir}`)[0],
  ),
];

interface FileSample {
  /** CREATE statements, replayed in sql.js so that prepare finds the tables. */
  schema: string[];
  statements: string[];
}

function loadSample(file: string): FileSample {
  const sample: FileSample = { schema: [], statements: [] };
  for (const r of sqliteRecords(file)) {
    if (r.type === "error") continue;
    if (r.type === "ok" && /^\s*CREATE\b/i.test(r.sql)) sample.schema.push(r.sql);
    sample.statements.push(r.sql);
  }
  return sample;
}

/** Runs `body` over the statements repeatedly for at least `minMs`; returns statements per second. */
function rate(statements: string[], body: (sql: string) => void, minMs: number): number {
  for (const s of statements.slice(0, 2000)) body(s);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const s of statements) body(s);
    count += statements.length;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return (count / elapsed) * 1000;
}

export async function run(): Promise<void> {
  const SQL = await initSqlJs();
  let ours = 0;
  let sqljs = 0;
  let statements = 0;
  let chars = 0;
  const rows: string[] = [];
  for (const file of SAMPLE_FILES) {
    const sample = loadSample(file);
    const db = new SQL.Database();
    for (const create of sample.schema) db.exec(create);
    const oursRate = rate(sample.statements, (sql) => parseScript(sql), 1000);
    const sqljsRate = rate(
      sample.statements,
      (sql) => {
        try {
          db.prepare(sql).free();
        } catch {
          // e.g. DROP of a table the replayed schema never created; prepare work is done.
        }
      },
      1000,
    );
    db.close();
    const n = sample.statements.length;
    // Time-weighted totals: how long each side needs for the whole sample.
    ours += n / oursRate;
    sqljs += n / sqljsRate;
    statements += n;
    chars += sample.statements.reduce((sum, s) => sum + s.length, 0);
    rows.push(
      `${file.slice(CORPUS_DIR.length + 1).padEnd(44)} ${String(n).padStart(7)} ${Math.round(oursRate).toLocaleString().padStart(12)} ${Math.round(sqljsRate).toLocaleString().padStart(12)} ${(oursRate / sqljsRate).toFixed(2).padStart(6)}`,
    );
  }
  console.log(`${"sample file".padEnd(44)} ${"stmts".padStart(7)} ${"tessera/s".padStart(12)} ${"sql.js/s".padStart(12)} ${"ratio".padStart(6)}`);
  for (const r of rows) console.log(r);
  const oursTotal = statements / ours;
  const sqljsTotal = statements / sqljs;
  console.log(
    `\ntotal: ${statements} statements (${(chars / 1e6).toFixed(1)} M chars); tessera parse ${Math.round(oursTotal).toLocaleString()} stmt/s ` +
      `(${((chars / ours) / 1e6).toFixed(1)} M chars/s); sql.js prepare+free ${Math.round(sqljsTotal).toLocaleString()} stmt/s; ratio ${(oursTotal / sqljsTotal).toFixed(2)}x`,
  );
}
