// Change data capture of INSERT, UPDATE and DELETE: the pragma, the CDC
// table's layout, and what each change kind records in each mode (Turso's
// expectations from its test_cdc.rs, in its v2 layout).
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { changeSummary, readChanges } from "./helpers.js";

function fresh(mode: string): Database {
  const db = new Database();
  db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
  db.exec(`PRAGMA capture_data_changes_conn('${mode}')`);
  return db;
}

/** Turso's basic scenario: two inserts, an update, two deletes, each its own transaction. */
function basicScenario(db: Database): void {
  db.exec("INSERT INTO t VALUES (1, 2), (3, 4)");
  db.exec("UPDATE t SET y = 3 WHERE x = 1");
  db.exec("DELETE FROM t WHERE x = 3");
  db.exec("DELETE FROM t WHERE x = 1");
}

describe("PRAGMA capture_data_changes_conn", () => {
  it("reports off, then the mode, table and layout version", () => {
    const db = new Database();
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().all()).toEqual([["off", null, null]]);
    db.exec("PRAGMA capture_data_changes_conn('full')");
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().all()).toEqual([["full", "turso_cdc", "v2"]]);
    db.exec("PRAGMA capture_data_changes_conn('id,my_changes')");
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().all()).toEqual([["id", "my_changes", "v2"]]);
    db.exec("PRAGMA capture_data_changes_conn('off')");
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().all()).toEqual([["off", null, null]]);
  });

  it("accepts Turso's older unstable_ name", () => {
    const db = new Database();
    db.exec("PRAGMA unstable_capture_data_changes_conn('after')");
    expect(db.prepare("PRAGMA unstable_capture_data_changes_conn").raw().all()).toEqual([["after", "turso_cdc", "v2"]]);
  });

  it("creates the CDC table in Turso's v2 layout and records its version", () => {
    const db = fresh("full");
    expect((db.prepare("PRAGMA table_info('turso_cdc')").all() as { name: string }[]).map((c) => c.name)).toEqual([
      "change_id",
      "change_time",
      "change_txn_id",
      "change_type",
      "table_name",
      "id",
      "before",
      "after",
      "updates",
    ]);
    expect(db.prepare("SELECT table_name, version FROM turso_cdc_version").raw().all()).toEqual([["turso_cdc", "v2"]]);
    expect(db.prepare("SELECT table_columns_json_array('turso_cdc')").pluck().get()).toBe(
      '["change_id","change_time","change_txn_id","change_type","table_name","id","before","after","updates"]',
    );
  });

  it("rejects unknown modes and a table of another layout", () => {
    const db = new Database();
    expect(() => db.exec("PRAGMA capture_data_changes_conn('everything')")).toThrow(/unexpected capture_data_changes_conn mode 'everything'/);
    db.exec("CREATE TABLE other (a, b)");
    expect(() => db.exec("PRAGMA capture_data_changes_conn('full,other')")).toThrow(/table other cannot hold captured changes/);
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().all()).toEqual([["off", null, null]]);
  });

  it("captures nothing while off, and nothing of the changes made before it was turned on", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT INTO t VALUES (2, 2)");
    db.exec("PRAGMA capture_data_changes_conn('off')");
    db.exec("INSERT INTO t VALUES (3, 3)");
    expect(changeSummary(db)).toEqual([[1, "t", 2, null, null, null], ["commit"]]);
  });

  it("dropping the CDC table stops capture until it is turned on again", () => {
    const db = fresh("id");
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("DROP TABLE turso_cdc");
    db.exec("INSERT INTO t VALUES (2, 2)");
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().get()).toEqual(["off", null, null]);
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT INTO t VALUES (3, 3)");
    expect(changeSummary(db)).toEqual([[1, "t", 3, null, null, null], ["commit"]]);
  });

  it("re-enabling keeps the existing table and its history", () => {
    const db = fresh("full");
    db.exec("INSERT INTO t VALUES (1, 10)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT INTO t VALUES (2, 20)");
    expect(db.prepare("SELECT count(*) FROM turso_cdc").pluck().get()).toBe(4);
    expect(db.prepare("SELECT count(*) FROM turso_cdc_version").pluck().get()).toBe(1);
  });
});

