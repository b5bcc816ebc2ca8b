// Statement.iterate(): rows computed as the iterator is pulled (checked by
// the rows the statement read from storage), the same rows as all(), one
// snapshot for the whole iteration, and better-sqlite3's rules while it is
// open: the connection refuses writes and transaction control, the
// statement refuses to run again, other reads work; leaving the loop ends it.
import { beforeEach, describe, expect, it } from "vitest";
import { Database } from "../../src/engine/index.js";

const N = 10_000;
let db: Database;

beforeEach(() => {
  db = new Database();
  db.exec("CREATE TABLE t(i INTEGER PRIMARY KEY, v)");
  const insert = db.prepare("INSERT INTO t(v) VALUES (?)");
  db.exec("BEGIN");
  for (let i = 0; i < N; i++) insert.run((i * 7919) % 1000);
  db.exec("COMMIT");
});

describe("Statement.iterate", () => {
  it("yields the rows all() returns, in order, for sorted and limited queries too", () => {
    for (const sql of ["SELECT * FROM t", "SELECT v, count(*) FROM t GROUP BY v ORDER BY 2 DESC, 1", "SELECT i FROM t ORDER BY v, i LIMIT 300 OFFSET 50", "SELECT * FROM t WHERE 0"]) {
      const stmt = db.prepare(sql);
      expect([...stmt.iterate()]).toEqual(stmt.all());
    }
  });

  it("reads only what the rows pulled need", () => {
    const stmt = db.prepare("SELECT * FROM t");
    let pulled = 0;
    for (const _ of stmt.iterate()) if (++pulled === 10) break;
    expect(stmt.rowCounts().rowsRead).toBeLessThan(N / 10);
  });

  it("reads one snapshot: rows another connection commits meanwhile are not seen", () => {
    const other = db.connect();
    let seen = 0;
    for (const _ of db.prepare("SELECT * FROM t").iterate()) if (++seen === 100) other.exec("INSERT INTO t(v) VALUES (1); DELETE FROM t WHERE i > 9000");
    expect(seen).toBe(N);
    expect(db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(9000);
  });

  it("keeps the connection from writing while open, and frees it when left", () => {
    const stmt = db.prepare("SELECT i FROM t");
    const iterator = stmt.iterate();
    iterator.next();
    expect(() => db.exec("INSERT INTO t(v) VALUES (1)")).toThrow("This database connection is busy executing a query");
    expect(() => db.exec("BEGIN")).toThrow("This database connection is busy executing a query");
    expect(() => stmt.all()).toThrow("This statement is busy executing a query");
    expect(db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(N);
    iterator.return?.();
    db.exec("INSERT INTO t(v) VALUES (1)");
    expect(stmt.all()).toHaveLength(N + 1);
  });

  it("inside a transaction reads the transaction's own writes", () => {
    db.exec("BEGIN; DELETE FROM t WHERE i > 10");
    expect([...db.prepare("SELECT i FROM t").pluck().iterate()]).toEqual(Array.from({ length: 10 }, (_, k) => k + 1));
    db.exec("ROLLBACK");
  });

  it("runs statements that write, or call random(), once", () => {
    const inserted = [...db.prepare("INSERT INTO t(v) VALUES (1), (2) RETURNING v").pluck().iterate()];
    expect(inserted).toEqual([1, 2]);
    const random = [...db.prepare("SELECT random() FROM t").pluck().iterate()];
    expect(new Set(random).size).toBeGreaterThan(N / 2);
  });
});
