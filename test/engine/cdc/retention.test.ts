// Retention: the limits (PRAGMA and API), pruning whole transactions by
// count and by age, the retained change id range, and the service API's
// reading of committed changes.
import { describe, expect, it } from "vitest";
import {
  Database,
  captureRetention,
  capturedChangeRange,
  pruneCapturedChanges,
  readCapturedChanges,
  setCaptureDataChanges,
  setCaptureRetention,
} from "../../../src/engine/index.js";
import { readChanges } from "./helpers.js";

/** A database with `transactions` committed transactions of two changes each (ids 3k+1, 3k+2, commit 3k+3). */
function withHistory(transactions: number): Database {
  const db = new Database();
  db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
  setCaptureDataChanges(db, "id");
  const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
  const twoRows = db.transaction((i: number) => {
    insert.run(2 * i, i);
    insert.run(2 * i + 1, i);
  });
  for (let i = 0; i < transactions; i++) twoRows(i);
  return db;
}

describe("retention settings", () => {
  it("are read and set by PRAGMA and by the API, and persist", () => {
    const db = new Database();
    expect(db.prepare("PRAGMA capture_data_changes_retention").raw().get()).toEqual([null, null]);
    db.exec("PRAGMA capture_data_changes_retention('changes=500, age=3600')");
    expect(captureRetention(db)).toEqual({ maxChanges: 500, maxAgeSeconds: 3600 });
    setCaptureRetention(db, { maxChanges: null, maxAgeSeconds: 60 });
    expect(db.prepare("PRAGMA capture_data_changes_retention").raw().get()).toEqual([null, 60]);
    expect(captureRetention(new Database({ image: db.serialize() }))).toEqual({ maxChanges: null, maxAgeSeconds: 60 });
    db.exec("PRAGMA capture_data_changes_retention('off')");
    expect(captureRetention(db)).toEqual({ maxChanges: null, maxAgeSeconds: null });
  });

  it("reject malformed values", () => {
    const db = new Database();
    expect(() => db.exec("PRAGMA capture_data_changes_retention('forever')")).toThrow(/expected 'changes=<n>'/);
    expect(() => db.exec("PRAGMA capture_data_changes_retention(5)")).toThrow(/expects a string argument/);
    expect(() => setCaptureRetention(db, { maxChanges: -1, maxAgeSeconds: null })).toThrow(/positive integer/);
  });
});

describe("pruneCapturedChanges", () => {
  it("does nothing without limits", () => {
    const db = withHistory(3);
    expect(pruneCapturedChanges(db)).toEqual({ deleted: 0, prunedThrough: null });
    expect(readChanges(db)).toHaveLength(9);
  });

  it("keeps the newest N changes, extended back to whole transactions", () => {
    const db = withHistory(5);
    setCaptureRetention(db, { maxChanges: 4, maxAgeSeconds: null });
    // 15 rows; keeping 4 would cut at id 11, inside transaction 10..12: the cut moves back to commit 9.
    expect(pruneCapturedChanges(db)).toEqual({ deleted: 9, prunedThrough: 9 });
    expect(readChanges(db).map((c) => c.change_id)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(capturedChangeRange(db)).toEqual({ oldest: 10, latest: 15 });
    expect(pruneCapturedChanges(db)).toEqual({ deleted: 0, prunedThrough: null });
  });

  it("removes the transactions that committed longer ago than the maximum age", () => {
    const db = withHistory(3);
    db.exec("UPDATE turso_cdc SET change_time = 1000 WHERE change_id <= 3");
    db.exec("UPDATE turso_cdc SET change_time = 2000 WHERE change_id BETWEEN 4 AND 6");
    db.exec("UPDATE turso_cdc SET change_time = 3000 WHERE change_id > 6");
    setCaptureRetention(db, { maxChanges: null, maxAgeSeconds: 1500 });
    expect(pruneCapturedChanges(db, 3_400_000)).toEqual({ deleted: 3, prunedThrough: 3 });
    expect(pruneCapturedChanges(db, 3_600_000)).toEqual({ deleted: 3, prunedThrough: 6 });
    expect(readChanges(db).map((c) => c.change_id)).toEqual([7, 8, 9]);
  });

  it("keeps ids increasing after everything is pruned, and the range reports it", () => {
    const db = withHistory(2);
    setCaptureRetention(db, { maxChanges: null, maxAgeSeconds: 1 });
    expect(pruneCapturedChanges(db, Date.now() + 10_000)).toEqual({ deleted: 6, prunedThrough: 6 });
    expect(capturedChangeRange(db)).toEqual({ oldest: null, latest: 6 });
    db.exec("INSERT INTO t VALUES (100, 0)");
    expect(capturedChangeRange(db)).toEqual({ oldest: 7, latest: 8 });
  });

  it("refuses to run inside a transaction, and reports a busy writer", () => {
    const db = withHistory(1);
    setCaptureRetention(db, { maxChanges: 1, maxAgeSeconds: null });
    db.exec("BEGIN");
    expect(() => pruneCapturedChanges(db)).toThrow(/must not run inside a transaction/);
    db.exec("ROLLBACK");
    const writer = db.connect();
    writer.exec("BEGIN IMMEDIATE");
    expect(() => pruneCapturedChanges(db)).toThrow(expect.objectContaining({ code: "SQLITE_BUSY" }));
    writer.exec("ROLLBACK");
  });

  it("has nothing to do when capture was never set up", () => {
    const db = new Database();
    expect(pruneCapturedChanges(db)).toEqual({ deleted: 0, prunedThrough: null });
    expect(capturedChangeRange(db)).toEqual({ oldest: null, latest: 0 });
  });
});

describe("readCapturedChanges", () => {
  it("returns committed changes after a change id with decoded images", () => {
    const db = new Database();
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, avatar BLOB)");
    setCaptureDataChanges(db, "full");
    db.exec("INSERT INTO users VALUES (1, 'ada', x'01')");
    db.exec("UPDATE users SET name = 'ada l.' WHERE id = 1");
    const changes = readCapturedChanges(db, 1, 10);
    expect(changes.map((c) => [c.changeId, c.txnId, c.kind, c.table, c.id])).toEqual([
      [2, 1, "commit", null, null],
      [3, 3, "update", "users", 1],
      [4, 3, "commit", null, null],
    ]);
    expect(changes[1].before).toEqual({ id: 1, name: "ada", avatar: new Uint8Array([1]) });
    expect(changes[1].after).toEqual({ id: 1, name: "ada l.", avatar: new Uint8Array([1]) });
    expect(changes[1].updates).toEqual({ name: "ada l." });
    expect(readCapturedChanges(db, 0, 1).map((c) => c.kind)).toEqual(["insert"]);
  });
});
