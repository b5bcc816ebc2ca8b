// Rows read and written per statement run (Statement.rowCounts(), libSQL's
// rows_read / rows_written): point lookups read one row, scans read every row
// they visit (before filters), index lookups read the entries they land on,
// writes count each table row inserted, updated or deleted, including rows
// written by triggers and upserts; counts restart with every run.
import { beforeEach, describe, expect, it } from "vitest";
import { Database, type BindParameters } from "../../../src/engine/index.js";

let db: Database;

function counts(sql: string, ...params: BindParameters): { rowsRead: number; rowsWritten: number } {
  const statement = db.prepare(sql);
  if (statement.reader) statement.all(...params);
  else statement.run(...params);
  return statement.rowCounts();
}

beforeEach(() => {
  db = new Database();
  db.exec("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT, g INTEGER)");
  db.exec("CREATE INDEX kv_g ON kv (g)");
  db.exec("INSERT INTO kv SELECT value, 'v' || value, value % 10 FROM (WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 100) SELECT value FROM n)");
});

describe("rows read", () => {
  it("a rowid lookup reads one row, a miss none", () => {
    expect(counts("SELECT v FROM kv WHERE k = ?", 42)).toEqual({ rowsRead: 1, rowsWritten: 0 });
    expect(counts("SELECT v FROM kv WHERE k = ?", 4242)).toEqual({ rowsRead: 0, rowsWritten: 0 });
  });

  it("a full scan reads every row, whatever its filter keeps", () => {
    expect(counts("SELECT v FROM kv WHERE v LIKE '%7'")).toEqual({ rowsRead: 100, rowsWritten: 0 });
    expect(counts("SELECT count(*) FROM kv WHERE v = 'none'")).toEqual({ rowsRead: 100, rowsWritten: 0 });
  });

  it("a rowid range and an index lookup read the rows they visit", () => {
    expect(counts("SELECT v FROM kv WHERE k BETWEEN 11 AND 20")).toEqual({ rowsRead: 10, rowsWritten: 0 });
    expect(counts("SELECT v FROM kv WHERE g = 3")).toEqual({ rowsRead: 10, rowsWritten: 0 });
  });

  it("a join reads the rows of both sides it visits", () => {
    db.exec("CREATE TABLE tag (k INTEGER, label TEXT); INSERT INTO tag VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    // 3 tag rows scanned, then one rowid lookup into kv for each.
    expect(counts("SELECT tag.label, kv.v FROM tag JOIN kv ON kv.k = tag.k")).toEqual({ rowsRead: 6, rowsWritten: 0 });
  });

  it("counts restart with each run of the same statement", () => {
    const statement = db.prepare("SELECT v FROM kv WHERE k <= ?");
    statement.all(5);
    expect(statement.rowCounts().rowsRead).toBe(5);
    statement.all(2);
    expect(statement.rowCounts().rowsRead).toBe(2);
  });

  it("values and subquery results in memory are not storage reads", () => {
    expect(counts("SELECT * FROM (VALUES (1), (2), (3))")).toEqual({ rowsRead: 0, rowsWritten: 0 });
  });
});

describe("rows written", () => {
  it("an insert writes each row it inserts", () => {
    expect(counts("INSERT INTO kv (v, g) VALUES ('x', 1), ('y', 2)")).toEqual({ rowsRead: 0, rowsWritten: 2 });
  });

  it("an update and a delete read the rows they visit and write the rows they change", () => {
    expect(counts("UPDATE kv SET v = 'u' WHERE k = 5")).toEqual({ rowsRead: 1, rowsWritten: 1 });
    expect(counts("UPDATE kv SET v = 'u' WHERE g = 1")).toEqual({ rowsRead: 10, rowsWritten: 10 });
    expect(counts("DELETE FROM kv WHERE k >= 96")).toEqual({ rowsRead: 5, rowsWritten: 5 });
  });

  it("an ignored insert writes nothing; an upsert that updates writes one row", () => {
    expect(counts("INSERT OR IGNORE INTO kv (k, v) VALUES (1, 'dup')").rowsWritten).toBe(0);
    expect(counts("INSERT INTO kv (k, v) VALUES (1, 'dup') ON CONFLICT (k) DO UPDATE SET v = excluded.v").rowsWritten).toBe(1);
  });

  it("rows written by triggers count toward the statement that fired them", () => {
    db.exec("CREATE TABLE audit (k INTEGER); CREATE TRIGGER kv_audit AFTER DELETE ON kv BEGIN INSERT INTO audit VALUES (old.k); END");
    expect(counts("DELETE FROM kv WHERE k <= 3")).toEqual({ rowsRead: 3, rowsWritten: 6 });
  });

  it("transaction control reads and writes nothing", () => {
    expect(counts("BEGIN")).toEqual({ rowsRead: 0, rowsWritten: 0 });
    expect(counts("COMMIT")).toEqual({ rowsRead: 0, rowsWritten: 0 });
  });
});
