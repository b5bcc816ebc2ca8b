// WITHOUT ROWID tables in SQLite's file format, both ways: a database Tessera
// writes opens in sql.js with identical contents and a clean integrity_check
// (and takes further writes there), and a database sql.js writes opens in
// Tessera with identical contents, lookups and integrity, and stays valid
// after Tessera writes to it.
import initSqlJs, { type Database as SqlJsDatabase } from "sql.js";
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { seededRandom } from "../../helpers/random.js";

const SQL = await initSqlJs();

const SCHEMA = `CREATE TABLE doc(owner TEXT COLLATE NOCASE, n INT, body TEXT, size INT, PRIMARY KEY(owner, n DESC)) WITHOUT ROWID;
  CREATE INDEX doc_size ON doc(size);
  CREATE UNIQUE INDEX doc_body ON doc(substr(body, 1, 12)) WHERE size > 900;
  CREATE TABLE kv(k BLOB PRIMARY KEY, v) WITHOUT ROWID;`;

/** Rows for both databases: long bodies spill to overflow pages; keys spread over many pages. */
function rows(seed: number, count: number): [string, number, string, number][] {
  const random = seededRandom(seed);
  const out: [string, number, string, number][] = [];
  for (let i = 0; i < count; i++) {
    const size = Math.floor(random() * 3000);
    out.push([`owner${i % 37}`, i, `body-${String(i).padStart(6, "0")}-${"x".repeat(size)}`, size]);
  }
  return out;
}

const QUERIES = [
  "SELECT owner, n, length(body), size FROM doc",
  "SELECT owner, n, size FROM doc WHERE owner = 'OWNER5'",
  "SELECT owner, n FROM doc WHERE owner = 'owner7' AND n < 300",
  "SELECT owner, n FROM doc WHERE size BETWEEN 100 AND 140",
  "SELECT count(*), sum(size) FROM doc",
  "SELECT hex(k), v FROM kv",
  "PRAGMA integrity_check",
];

function sqljsRows(db: SqlJsDatabase, sql: string): unknown[][] {
  return db.exec(sql)[0]?.values ?? [];
}

function tesseraRows(db: Database, sql: string): unknown[][] {
  return db.prepare(sql).raw().all() as unknown[][];
}

describe("WITHOUT ROWID file round trips with sql.js", () => {
  it("a database Tessera writes opens in sql.js with the same contents", () => {
    const db = new Database();
    db.exec(SCHEMA);
    const insert = db.prepare("INSERT INTO doc VALUES (?, ?, ?, ?)");
    db.transaction(() => {
      for (const r of rows(1, 1500)) insert.run(...r);
      for (let i = 0; i < 300; i++) db.prepare("INSERT INTO kv VALUES (?, ?)").run(new Uint8Array([i & 255, i >> 8, 7]), i * 1.5);
    })();
    db.exec("DELETE FROM doc WHERE n % 5 = 0; UPDATE doc SET n = n + 100000 WHERE n % 7 = 0; DELETE FROM kv WHERE v > 300");
    const image = db.serialize();
    const s = new SQL.Database(image);
    try {
      for (const q of QUERIES) expect(sqljsRows(s, q), q).toEqual(tesseraRows(db, q));
      expect(sqljsRows(s, "SELECT count(*) FROM doc")[0][0]).toBeGreaterThan(1000);
      // sql.js keeps writing to it: its own inserts and deletes see a consistent tree and indexes.
      s.run("INSERT INTO doc VALUES ('Owner1', 5, 'fresh', 1)");
      s.run("DELETE FROM doc WHERE owner = 'owner2'");
      expect(sqljsRows(s, "PRAGMA integrity_check")).toEqual([["ok"]]);
    } finally {
      s.close();
      db.close();
    }
  });

  it("a database sql.js writes opens in Tessera with the same contents, and stays valid after Tessera writes", () => {
    const s = new SQL.Database();
    s.exec(SCHEMA);
    s.run("BEGIN");
    const insert = s.prepare("INSERT INTO doc VALUES (?, ?, ?, ?)");
    for (const r of rows(2, 1500)) insert.run(r);
    insert.free();
    for (let i = 0; i < 300; i++) s.run("INSERT INTO kv VALUES (?, ?)", [new Uint8Array([i & 255, i >> 8, 3]), i]);
    s.run("COMMIT");
    s.run("DELETE FROM doc WHERE n % 3 = 0");
    s.run("ALTER TABLE doc ADD COLUMN tag TEXT DEFAULT 'none'");
    const image = s.export();
    const db = new Database({ image });
    try {
      for (const q of [...QUERIES, "SELECT owner, n, tag FROM doc WHERE owner = 'owner3'"]) expect(tesseraRows(db, q), q).toEqual(sqljsRows(s, q));
      expect(tesseraRows(db, "EXPLAIN QUERY PLAN SELECT * FROM doc WHERE owner = 'x'").map((r) => r[3])).toEqual(["SEARCH doc USING PRIMARY KEY (owner=?)"]);
      // The same writes on both, then the same contents, and Tessera's file passes sql.js's integrity_check.
      const writes = [
        "INSERT INTO doc VALUES ('OWNER4', 4, 'again', 12, 't')",
        "INSERT OR REPLACE INTO doc VALUES ('owner4', 4, 'replaced', 13, 'u')",
        "UPDATE doc SET n = -n WHERE owner = 'owner9'",
        "UPDATE doc SET tag = 'big' WHERE size > 2500",
        "DELETE FROM doc WHERE size < 200",
        "DELETE FROM kv WHERE v % 2 = 1",
      ];
      for (const w of writes) {
        let sqliteError: string | null = null;
        let tesseraError: string | null = null;
        try {
          s.run(w);
        } catch (e) {
          sqliteError = (e as Error).message;
        }
        try {
          db.exec(w);
        } catch (e) {
          tesseraError = (e as Error).message;
        }
        expect(tesseraError, w).toBe(sqliteError);
      }
      for (const q of [...QUERIES, "SELECT owner, n, tag FROM doc WHERE tag <> 'none'"]) expect(tesseraRows(db, q), q).toEqual(sqljsRows(s, q));
      const back = new SQL.Database(db.serialize());
      try {
        expect(sqljsRows(back, "PRAGMA integrity_check")).toEqual([["ok"]]);
        for (const q of QUERIES) expect(sqljsRows(back, q), q).toEqual(sqljsRows(s, q));
      } finally {
        back.close();
      }
    } finally {
      db.close();
      s.close();
    }
  });
});
