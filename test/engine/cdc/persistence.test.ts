// The capture setting and the captured changes live in the database file:
// they survive serialize and reopen, and the file is an ordinary SQLite
// database (sql.js reads the CDC table and the configuration table).
import initSqlJs from "sql.js";
import { describe, expect, it } from "vitest";
import { Database, getCaptureDataChanges, readableCaptureTable, setCaptureDataChanges } from "../../../src/engine/index.js";
import { changeSummary } from "./helpers.js";

const SQL = await initSqlJs();

describe("persistence", () => {
  it("keeps capturing after reopening a serialized image, continuing the change ids", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
    db.exec("PRAGMA capture_data_changes_conn('full,changes')");
    db.exec("INSERT INTO t VALUES (1, 'one')");
    const reopened = new Database({ image: db.serialize() });
    expect(getCaptureDataChanges(reopened)).toEqual({ mode: "full", table: "changes" });
    reopened.exec("UPDATE t SET y = 'uno'");
    expect(changeSummary(reopened, "changes")).toEqual([
      [1, "t", 1, null, [1, "one"], null],
      ["commit"],
      [0, "t", 1, [1, "one"], [1, "uno"], [0, 1, null, "uno"]],
      ["commit"],
    ]);
    expect(reopened.prepare("SELECT change_id FROM changes ORDER BY change_id").pluck().all()).toEqual([1, 2, 3, 4]);
  });

  it("readableCaptureTable names the CDC table only while capture is on and the table exists", () => {
    const db = new Database();
    expect(readableCaptureTable(db)).toBeNull();
    setCaptureDataChanges(db, "id", "Changes");
    expect(readableCaptureTable(db)).toBe("Changes");
    db.exec("DROP TABLE Changes");
    expect(readableCaptureTable(db)).toBeNull();
    db.exec("CREATE TABLE changes (change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, change_txn_id INTEGER, change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB)");
    expect(readableCaptureTable(db)).toBe("Changes");
    setCaptureDataChanges(db, null);
    expect(readableCaptureTable(db)).toBeNull();
  });

  it("stays off after reopening once turned off", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x)");
    setCaptureDataChanges(db, "id");
    setCaptureDataChanges(db, null);
    const reopened = new Database({ image: db.serialize() });
    reopened.exec("INSERT INTO t VALUES (1)");
    expect(getCaptureDataChanges(reopened)).toEqual({ mode: null, table: null });
    expect(reopened.prepare("SELECT count(*) FROM turso_cdc").pluck().get()).toBe(0);
  });

  it("the exported file opens in sql.js with the CDC table, its records and the configuration readable", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("PRAGMA capture_data_changes_retention('changes=100')");
    db.exec("INSERT INTO t VALUES (1, 'a'); CREATE INDEX ty ON t(y); DELETE FROM t");
    const sqlite = new SQL.Database(db.serialize());
    try {
      expect(sqlite.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
      const rows = sqlite.exec("SELECT change_id, change_txn_id, change_type, table_name, id, hex(after) FROM turso_cdc ORDER BY change_id")[0].values;
      expect(rows.map((r) => r.slice(0, 5))).toEqual([
        [1, 1, 1, "t", 1],
        [2, 1, 2, null, null],
        [3, 3, 1, "sqlite_schema", sqlite.exec("SELECT rowid FROM sqlite_schema WHERE name = 'ty'")[0].values[0][0]],
        [4, 3, 2, null, null],
        [5, 5, -1, "t", 1],
        [6, 5, 2, null, null],
      ]);
      // x'03 09 0f 61': a record of (1, 'a') with the rowid alias column holding the rowid.
      expect(rows[0][5]).toBe("03090F61");
      expect(sqlite.exec("SELECT name, value FROM tessera_cdc_config ORDER BY name")[0].values).toEqual([
        ["mode", "full"],
        ["retention_max_age_seconds", null],
        ["retention_max_changes", 100],
        ["table", "turso_cdc"],
      ]);
      expect(sqlite.exec("SELECT seq FROM sqlite_sequence WHERE name = 'turso_cdc'")[0].values).toEqual([[6]]);
      // sqlite3 itself can keep appending to the table: it is an ordinary AUTOINCREMENT table.
      sqlite.exec("INSERT INTO turso_cdc (change_time, change_txn_id, change_type) VALUES (0, 7, 2)");
      expect(sqlite.exec("SELECT max(change_id) FROM turso_cdc")[0].values).toEqual([[7]]);
    } finally {
      sqlite.close();
    }
  });

  it("reads a database made by sqlite3 with a Turso CDC table and captures into it", () => {
    const sqlite = new SQL.Database();
    sqlite.exec(
      "CREATE TABLE t (x INTEGER PRIMARY KEY, y); CREATE TABLE turso_cdc (change_id INTEGER PRIMARY KEY AUTOINCREMENT, change_time INTEGER, change_txn_id INTEGER, change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB)",
    );
    const db = new Database({ image: sqlite.export() });
    sqlite.close();
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT INTO t VALUES (5, 5)");
    expect(changeSummary(db)).toEqual([[1, "t", 5, null, null, null], ["commit"]]);
  });
});
