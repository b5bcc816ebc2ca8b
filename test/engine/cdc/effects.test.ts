// Changes made indirectly: trigger bodies, foreign-key cascades, REPLACE
// conflict resolution and UPSERT all write through the same path and are
// captured in the order they happen.
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { changeSummary } from "./helpers.js";

describe("indirect changes", () => {
  it("captures the rows trigger bodies write, after the row that fired them", () => {
    const db = new Database();
    db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
    db.exec("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)");
    db.exec("CREATE TRIGGER items_ins AFTER INSERT ON items BEGIN INSERT INTO audit (what) VALUES ('added ' || NEW.name); END");
    db.exec("CREATE TRIGGER items_del BEFORE DELETE ON items BEGIN UPDATE audit SET what = what || ' (gone)' WHERE what = 'added ' || OLD.name; END");
    db.exec("PRAGMA capture_data_changes_conn('after')");
    db.exec("INSERT INTO items VALUES (1, 'pen'), (2, 'ink')");
    db.exec("DELETE FROM items WHERE id = 1");
    expect(changeSummary(db)).toEqual([
      [1, "items", 1, null, [1, "pen"], null],
      [1, "audit", 1, null, [1, "added pen"], null],
      [1, "items", 2, null, [2, "ink"], null],
      [1, "audit", 2, null, [2, "added ink"], null],
      ["commit"],
      [0, "audit", 1, null, [1, "added pen (gone)"], null],
      [-1, "items", 1, null, null, null],
      ["commit"],
    ]);
  });

  it("captures ON DELETE CASCADE and ON UPDATE CASCADE / SET NULL changes of child rows", () => {
    const db = new Database();
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY, k TEXT UNIQUE)");
    db.exec("CREATE TABLE child (id INTEGER PRIMARY KEY, pk TEXT REFERENCES parent(k) ON UPDATE CASCADE ON DELETE CASCADE)");
    db.exec("CREATE TABLE loose (id INTEGER PRIMARY KEY, pk TEXT REFERENCES parent(k) ON DELETE SET NULL)");
    db.exec("INSERT INTO parent VALUES (1, 'a'), (2, 'b'); INSERT INTO child VALUES (10, 'a'), (11, 'b'); INSERT INTO loose VALUES (20, 'b')");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("UPDATE parent SET k = 'A' WHERE id = 1");
    db.exec("DELETE FROM parent WHERE id = 2");
    const summary = changeSummary(db);
    expect(summary).toContainEqual([0, "child", 10, [10, "a"], [10, "A"], [0, 1, null, "A"]]);
    expect(summary).toContainEqual([-1, "child", 11, [11, "b"], null, null]);
    expect(summary).toContainEqual([0, "loose", 20, [20, "b"], [20, null], [0, 1, null, null]]);
    expect(summary).toContainEqual([-1, "parent", 2, [2, "b"], null, null]);
    expect(summary.filter((c) => c[0] === "commit")).toHaveLength(2);
    expect(db.prepare("SELECT * FROM child").raw().all()).toEqual([[10, "A"]]);
  });

  it("REPLACE records the rows it removes as deletes, then the insert", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n)");
    db.exec("INSERT INTO t VALUES (1, 'a@x', 1), (2, 'b@x', 2)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("REPLACE INTO t VALUES (1, 'b@x', 3)");
    expect(changeSummary(db)).toEqual([
      [-1, "t", 1, [1, "a@x", 1], null, null],
      [-1, "t", 2, [2, "b@x", 2], null, null],
      [1, "t", 1, null, [1, "b@x", 3], null],
      ["commit"],
    ]);
  });

  it("UPDATE OR REPLACE records the removed row, then the update", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE)");
    db.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("UPDATE OR REPLACE t SET email = 'b' WHERE id = 1");
    expect(changeSummary(db)).toEqual([[-1, "t", 2, [2, "b"], null, null], [0, "t", 1, [1, "a"], [1, "b"], [0, 1, null, "b"]], ["commit"]]);
  });

  it("UPSERT records an insert when there is no conflict and an update when DO UPDATE runs; DO NOTHING records nothing", () => {
    const db = new Database();
    db.exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO kv VALUES ('a', 1) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v");
    db.exec("INSERT INTO kv VALUES ('a', 5) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v");
    db.exec("INSERT INTO kv VALUES ('a', 9) ON CONFLICT DO NOTHING");
    expect(changeSummary(db)).toEqual([[1, "kv", 1, null, ["a", 1], null], ["commit"], [0, "kv", 1, ["a", 1], ["a", 6], [0, 1, null, 6]], ["commit"]]);
  });

  it("INSERT OR IGNORE of a conflicting row records nothing for it", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    db.exec("INSERT INTO t VALUES (1)");
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("INSERT OR IGNORE INTO t VALUES (1), (2)");
    expect(changeSummary(db)).toEqual([[1, "t", 2, null, null, null], ["commit"]]);
  });
});
