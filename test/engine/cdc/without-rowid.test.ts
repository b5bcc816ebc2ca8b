// Change data capture of WITHOUT ROWID tables: the same changes as for rowid
// tables, each row named by its PRIMARY KEY (the value itself for a
// one-column key, a record of the key values in key order for a composite
// one), in every mode, through triggers, foreign-key actions, UPSERT and
// REPLACE, and under BEGIN CONCURRENT; readCapturedChanges decodes a
// composite key's id to an object of the key columns.
import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../../src/engine/btree/index.js";
import { Database, readCapturedChanges } from "../../../src/engine/index.js";
import { changeSummary } from "./helpers.js";

function fresh(mode: string): Database {
  const db = new Database();
  db.exec("CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID");
  db.exec(`PRAGMA capture_data_changes_conn('${mode}')`);
  return db;
}

/** Two inserts, an update, a key change and a delete, each its own transaction. */
function scenario(db: Database): void {
  db.exec("INSERT INTO w VALUES ('x', 1), ('y', 2)");
  db.exec("UPDATE w SET v = 3 WHERE k = 'x'");
  db.exec("UPDATE w SET k = 'z' WHERE k = 'y'");
  db.exec("DELETE FROM w WHERE k = 'x'");
}

describe("CDC of WITHOUT ROWID tables", () => {
  it("full: the key value as id, images of all columns, and an update of the key as a delete and an insert", () => {
    const db = fresh("full");
    scenario(db);
    expect(changeSummary(db)).toEqual([
      [1, "w", "x", null, ["x", 1], null],
      [1, "w", "y", null, ["y", 2], null],
      ["commit"],
      [0, "w", "x", ["x", 1], ["x", 3], [0, 1, null, 3]],
      ["commit"],
      [-1, "w", "y", ["y", 2], null, null],
      [1, "w", "z", null, ["z", 2], null],
      ["commit"],
      [-1, "w", "x", ["x", 3], null, null],
      ["commit"],
    ]);
  });

  it.each([
    ["id", [null, null], [null, null]],
    ["before", [null, ["x", 1]], [["y", 2], null]],
    ["after", [["x", 3], null], [null, ["z", 2]]],
  ] as const)("%s: only what the mode records", (mode, update, keyChange) => {
    const db = fresh(mode);
    scenario(db);
    expect(changeSummary(db).filter((c) => c[0] !== "commit")).toEqual([
      [1, "w", "x", null, mode === "after" ? ["x", 1] : null, null],
      [1, "w", "y", null, mode === "after" ? ["y", 2] : null, null],
      [0, "w", "x", update[1], update[0], null],
      [-1, "w", "y", keyChange[0], null, null],
      [1, "w", "z", null, keyChange[1], null],
      [-1, "w", "x", mode === "before" ? ["x", 3] : null, null, null],
    ]);
  });

  it("a composite key's id is a record of the key values in key order, decodable with bin_record_json_object", () => {
    const db = new Database();
    db.exec("CREATE TABLE c (a INTEGER, b TEXT, v, PRIMARY KEY (b, a)) WITHOUT ROWID");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO c VALUES ('1', 'p', 'v')");
    db.exec("UPDATE c SET v = 'w'");
    const key = encodeRecord(["p", 1]);
    expect(changeSummary(db)).toEqual([
      [1, "c", key, null, [1, "p", "v"], null],
      ["commit"],
      [0, "c", key, [1, "p", "v"], [1, "p", "w"], [0, 0, 1, null, null, "w"]],
      ["commit"],
    ]);
    expect(
      db.prepare(`SELECT bin_record_json_object('["b","a"]', id), bin_record_json_object(table_columns_json_array(table_name), after) FROM turso_cdc WHERE change_type = 0`).raw().get(),
    ).toEqual(['{"b":"p","a":1}', '{"a":1,"b":"p","v":"w"}']);
  });

  it("readCapturedChanges gives a composite key's id as an object of the key columns, a one-column key's as its value", () => {
    const db = new Database();
    db.exec("CREATE TABLE c (a INTEGER, b TEXT, v, PRIMARY KEY (b, a)) WITHOUT ROWID; CREATE TABLE one (k BLOB PRIMARY KEY, v) WITHOUT ROWID");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO c VALUES (1, 'p', 'v'); INSERT INTO one VALUES (x'0102', 1)");
    db.exec("UPDATE c SET b = 'q'");
    const changes = readCapturedChanges(db, 0, 100).filter((c) => c.kind !== "commit");
    expect(changes.map((c) => [c.kind, c.table, c.id])).toEqual([
      ["insert", "c", { b: "p", a: 1 }],
      ["insert", "one", new Uint8Array([1, 2])],
      ["delete", "c", { b: "p", a: 1 }],
      ["insert", "c", { b: "q", a: 1 }],
    ]);
    db.exec("DROP TABLE c");
    // A dropped table's key columns are unknown: its ids stay records, as its images stay positional.
    expect(readCapturedChanges(db, 0, 1)[0].id).toEqual(encodeRecord(["p", 1]));
  });

  it("REPLACE records the row it removes as a delete, UPSERT's DO UPDATE as an update", () => {
    const db = fresh("full");
    db.exec("INSERT INTO w VALUES ('x', 1)");
    db.exec("INSERT OR REPLACE INTO w VALUES ('x', 2)");
    db.exec("INSERT INTO w VALUES ('x', 3) ON CONFLICT (k) DO UPDATE SET v = v + excluded.v");
    db.exec("INSERT INTO w VALUES ('y', 4) ON CONFLICT (k) DO NOTHING");
    expect(changeSummary(db)).toEqual([
      [1, "w", "x", null, ["x", 1], null],
      ["commit"],
      [-1, "w", "x", ["x", 1], null, null],
      [1, "w", "x", null, ["x", 2], null],
      ["commit"],
      [0, "w", "x", ["x", 2], ["x", 5], [0, 1, null, 5]],
      ["commit"],
      [1, "w", "y", null, ["y", 4], null],
      ["commit"],
    ]);
  });

  it("captures the rows trigger bodies and foreign-key actions write, a cascaded key change as a delete and an insert", () => {
    const db = new Database();
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("CREATE TABLE parent (k TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("CREATE TABLE child (p TEXT REFERENCES parent ON UPDATE CASCADE ON DELETE CASCADE, n INTEGER, PRIMARY KEY (p, n)) WITHOUT ROWID");
    db.exec("CREATE TABLE log (what TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("CREATE TRIGGER parent_ins AFTER INSERT ON parent BEGIN INSERT INTO log VALUES ('added ' || NEW.k); END");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO parent VALUES ('a')");
    db.exec("INSERT INTO child VALUES ('a', 1)");
    db.exec("UPDATE parent SET k = 'b'");
    db.exec("DELETE FROM parent");
    expect(changeSummary(db)).toEqual([
      [1, "parent", "a", null, ["a"], null],
      [1, "log", "added a", null, ["added a"], null],
      ["commit"],
      [1, "child", encodeRecord(["a", 1]), null, ["a", 1], null],
      ["commit"],
      [-1, "parent", "a", ["a"], null, null],
      [1, "parent", "b", null, ["b"], null],
      [-1, "child", encodeRecord(["a", 1]), ["a", 1], null, null],
      [1, "child", encodeRecord(["b", 1]), null, ["b", 1], null],
      ["commit"],
      [-1, "parent", "b", ["b"], null, null],
      [-1, "child", encodeRecord(["b", 1]), ["b", 1], null, null],
      ["commit"],
    ]);
  });

  it("a foreign-key action that leaves the key alone is an update flagging the columns it changed", () => {
    const db = new Database();
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("CREATE TABLE parent (k TEXT PRIMARY KEY) WITHOUT ROWID");
    db.exec("CREATE TABLE loose (id INTEGER PRIMARY KEY, p TEXT REFERENCES parent ON DELETE SET NULL, note) WITHOUT ROWID");
    db.exec("INSERT INTO parent VALUES ('a'); INSERT INTO loose VALUES (7, 'a', 'n')");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("DELETE FROM parent");
    expect(changeSummary(db)).toEqual([
      [-1, "parent", "a", ["a"], null, null],
      [0, "loose", 7, [7, "a", "n"], [7, null, "n"], [0, 1, 0, null, null, null]],
      ["commit"],
    ]);
  });

  it("a failed statement, a rolled-back transaction and a rolled-back savepoint leave nothing", () => {
    const db = fresh("full");
    db.exec("INSERT INTO w VALUES ('x', 1)");
    expect(() => db.exec("INSERT INTO w VALUES ('y', 2), ('x', 3)")).toThrow(/UNIQUE constraint failed: w.k/);
    db.exec("BEGIN; UPDATE w SET v = 9; DELETE FROM w; ROLLBACK");
    db.exec("BEGIN; INSERT INTO w VALUES ('y', 2); SAVEPOINT s; UPDATE w SET k = 'z' WHERE k = 'y'; ROLLBACK TO s; COMMIT");
    expect(changeSummary(db)).toEqual([[1, "w", "x", null, ["x", 1], null], ["commit"], [1, "w", "y", null, ["y", 2], null], ["commit"]]);
  });

  it("under BEGIN CONCURRENT: commits in commit order, a conflicting transaction leaves nothing", () => {
    const db = new Database();
    db.exec("PRAGMA journal_mode = 'mvcc'");
    db.exec("CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID");
    db.exec("INSERT INTO w VALUES ('x', 0)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    const a = db.connect();
    const b = db.connect();
    const c = db.connect();
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    c.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO w VALUES ('a', 1)");
    b.exec("UPDATE w SET v = 2 WHERE k = 'x'");
    c.exec("UPDATE w SET v = 3 WHERE k = 'x'");
    b.exec("COMMIT");
    a.exec("COMMIT");
    expect(() => c.exec("COMMIT")).toThrow(expect.objectContaining({ code: "SQLITE_BUSY_SNAPSHOT" }));
    expect(changeSummary(db)).toEqual([
      [0, "w", "x", ["x", 0], ["x", 2], [0, 1, null, 2]],
      ["commit"],
      [1, "w", "a", null, ["a", 1], null],
      ["commit"],
    ]);
    expect(db.prepare("SELECT * FROM w").raw().all()).toEqual([
      ["a", 1],
      ["x", 2],
    ]);
  });

  it("a WITHOUT ROWID table cannot be the CDC table (change_id is a rowid): refused, never written", () => {
    const layout = "(change_id INTEGER PRIMARY KEY, change_time INTEGER, change_txn_id INTEGER, change_type INTEGER, table_name TEXT, id, before BLOB, after BLOB, updates BLOB) WITHOUT ROWID";
    const db = new Database();
    db.exec(`CREATE TABLE t (x); CREATE TABLE mine ${layout}`);
    expect(() => db.exec("PRAGMA capture_data_changes_conn('full,mine')")).toThrow("table mine cannot hold captured changes: it is a WITHOUT ROWID table");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    expect(() => db.exec(`BEGIN; DROP TABLE turso_cdc; CREATE TABLE turso_cdc ${layout}; INSERT INTO t VALUES (1); COMMIT`)).toThrow(
      "cannot record captured changes in turso_cdc: it is a WITHOUT ROWID table",
    );
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });
});
