// The workload the MVCC crash tests interrupt (Node stores here, the Durable
// Object store in test/worker/mvcc-do-crash.test.ts): a base state, and a
// BEGIN CONCURRENT transaction over many pages whose COMMIT takes the fast
// path or, after another transaction committed disjoint rows, the replay
// path; plus how to tell which of the states a database holds.
import { expect } from "vitest";
import type { Database } from "../../../src/engine/index.js";
import { integrity, rows } from "./mvcc-helpers.js";

const SCHEMA = `
  PRAGMA journal_mode = 'mvcc';
  CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, body TEXT);
  CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);
`;
const BASE_ROWS = 120;

/** The committed state before the concurrent transactions run. */
export function writeBase(db: Database): void {
  db.exec(SCHEMA);
  const insert = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let id = 1; id <= BASE_ROWS; id++) insert.run(id, `k${id}`, "base".padEnd(id % 10 === 0 ? 3000 : 60, "."));
  })();
}

/**
 * Opens the concurrent transaction under test on `a`: many rows over many
 * pages (updates, deletes, inserts with automatic rowids, an overflowing
 * body, an AUTOINCREMENT insert); on the replay path `b` commits a disjoint
 * transaction first.
 */
export function runTransactions(a: Database, b: Database, path: "fast" | "replay"): void {
  a.exec("BEGIN CONCURRENT");
  b.exec("BEGIN CONCURRENT");
  a.exec("UPDATE t SET body = 'a:' || body WHERE id % 3 = 0");
  a.exec("DELETE FROM t WHERE id BETWEEN 40 AND 55");
  const insert = a.prepare("INSERT INTO t(k, body) VALUES (?, ?)");
  for (let i = 0; i < 40; i++) insert.run(`a${i}`, "new".padEnd(i % 8 === 0 ? 5000 : 80, "+"));
  a.exec("INSERT INTO log(note) VALUES ('a')");
  if (path === "replay") {
    b.exec("UPDATE t SET body = 'b' WHERE id % 3 = 1 AND id NOT BETWEEN 40 AND 55");
    b.exec("INSERT INTO t(k, body) VALUES ('b0', 'from b'); INSERT INTO log(note) VALUES ('b')");
    b.exec("COMMIT");
  } else b.exec("ROLLBACK");
}

export type Snapshot = { t: unknown[][]; log: unknown[][]; sequence: unknown[][] };

export function snapshot(db: Database): Snapshot {
  expect(integrity(db)).toBe("ok");
  return {
    t: rows(db, "SELECT id, k, length(body), substr(body, 1, 6) FROM t ORDER BY id"),
    log: rows(db, "SELECT id, note FROM log ORDER BY id"),
    sequence: rows(db, "SELECT name, seq FROM sqlite_sequence"),
  };
}

/** Which of the two states `db` holds; fails on anything else. */
export function whichState(db: Database, before: Snapshot, after: Snapshot): "none" | "all" {
  const now = snapshot(db);
  if (JSON.stringify(now) === JSON.stringify(before)) return "none";
  expect(now).toEqual(after);
  return "all";
}
