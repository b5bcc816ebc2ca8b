// Captured changes are committed with the transaction or not at all:
// rollbacks, failed statements and savepoint rollbacks leave nothing, and
// change ids stay gapless and in commit order across many transactions and
// connections. Queries inside a transaction do not see its own CDC rows
// (they are written at commit).
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { seededRandom } from "../../helpers/random.js";
import { changeSummary, readChanges } from "./helpers.js";

function fresh(mode = "id"): Database {
  const db = new Database();
  db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y UNIQUE)");
  db.exec(`PRAGMA capture_data_changes_conn('${mode}')`);
  return db;
}

describe("rollback and failure", () => {
  it("ROLLBACK leaves nothing", () => {
    const db = fresh();
    db.exec("BEGIN; INSERT INTO t VALUES (1, 1); UPDATE t SET y = 2; ROLLBACK");
    expect(readChanges(db)).toEqual([]);
    db.exec("INSERT INTO t VALUES (5, 5)");
    expect(readChanges(db).map((c) => c.change_id)).toEqual([1, 2]);
  });

  it("a failed autocommit statement leaves nothing of its earlier rows (Turso's test_cdc_failed_op)", () => {
    const db = fresh();
    db.exec("INSERT INTO t VALUES (1, 10), (2, 20)");
    expect(() => db.exec("INSERT INTO t VALUES (3, 30), (4, 40), (5, 10)")).toThrow(/UNIQUE constraint failed/);
    db.exec("INSERT INTO t VALUES (6, 60), (7, 70)");
    expect(changeSummary(db)).toEqual([
      [1, "t", 1, null, null, null],
      [1, "t", 2, null, null, null],
      ["commit"],
      [1, "t", 6, null, null, null],
      [1, "t", 7, null, null, null],
      ["commit"],
    ]);
  });

  it("a failed statement inside a transaction is undone alone", () => {
    const db = fresh();
    db.exec("BEGIN");
    db.exec("INSERT INTO t VALUES (1, 10)");
    expect(() => db.exec("INSERT INTO t VALUES (2, 20), (3, 10)")).toThrow(/UNIQUE constraint failed/);
    db.exec("INSERT INTO t VALUES (4, 40)");
    db.exec("COMMIT");
    expect(changeSummary(db)).toEqual([[1, "t", 1, null, null, null], [1, "t", 4, null, null, null], ["commit"]]);
  });

  it("ROLLBACK TO a savepoint forgets the changes since it; RELEASE keeps them", () => {
    const db = fresh();
    db.exec("BEGIN");
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("SAVEPOINT a");
    db.exec("INSERT INTO t VALUES (2, 2)");
    db.exec("SAVEPOINT b");
    db.exec("INSERT INTO t VALUES (3, 3)");
    db.exec("ROLLBACK TO a");
    db.exec("INSERT INTO t VALUES (4, 4)");
    db.exec("SAVEPOINT c");
    db.exec("DELETE FROM t WHERE x = 1");
    db.exec("RELEASE c");
    db.exec("COMMIT");
    expect(changeSummary(db)).toEqual([[1, "t", 1, null, null, null], [1, "t", 4, null, null, null], [-1, "t", 1, null, null, null], ["commit"]]);
  });

  it("a transaction opened by SAVEPOINT and rolled back entirely leaves nothing", () => {
    const db = fresh();
    db.exec("SAVEPOINT s; INSERT INTO t VALUES (1, 1); ROLLBACK TO s; RELEASE s");
    expect(readChanges(db)).toEqual([]);
  });

  it("db.transaction() that throws leaves nothing; its nested savepoint failure leaves only the outer changes", () => {
    const db = fresh();
    const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
    expect(() =>
      db.transaction(() => {
        insert.run(1, 1);
        throw new Error("abort");
      })(),
    ).toThrow("abort");
    expect(readChanges(db)).toEqual([]);
    db.transaction(() => {
      insert.run(2, 2);
      expect(() =>
        db.transaction(() => {
          insert.run(3, 3);
          insert.run(4, 2);
        })(),
      ).toThrow(/UNIQUE/);
    })();
    expect(changeSummary(db)).toEqual([[1, "t", 2, null, null, null], ["commit"]]);
  });

  it("queries inside the transaction do not see its own CDC rows until it commits", () => {
    const db = fresh();
    db.exec("BEGIN; INSERT INTO t VALUES (1, 1)");
    expect(db.prepare("SELECT count(*) FROM turso_cdc").pluck().get()).toBe(0);
    db.exec("COMMIT");
    expect(db.prepare("SELECT count(*) FROM turso_cdc").pluck().get()).toBe(2);
  });

  it("turning capture off or on inside a transaction applies from the statements after it", () => {
    const db = fresh();
    db.exec("BEGIN; INSERT INTO t VALUES (1, 1); PRAGMA capture_data_changes_conn('off'); INSERT INTO t VALUES (2, 2); COMMIT");
    // The first insert was logged while capture was on, but at commit capture is off: nothing is written.
    expect(readChanges(db)).toEqual([]);
    db.exec("BEGIN; INSERT INTO t VALUES (3, 3); PRAGMA capture_data_changes_conn('id'); INSERT INTO t VALUES (4, 4); COMMIT");
    expect(changeSummary(db)).toEqual([[1, "t", 4, null, null, null], ["commit"]]);
  });

  it("a rolled-back PRAGMA leaves capture as it was", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x)");
    db.exec("BEGIN; PRAGMA capture_data_changes_conn('full'); ROLLBACK");
    expect(db.prepare("PRAGMA capture_data_changes_conn").raw().get()).toEqual(["off", null, null]);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'turso_cdc'").pluck().get()).toBe(0);
  });
});

