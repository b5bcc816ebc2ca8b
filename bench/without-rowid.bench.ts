// WITHOUT ROWID tables through the engine API: 100k INSERTs of (text key,
// int, text) in one transaction and 100k point SELECTs by the text PRIMARY
// KEY (prepared), in Tessera and in SQLite (sql.js), next to the same work
// on a rowid table whose TEXT PRIMARY KEY is a separate index.
import initSqlJs from "sql.js";
import { Database } from "../src/engine/index.js";
import { shuffled } from "./engine/data.js";
import { perSecond, timeMs } from "./engine/measure.js";

const N = 100_000;

function keys(): string[] {
  return shuffled(Array.from({ length: N }, (_, i) => `user:${(i * 7919) % N}:${i}`));
}

export async function run(): Promise<void> {
  const SQL = await initSqlJs();
  const inserted = keys();
  const lookups = keys().reverse();
  const results: [string, number, number][] = [];
  for (const layout of ["WITHOUT ROWID", "rowid table"]) {
    const ddl = `CREATE TABLE t(k TEXT PRIMARY KEY, n INT, v TEXT)${layout === "WITHOUT ROWID" ? " WITHOUT ROWID" : ""}`;
    const db = new Database();
    db.exec(ddl);
    const ins = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
    const ourInsert = timeMs(() => db.transaction(() => inserted.forEach((k, i) => ins.run(k, i, "payload text")))());
    const sel = db.prepare("SELECT n, v FROM t WHERE k = ?").raw();
    const ourLookup = timeMs(() => {
      for (const k of lookups) if (!sel.get(k)) throw new Error("lookup failed");
    });
    db.close();

    const s = new SQL.Database();
    s.run(ddl);
    const theirInsert = timeMs(() => {
      s.run("BEGIN");
      const st = s.prepare("INSERT INTO t VALUES (?, ?, ?)");
      inserted.forEach((k, i) => st.run([k, i, "payload text"]));
      st.free();
      s.run("COMMIT");
    });
    const theirLookup = timeMs(() => {
      const st = s.prepare("SELECT n, v FROM t WHERE k = ?");
      for (const k of lookups) {
        st.bind([k]);
        if (!st.step()) throw new Error("lookup failed");
        st.reset();
      }
      st.free();
    });
    s.close();
    results.push([`insert, ${layout}`, perSecond(N, ourInsert), perSecond(N, theirInsert)]);
    results.push([`point select by TEXT PRIMARY KEY, ${layout}`, perSecond(N, ourLookup), perSecond(N, theirLookup)]);
  }
  console.log(`${N} rows (random key order), ops/s (higher is better)\n`);
  console.log("| operation | tessera | sqlite (sql.js) | ratio |");
  console.log("|---|---:|---:|---:|");
  for (const [name, ours, theirs] of results) {
    console.log(`| ${name} | ${ours.toLocaleString("en")} | ${theirs.toLocaleString("en")} | ${(ours / theirs).toFixed(2)}x |`);
  }
}
