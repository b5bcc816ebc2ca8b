// B-tree insert and point-lookup rates (100k rows of ~50-byte records,
// sequential and random rowids) next to SQLite (sql.js) doing the same work:
// INSERT in one transaction through a prepared statement, SELECT by rowid
// through a prepared statement.
import initSqlJs from "sql.js";
import { BtreeDatabase, decodeRecord, encodeRecord } from "../src/engine/btree/index.js";
import { MemoryPageStore } from "../src/engine/pager/index.js";
import { shuffled } from "./engine/data.js";
import { perSecond, timeMs } from "./engine/measure.js";

const N = 100_000;

function rows(): [number, string, number][] {
  return Array.from({ length: N }, (_, i) => [i * 37, `row ${i} payload text padding`, i * 0.5 + 0.25]);
}

function rowids(kind: "sequential" | "random"): number[] {
  const ids = Array.from({ length: N }, (_, i) => i + 1);
  return kind === "random" ? shuffled(ids) : ids;
}

export async function run(): Promise<void> {
  const SQL = await initSqlJs();
  const data = rows();
  const results: [string, number, number][] = [];
  for (const kind of ["sequential", "random"] as const) {
    const ids = rowids(kind);
    const lookups = rowids("random");

    const db = BtreeDatabase.open(new MemoryPageStore());
    let root = 0;
    const ourInsert = timeMs(() => {
      const tx = db.beginWrite();
      root = tx.createTree("table");
      const c = tx.openTable(root);
      for (let i = 0; i < N; i++) c.insert(ids[i], encodeRecord(data[i]));
      tx.commit();
    });
    const ourLookup = timeMs(() => {
      const rt = db.beginRead();
      const c = rt.openTable(root);
      for (let i = 0; i < N; i++) if (!c.seek(lookups[i]) || decodeRecord(c.payload()).length !== 3) throw new Error("lookup failed");
      rt.end();
    });

    const s = new SQL.Database();
    s.run("CREATE TABLE t(a, b, c)");
    const theirInsert = timeMs(() => {
      s.run("BEGIN");
      const ins = s.prepare("INSERT INTO t(rowid, a, b, c) VALUES (?, ?, ?, ?)");
      for (let i = 0; i < N; i++) ins.run([ids[i], ...data[i]]);
      ins.free();
      s.run("COMMIT");
    });
    const theirLookup = timeMs(() => {
      const sel = s.prepare("SELECT a, b, c FROM t WHERE rowid = ?");
      for (let i = 0; i < N; i++) {
        sel.bind([lookups[i]]);
        if (!sel.step() || sel.get().length !== 3) throw new Error("lookup failed");
        sel.reset();
      }
      sel.free();
    });
    s.close();
    results.push([`insert (${kind} rowids)`, perSecond(N, ourInsert), perSecond(N, theirInsert)]);
    results.push([`point lookup (table built with ${kind} rowids)`, perSecond(N, ourLookup), perSecond(N, theirLookup)]);
  }
  console.log(`${N} rows of ~50-byte records, ops/s (higher is better)\n`);
  console.log("| operation | tessera | sqlite (sql.js) | ratio |");
  console.log("|---|---:|---:|---:|");
  for (const [name, ours, theirs] of results) {
    console.log(`| ${name} | ${ours.toLocaleString("en")} | ${theirs.toLocaleString("en")} | ${(ours / theirs).toFixed(2)}x |`);
  }
}