describe("captured changes by mode", () => {
  it("full: before and after images, and Turso's updates record for an update", () => {
    const db = fresh("full");
    basicScenario(db);
    expect(changeSummary(db)).toEqual([
      [1, "t", 1, null, [1, 2], null],
      [1, "t", 3, null, [3, 4], null],
      ["commit"],
      [0, "t", 1, [1, 2], [1, 3], [0, 1, null, 3]],
      ["commit"],
      [-1, "t", 3, [3, 4], null, null],
      ["commit"],
      [-1, "t", 1, [1, 3], null, null],
      ["commit"],
    ]);
  });

  it("before: only before images", () => {
    const db = fresh("before");
    basicScenario(db);
    expect(changeSummary(db)).toEqual([
      [1, "t", 1, null, null, null],
      [1, "t", 3, null, null, null],
      ["commit"],
      [0, "t", 1, [1, 2], null, null],
      ["commit"],
      [-1, "t", 3, [3, 4], null, null],
      ["commit"],
      [-1, "t", 1, [1, 3], null, null],
      ["commit"],
    ]);
  });

  it("after: only after images", () => {
    const db = fresh("after");
    basicScenario(db);
    expect(changeSummary(db)).toEqual([
      [1, "t", 1, null, [1, 2], null],
      [1, "t", 3, null, [3, 4], null],
      ["commit"],
      [0, "t", 1, null, [1, 3], null],
      ["commit"],
      [-1, "t", 3, null, null, null],
      ["commit"],
      [-1, "t", 1, null, null, null],
      ["commit"],
    ]);
  });

  it("id: only the rowid; a rowid change is a delete and an insert (Turso's crud scenario)", () => {
    const db = fresh("id");
    db.exec("INSERT INTO t VALUES (20, 20), (10, 10), (5, 1)");
    db.exec("UPDATE t SET y = 100 WHERE x = 5");
    db.exec("DELETE FROM t WHERE x > 5");
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("UPDATE t SET x = 2 WHERE x = 1");
    expect(db.prepare("SELECT * FROM t").raw().all()).toEqual([
      [2, 1],
      [5, 100],
    ]);
    expect(changeSummary(db)).toEqual([
      [1, "t", 20, null, null, null],
      [1, "t", 10, null, null, null],
      [1, "t", 5, null, null, null],
      ["commit"],
      [0, "t", 5, null, null, null],
      ["commit"],
      [-1, "t", 10, null, null, null],
      [-1, "t", 20, null, null, null],
      ["commit"],
      [1, "t", 1, null, null, null],
      ["commit"],
      [-1, "t", 1, null, null, null],
      [1, "t", 2, null, null, null],
      ["commit"],
    ]);
  });

  it("full: a rowid change records the old row as deleted and the new one as inserted", () => {
    const db = fresh("full");
    db.exec("INSERT INTO t VALUES (1, 'a')");
    db.exec("UPDATE t SET x = 7, y = 'b' WHERE x = 1");
    expect(changeSummary(db).slice(2)).toEqual([[-1, "t", 1, [1, "a"], null, null], [1, "t", 7, null, [7, "b"], null], ["commit"]]);
  });

  it("full: the updates record flags the columns the UPDATE sets, as Turso does, even when a value stays the same", () => {
    const db = new Database();
    db.exec("CREATE TABLE p (id INTEGER PRIMARY KEY, a TEXT, b REAL, c BLOB, d)");
    db.exec("INSERT INTO p VALUES (1, 'x', 1.5, x'00ff', NULL)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("UPDATE p SET a = 'y', c = x'00ff', d = 4 WHERE id = 1");
    const [update] = readChanges(db);
    expect(update.change_type).toBe(0);
    expect(update.before).toEqual([1, "x", 1.5, new Uint8Array([0, 255]), null]);
    expect(update.after).toEqual([1, "y", 1.5, new Uint8Array([0, 255]), 4]);
    expect(update.updates).toEqual([0, 1, 0, 1, 1, null, "y", null, new Uint8Array([0, 255]), 4]);
  });

  it("assigning the INTEGER PRIMARY KEY is a delete and an insert even when its value stays (Turso's rule)", () => {
    const db = fresh("id");
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("UPDATE t SET x = x, y = 2");
    db.exec("UPDATE t SET rowid = 1, y = 3");
    expect(changeSummary(db).slice(2)).toEqual([
      [-1, "t", 1, null, null, null],
      [1, "t", 1, null, null, null],
      ["commit"],
      [-1, "t", 1, null, null, null],
      [1, "t", 1, null, null, null],
      ["commit"],
    ]);
  });

  it("a table without an INTEGER PRIMARY KEY records its rowid as id and every column in the images", () => {
    const db = new Database();
    db.exec("CREATE TABLE n (a TEXT, b INTEGER)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO n VALUES ('k', '12')");
    expect(changeSummary(db)).toEqual([[1, "n", 1, null, ["k", 12], null], ["commit"]]);
  });
});

describe("transactions and change ids", () => {
  it("an explicit transaction shares one change_txn_id (its first change's id) and ends with one commit record", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y); CREATE TABLE q (x INTEGER PRIMARY KEY, y UNIQUE)");
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT INTO t VALUES (100, 0)");
    db.exec("BEGIN");
    db.exec("INSERT INTO t VALUES (1, 10)");
    db.exec("INSERT INTO q VALUES (2, 20)");
    db.exec("DELETE FROM t WHERE x = 1");
    db.exec("UPDATE q SET y = 200 WHERE x = 2");
    db.exec("COMMIT");
    const rows = readChanges(db);
    expect(rows.map((r) => r.change_id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((r) => r.change_txn_id)).toEqual([1, 1, 3, 3, 3, 3, 3]);
    expect(changeSummary(db).slice(2)).toEqual([
      [1, "t", 1, null, null, null],
      [1, "q", 2, null, null, null],
      [-1, "t", 1, null, null, null],
      [0, "q", 2, null, null, null],
      ["commit"],
    ]);
  });

  it("commit records carry a time and txn id and nothing else; change_time is unix seconds", () => {
    const db = fresh("full");
    const before = Math.floor(Date.now() / 1000);
    db.exec("INSERT INTO t VALUES (1, 10)");
    const after = Math.floor(Date.now() / 1000);
    const rows = db.prepare("SELECT * FROM turso_cdc ORDER BY change_id").raw().all() as unknown[][];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row[1]).toBeGreaterThanOrEqual(before);
      expect(row[1]).toBeLessThanOrEqual(after);
    }
    expect(rows[1].slice(2)).toEqual([1, 2, null, null, null, null, null]);
  });

  it("a transaction that changed nothing writes no commit record", () => {
    const db = fresh("full");
    db.exec("BEGIN; COMMIT");
    db.exec("BEGIN; SELECT * FROM t; COMMIT");
    db.exec("UPDATE t SET y = 1 WHERE x = 42");
    expect(readChanges(db)).toEqual([]);
  });

  it("writes to a custom CDC table", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
    db.exec("PRAGMA capture_data_changes_conn('id,custom_cdc')");
    db.exec("INSERT INTO t VALUES (1, 10)");
    expect(changeSummary(db, "custom_cdc")).toEqual([[1, "t", 1, null, null, null], ["commit"]]);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'turso_cdc'").pluck().get()).toBe(0);
  });

  it("keeps a plain index on the CDC table in step; refuses a CHECK constraint on it at commit", () => {
    const db = fresh("id");
    db.exec("CREATE INDEX cdc_by_table ON turso_cdc(table_name, change_id)");
    db.exec("INSERT INTO t VALUES (1, 1), (2, 2)");
    expect(db.prepare("PRAGMA integrity_check").pluck().all()).toEqual(["ok"]);
    expect(db.prepare("SELECT id FROM turso_cdc INDEXED BY cdc_by_table WHERE table_name = 't'").pluck().all()).toEqual([1, 2]);
    db.exec("DROP TABLE turso_cdc");
    db.exec(
      "CREATE TABLE turso_cdc (change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, change_txn_id INTEGER, change_type INTEGER CHECK (change_type BETWEEN -1 AND 2), table_name TEXT, id, before BLOB, after BLOB, updates BLOB)",
    );
    db.exec("PRAGMA capture_data_changes_conn('id')");
    expect(() => db.exec("INSERT INTO t VALUES (3, 3)")).toThrow(/cannot record captured changes in turso_cdc/);
    expect(db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(2);
  });

  it("changes to the CDC table itself are never captured", () => {
    const db = fresh("id");
    db.exec("INSERT INTO t VALUES (1, 10)");
    db.exec("INSERT INTO t VALUES (2, 20)");
    db.exec("DELETE FROM turso_cdc WHERE change_id < 2");
    expect(changeSummary(db)).toEqual([["commit"], [1, "t", 2, null, null, null], ["commit"]]);
  });
});
