// CDC with BEGIN CONCURRENT (which Turso cannot combine with CDC): only
// committed transactions appear, in commit order with gapless ids, also
// when a transaction is replayed onto a newer state; a conflicting or
// rolled-back transaction leaves nothing.
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { seededRandom } from "../../helpers/random.js";
import { changeSummary, readChanges } from "./helpers.js";

function mvccDatabase(): Database {
  const db = new Database();
  db.exec("PRAGMA journal_mode = 'mvcc'");
  db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
  db.exec("INSERT INTO t VALUES (10, 'ten')");
  db.exec("PRAGMA capture_data_changes_conn('full')");
  return db;
}

describe("CDC with BEGIN CONCURRENT", () => {
  it("records concurrent transactions in commit order, the later one replayed after the earlier", () => {
    const db = mvccDatabase();
    const a = db.connect();
    const b = db.connect();
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO t VALUES (1, 'a')");
    b.exec("INSERT INTO t VALUES (2, 'b')");
    b.exec("UPDATE t SET y = 'TEN' WHERE x = 10");
    b.exec("COMMIT");
    a.exec("COMMIT");
    expect(changeSummary(db)).toEqual([
      [1, "t", 2, null, [2, "b"], null],
      [0, "t", 10, [10, "ten"], [10, "TEN"], [0, 1, null, "TEN"]],
      ["commit"],
      [1, "t", 1, null, [1, "a"], null],
      ["commit"],
    ]);
    expect(readChanges(db).map((c) => [c.change_id, c.change_txn_id])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 4],
      [5, 4],
    ]);
  });

  it("a transaction that loses a write-write conflict leaves nothing", () => {
    const db = mvccDatabase();
    const a = db.connect();
    const b = db.connect();
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO t VALUES (1, 'a')");
    a.exec("UPDATE t SET y = 'from a' WHERE x = 10");
    b.exec("UPDATE t SET y = 'from b' WHERE x = 10");
    b.exec("COMMIT");
    expect(() => a.exec("COMMIT")).toThrow(expect.objectContaining({ code: "SQLITE_BUSY_SNAPSHOT" }));
    expect(changeSummary(db)).toEqual([[0, "t", 10, [10, "ten"], [10, "from b"], [0, 1, null, "from b"]], ["commit"]]);
  });

  it("a rolled-back concurrent transaction leaves nothing, and savepoints inside one roll back their changes", () => {
    const db = mvccDatabase();
    const a = db.connect();
    a.exec("BEGIN CONCURRENT; INSERT INTO t VALUES (1, 'a'); ROLLBACK");
    a.exec("BEGIN CONCURRENT; INSERT INTO t VALUES (2, 'b'); SAVEPOINT s; INSERT INTO t VALUES (3, 'c'); ROLLBACK TO s; COMMIT");
    expect(changeSummary(db)).toEqual([[1, "t", 2, null, [2, "b"], null], ["commit"]]);
  });

  it("ids stay gapless in commit order over many interleaved concurrent writers", () => {
    const db = mvccDatabase();
    const writers = [db.connect(), db.connect(), db.connect()];
    const random = seededRandom(11);
    let commits = 0;
    let next = 100;
    for (let round = 0; round < 60; round++) {
      const open = writers.filter(() => random() < 0.7);
      for (const w of open) w.exec("BEGIN CONCURRENT");
      for (const w of open) {
        w.prepare("INSERT INTO t VALUES (?, ?)").run(next++, round);
        if (random() < 0.3) w.prepare("UPDATE t SET y = ? WHERE x = ?").run(round, 10);
      }
      for (const w of open) {
        try {
          w.exec("COMMIT");
          commits++;
        } catch (e) {
          expect((e as { code: string }).code).toBe("SQLITE_BUSY_SNAPSHOT");
        }
      }
    }
    const rows = readChanges(db);
    expect(rows.map((r) => r.change_id)).toEqual(rows.map((_, i) => i + 1));
    let txnStart = 1;
    for (const r of rows) {
      expect(r.change_txn_id).toBe(txnStart);
      if (r.change_type === 2) txnStart = r.change_id + 1;
    }
    // Exactly the committed transactions' rows are recorded: every inserted row still in t has one insert change.
    const inserted = rows.filter((r) => r.change_type === 1).map((r) => r.id);
    const present = db.prepare("SELECT x FROM t WHERE x >= 100 ORDER BY x").pluck().all();
    expect([...inserted].sort((p, q) => Number(p) - Number(q))).toEqual(present);
    expect(rows.filter((r) => r.change_type === 2)).toHaveLength(commits);
  });
});