describe("change ids", () => {
  it("are gapless and follow commit order across many transactions, failures and connections", () => {
    const db = fresh("full");
    const other = db.connect();
    const random = seededRandom(7);
    const connections = [db, other];
    let committedChanges = 0;
    for (let i = 0; i < 300; i++) {
      const conn = connections[Math.floor(random() * 2)];
      const key = Math.floor(random() * 40);
      const kind = random();
      try {
        if (kind < 0.2) {
          conn.exec("BEGIN");
          conn.prepare("INSERT OR REPLACE INTO t VALUES (?, ?)").run(key, i);
          conn.prepare("UPDATE t SET y = y + 1000 WHERE x = ?").run((key + 1) % 40);
          conn.exec(random() < 0.5 ? "COMMIT" : "ROLLBACK");
        } else if (kind < 0.6) conn.prepare("INSERT INTO t VALUES (?, ?)").run(key, key % 7);
        else if (kind < 0.8) conn.prepare("UPDATE t SET y = ? WHERE x = ?").run(i, key);
        else conn.prepare("DELETE FROM t WHERE x = ?").run(key);
      } catch (e) {
        if (!/UNIQUE constraint failed/.test((e as Error).message)) throw e;
        if (conn.inTransaction) conn.exec("ROLLBACK");
      }
      committedChanges = db.prepare("SELECT count(*) FROM turso_cdc").pluck().get() as number;
    }
    const rows = readChanges(db);
    expect(rows.length).toBe(committedChanges);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.map((r) => r.change_id)).toEqual(rows.map((_, i) => i + 1));
    // Each transaction is a run of rows sharing the id of its first row, ending with its commit record.
    let txnStart = 1;
    for (const r of rows) {
      expect(r.change_txn_id).toBe(txnStart);
      if (r.change_type === 2) txnStart = r.change_id + 1;
    }
    expect(rows.at(-1)?.change_type).toBe(2);
  });

  it("another connection sees capture turned on by the first, and writes into the same sequence", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (x)");
    const other = db.connect();
    other.prepare("SELECT * FROM t").all();
    db.exec("PRAGMA capture_data_changes_conn('id')");
    expect(other.prepare("PRAGMA capture_data_changes_conn").raw().get()).toEqual(["id", "turso_cdc", "v2"]);
    other.exec("INSERT INTO t VALUES (1)");
    db.exec("INSERT INTO t VALUES (2)");
    other.exec("PRAGMA capture_data_changes_conn('off')");
    db.exec("INSERT INTO t VALUES (3)");
    expect(changeSummary(db)).toEqual([[1, "t", 1, null, null, null], ["commit"], [1, "t", 2, null, null, null], ["commit"]]);
  });

  it("keep increasing after the CDC table is emptied (AUTOINCREMENT keeps the high-water mark)", () => {
    const db = fresh();
    db.exec("INSERT INTO t VALUES (1, 1)");
    db.exec("DELETE FROM turso_cdc");
    db.exec("INSERT INTO t VALUES (2, 2)");
    expect(readChanges(db).map((c) => [c.change_id, c.change_txn_id])).toEqual([
      [3, 3],
      [4, 3],
    ]);
  });
});
