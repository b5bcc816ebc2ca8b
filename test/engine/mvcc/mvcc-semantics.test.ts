// BEGIN CONCURRENT semantics on the embedded engine (issue #6): snapshot
// isolation, row-level write-write conflicts at COMMIT (SQLITE_BUSY_SNAPSHOT,
// "conflict", nothing applied), replay of non-conflicting commits with
// constraint re-checks, mixing with plain transactions, refused DDL, memory
// budgets, and the persisted journal mode.
import initSqlJs from "sql.js";
import { describe, expect, it } from "vitest";
import { Database, MemoryPageStore } from "../../../src/engine/index.js";
import { coreOf, expectSqliteError, integrity, mvccDatabase, rows } from "./mvcc-helpers.js";

const ACCOUNTS = "CREATE TABLE acct(id INTEGER PRIMARY KEY, balance INT NOT NULL); INSERT INTO acct VALUES (1, 100), (2, 100), (3, 100);";

const conflict = (f: () => unknown) => expectSqliteError(f, "SQLITE_BUSY_SNAPSHOT", "conflict");

describe("BEGIN CONCURRENT: write-write conflicts", () => {
  it("commits disjoint updates of both transactions", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = balance - 10 WHERE id = 1");
    b.exec("UPDATE acct SET balance = balance + 10 WHERE id = 2");
    a.exec("COMMIT");
    b.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 90], [2, 110], [3, 100]]);
    expect(integrity(db)).toBe("ok");
  });

  it("commits exactly one of two updates of the same row; the other fails with SQLITE_BUSY_SNAPSHOT and is over", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    b.exec("UPDATE acct SET balance = 2 WHERE id = 1");
    b.exec("COMMIT");
    const error = conflict(() => a.exec("COMMIT"));
    expect(error.message).toContain("acct");
    expect(a.inTransaction).toBe(false);
    expect(rows(db, "SELECT balance FROM acct WHERE id = 1")).toEqual([[2]]);
  });

  it("detects a delete against an update of the same row, and an insert against an insert of the same rowid", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("DELETE FROM acct WHERE id = 3");
    b.exec("UPDATE acct SET balance = 0 WHERE id = 3");
    a.exec("COMMIT");
    conflict(() => b.exec("COMMIT"));
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO acct VALUES (10, 1)");
    b.exec("INSERT INTO acct VALUES (10, 2)");
    a.exec("COMMIT");
    conflict(() => b.exec("COMMIT"));
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 100], [2, 100], [10, 1]]);
  });

  it("never loses an update: read-modify-write increments either commit or conflict, and retries succeed", () => {
    const { db, conns } = mvccDatabase("CREATE TABLE counter(id INTEGER PRIMARY KEY, n INT); INSERT INTO counter VALUES (1, 0);", 4);
    const increment = (c: Database) => {
      const n = c.prepare("SELECT n FROM counter WHERE id = 1").pluck().get() as number;
      c.prepare("UPDATE counter SET n = ? WHERE id = 1").run(n + 1);
    };
    for (const c of conns) c.exec("BEGIN CONCURRENT");
    for (const c of conns) increment(c);
    let committed = 0;
    const losers: Database[] = [];
    for (const c of conns) {
      try {
        c.exec("COMMIT");
        committed++;
      } catch (e) {
        conflict(() => {
          throw e;
        });
        losers.push(c);
      }
    }
    expect(committed).toBe(1);
    expect(db.prepare("SELECT n FROM counter").pluck().get()).toBe(1);
    for (const c of losers) c.transaction(() => increment(c)).concurrent();
    expect(db.prepare("SELECT n FROM counter").pluck().get()).toBe(conns.length);
  });

  it("leaves no trace of a conflicting transaction: same file image, integrity ok, no pages pinned", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS + "CREATE INDEX acct_balance ON acct(balance);");
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    const fill = b.prepare("INSERT INTO acct(balance) VALUES (?)");
    for (let i = 0; i < 400; i++) fill.run(1000 + i);
    b.exec("UPDATE acct SET balance = 7 WHERE id = 2");
    a.exec("UPDATE acct SET balance = 8 WHERE id = 2");
    a.exec("COMMIT");
    const before = db.serialize();
    conflict(() => b.exec("COMMIT"));
    expect(db.serialize()).toEqual(before);
    expect(integrity(db)).toBe("ok");
    expect(rows(db, "SELECT count(*) FROM acct")).toEqual([[3]]);
    expect(coreOf(db).btree.pager.retainedBytes).toBe(0);
    expect(coreOf(db).concurrency.openCount).toBe(0);
    expect(coreOf(db).concurrency.history.size).toBe(0);
  });
});

describe("BEGIN CONCURRENT: isolation", () => {
  it("never shows another transaction's uncommitted writes (no dirty reads)", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 0 WHERE id = 1");
    a.exec("INSERT INTO acct VALUES (4, 4)");
    b.exec("BEGIN CONCURRENT");
    expect(rows(b, "SELECT id, balance FROM acct")).toEqual([[1, 100], [2, 100], [3, 100]]);
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 100], [2, 100], [3, 100]]);
    a.exec("ROLLBACK");
    b.exec("COMMIT");
    expect(rows(db, "SELECT count(*), sum(balance) FROM acct")).toEqual([[3, 300]]);
  });

  it("repeats its reads from the snapshot taken at BEGIN and sees its own writes", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    // The snapshot is taken at BEGIN, before the first read.
    db.exec("UPDATE acct SET balance = 50 WHERE id = 1");
    expect(rows(a, "SELECT balance FROM acct WHERE id = 1")).toEqual([[100]]);
    db.exec("INSERT INTO acct VALUES (9, 9); DELETE FROM acct WHERE id = 3");
    expect(rows(a, "SELECT id FROM acct")).toEqual([[1], [2], [3]]);
    a.exec("UPDATE acct SET balance = balance + 1 WHERE id = 2");
    expect(rows(a, "SELECT id, balance FROM acct")).toEqual([[1, 100], [2, 101], [3, 100]]);
    a.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 50], [2, 101], [9, 9]]);
  });

  it("allows write skew (snapshot isolation): each keeps an invariant on its snapshot, the combination breaks it", () => {
    // Two doctors on call; each may go off call if another stays. Both check, both leave: nobody is on call.
    const { db, conns: [a, b] } = mvccDatabase("CREATE TABLE oncall(doctor TEXT PRIMARY KEY, on_call INT); INSERT INTO oncall VALUES ('alice', 1), ('bob', 1);");
    for (const [c, me] of [[a, "alice"], [b, "bob"]] as const) {
      c.exec("BEGIN CONCURRENT");
      expect(c.prepare("SELECT count(*) FROM oncall WHERE on_call = 1").pluck().get()).toBe(2);
      c.prepare("UPDATE oncall SET on_call = 0 WHERE doctor = ?").run(me);
    }
    a.exec("COMMIT");
    b.exec("COMMIT");
    expect(db.prepare("SELECT count(*) FROM oncall WHERE on_call = 1").pluck().get()).toBe(0);
  });

  it("keeps a read-only concurrent transaction's snapshot across other commits and commits it without effect", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    expect(rows(a, "SELECT sum(balance) FROM acct")).toEqual([[300]]);
    db.exec("UPDATE acct SET balance = 0");
    expect(rows(a, "SELECT sum(balance) FROM acct")).toEqual([[300]]);
    a.exec("COMMIT");
    expect(rows(a, "SELECT sum(balance) FROM acct")).toEqual([[0]]);
  });
});

describe("BEGIN CONCURRENT: inside a transaction", () => {
  it("rolls back to savepoints, releases them, and commits the rest", () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    a.exec("SAVEPOINT s1");
    a.exec("UPDATE acct SET balance = 2 WHERE id = 2");
    a.exec("INSERT INTO acct VALUES (5, 5)");
    a.exec("ROLLBACK TO s1");
    a.exec("SAVEPOINT s2");
    a.exec("UPDATE acct SET balance = 3 WHERE id = 3");
    a.exec("RELEASE s2");
    expect(rows(a, "SELECT id, balance FROM acct")).toEqual([[1, 1], [2, 100], [3, 3]]);
    // Row 2 was written only inside the rolled-back savepoint: not in the write set, so b's update does not conflict.
    b.exec("UPDATE acct SET balance = 20 WHERE id = 2");
    b.exec("COMMIT");
    a.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 1], [2, 20], [3, 3]]);
  });

  it("undoes a failing statement alone (NOT NULL, CHECK, UNIQUE) and keeps the transaction", () => {
    const { db, conns: [a] } = mvccDatabase("CREATE TABLE t(id INTEGER PRIMARY KEY, v INT NOT NULL CHECK (v >= 0), u TEXT UNIQUE); INSERT INTO t VALUES (1, 1, 'a');");
    a.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO t VALUES (2, 2, 'b')");
    expectSqliteError(() => a.exec("INSERT INTO t VALUES (3, NULL, 'c')"), "SQLITE_CONSTRAINT_NOTNULL", "NOT NULL constraint failed: t.v");
    expectSqliteError(() => a.exec("UPDATE t SET v = -1"), "SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed");
    expectSqliteError(() => a.exec("INSERT INTO t VALUES (4, 4, 'd'), (5, 5, 'a')"), "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: t.u");
    expect(a.inConcurrentTransaction).toBe(true);
    a.exec("COMMIT");
    expect(rows(db, "SELECT * FROM t")).toEqual([[1, 1, "a"], [2, 2, "b"]]);
    expect(integrity(db)).toBe("ok");
  });

  it("runs triggers, foreign-key cascades and RETURNING, and their effects are part of the write set", () => {
    const { db, conns: [a, b] } = mvccDatabase(`
      CREATE TABLE item(id INTEGER PRIMARY KEY, qty INT);
      CREATE TABLE stats(id INTEGER PRIMARY KEY, total INT);
      INSERT INTO stats VALUES (1, 0);
      CREATE TRIGGER item_total AFTER INSERT ON item BEGIN UPDATE stats SET total = total + new.qty WHERE id = 1; END;
    `);
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    expect(rows(a, "INSERT INTO item(qty) VALUES (5) RETURNING id, qty")).toEqual([[1, 5]]);
    expect(rows(b, "INSERT INTO item(qty) VALUES (7) RETURNING id, qty")).toEqual([[2, 7]]);
    a.exec("COMMIT");
    // Only the trigger's update of stats row 1 makes these two inserts conflict.
    conflict(() => b.exec("COMMIT"));
    expect(rows(db, "SELECT total FROM stats")).toEqual([[5]]);
    b.transaction(() => b.exec("INSERT INTO item(qty) VALUES (7)")).concurrent();
    expect(rows(db, "SELECT id, qty FROM item")).toEqual([[1, 5], [2, 7]]);
    expect(rows(db, "SELECT total FROM stats")).toEqual([[12]]);
  });

  it("conflict-checks the rows an ON DELETE CASCADE removed", () => {
    const { db, conns: [a, b] } = mvccDatabase(`
      CREATE TABLE parent(id INTEGER PRIMARY KEY);
      CREATE TABLE child(id INTEGER PRIMARY KEY, pid INT REFERENCES parent(id) ON DELETE CASCADE, note TEXT);
      INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (10, 1, 'x'), (20, 2, 'y');
    `);
    for (const c of [a, b]) c.exec("PRAGMA foreign_keys = ON");
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("DELETE FROM parent WHERE id = 1");
    expect(rows(a, "SELECT id FROM child")).toEqual([[20]]);
    b.exec("UPDATE child SET note = 'edited' WHERE id = 10");
    b.exec("COMMIT");
    conflict(() => a.exec("COMMIT"));
    expect(rows(db, "SELECT id, pid, note FROM child")).toEqual([[10, 1, "edited"], [20, 2, "y"]]);
  });
});

describe("BEGIN CONCURRENT: inserts and constraints across transactions", () => {
  it("gives concurrent inserts with automatic rowids and AUTOINCREMENT distinct keys, without conflicts", () => {
    const { db, conns } = mvccDatabase("CREATE TABLE log(id INTEGER PRIMARY KEY, who INT); CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, who INT);", 5);
    conns.forEach((c) => c.exec("BEGIN CONCURRENT"));
    conns.forEach((c, who) => {
      for (let i = 0; i < 3; i++) c.prepare("INSERT INTO log(who) VALUES (?)").run(who);
      for (let i = 0; i < 3; i++) c.prepare("INSERT INTO seq(who) VALUES (?)").run(who);
    });
    // An autocommit insert while they are open gets a rowid past theirs too.
    db.exec("INSERT INTO log(who) VALUES (99); INSERT INTO seq(who) VALUES (99)");
    for (const c of [...conns].reverse()) c.exec("COMMIT");
    for (const table of ["log", "seq"]) {
      const ids = rows(db, `SELECT id FROM ${table}`).map(([id]) => id);
      expect(ids).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    }
    expect(rows(db, "SELECT name, seq FROM sqlite_sequence")).toEqual([["seq", 16]]);
    // Without concurrency, rowids follow SQLite's rule again (one past the largest).
    db.exec("DELETE FROM log WHERE id > 10; INSERT INTO log(who) VALUES (0)");
    expect(db.prepare("SELECT max(id) FROM log").pluck().get()).toBe(11);
    expect(integrity(db)).toBe("ok");
  });

  it("keeps automatic rowids of a plain transaction and of a concurrent one that began after it apart", () => {
    const { db, conns: [a, other, plain] } = mvccDatabase("CREATE TABLE log(id INTEGER PRIMARY KEY, who TEXT);", 3);
    // A concurrent transaction is open when the plain one begins, so the plain one tracks its rows.
    other.exec("BEGIN CONCURRENT");
    plain.exec("BEGIN IMMEDIATE");
    plain.exec("INSERT INTO log(who) VALUES ('plain 1')");
    other.exec("ROLLBACK");
    // No concurrent transaction is open while this row is inserted: its rowid is not reserved then.
    plain.exec("INSERT INTO log(who) VALUES ('plain 2')");
    a.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO log(who) VALUES ('concurrent')");
    plain.exec("COMMIT");
    a.exec("COMMIT");
    expect(rows(db, "SELECT id, who FROM log ORDER BY id")).toEqual([[1, "plain 1"], [2, "plain 2"], [3, "concurrent"]]);
    // With no transaction open, rowids follow SQLite's rule again (one past the largest).
    db.exec("DELETE FROM log WHERE id > 1; INSERT INTO log(who) VALUES ('after')");
    expect(rows(db, "SELECT id, who FROM log")).toEqual([[1, "plain 1"], [2, "after"]]);
  });

  it("validates against a plain transaction that began before it: other rows commit, the same row conflicts", () => {
    const { db, conns: [a, plain] } = mvccDatabase(ACCOUNTS);
    plain.exec("BEGIN IMMEDIATE");
    plain.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 2 WHERE id = 2");
    plain.exec("UPDATE acct SET balance = 3 WHERE id = 3");
    plain.exec("COMMIT");
    a.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 1], [2, 2], [3, 3]]);

    plain.exec("BEGIN IMMEDIATE");
    plain.exec("UPDATE acct SET balance = 10 WHERE id = 1");
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 20 WHERE id = 1");
    plain.exec("COMMIT");
    conflict(() => a.exec("COMMIT"));
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 10], [2, 2], [3, 3]]);
  });

  it("never reuses a rowid a plain transaction that began before it inserted, before or after it began", () => {
    const { db, conns: [a, plain] } = mvccDatabase("CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT);");
    plain.exec("BEGIN IMMEDIATE; INSERT INTO t(who) VALUES ('plain-1')");
    a.exec("BEGIN CONCURRENT; INSERT INTO t(who) VALUES ('concurrent-1')");
    plain.exec("INSERT INTO t(who) VALUES ('plain-2'); COMMIT");
    a.exec("INSERT INTO t(who) VALUES ('concurrent-2'); COMMIT");
    expect(rows(db, "SELECT who FROM t ORDER BY id").flat().sort()).toEqual(["concurrent-1", "concurrent-2", "plain-1", "plain-2"]);
  });

  it("fails the second commit with the UNIQUE error when only the combination violates it", () => {
    const { db, conns: [a, b] } = mvccDatabase("CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT UNIQUE);");
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO users(email) VALUES ('x@example.com')");
    b.exec("INSERT INTO users(email) VALUES ('x@example.com')");
    a.exec("COMMIT");
    const before = db.serialize();
    expectSqliteError(() => b.exec("COMMIT"), "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: users.email");
    expect(b.inTransaction).toBe(false);
    expect(db.serialize()).toEqual(before);
    expect(rows(db, "SELECT id, email FROM users")).toEqual([[1, "x@example.com"]]);
  });

  it("reports a primary key two transactions both inserted as a conflict", () => {
    const { db, conns: [a, b] } = mvccDatabase("CREATE TABLE kv(k TEXT PRIMARY KEY, v INT);");
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO kv VALUES ('k', 1)");
    b.exec("INSERT INTO kv VALUES ('k', 2)");
    a.exec("COMMIT");
    conflict(() => b.exec("COMMIT"));
    expect(rows(db, "SELECT k, v FROM kv")).toEqual([["k", 1]]);
  });

  it("keeps foreign keys: a child insert against a concurrent delete of its parent fails whichever commits second", () => {
    const { db, conns: [a, b] } = mvccDatabase("CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(id INTEGER PRIMARY KEY, pid INT REFERENCES p(id)); INSERT INTO p VALUES (1), (2);");
    for (const conn of [a, b]) conn.exec("PRAGMA foreign_keys = ON");
    // The delete commits first: the child insert replayed onto it has no parent.
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO c(pid) VALUES (1)");
    b.exec("DELETE FROM p WHERE id = 1");
    b.exec("COMMIT");
    expectSqliteError(() => a.exec("COMMIT"), "SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed");
    // The child commits first: the parent delete replayed onto it would orphan it.
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO c(pid) VALUES (2)");
    b.exec("DELETE FROM p WHERE id = 2");
    a.exec("COMMIT");
    expectSqliteError(() => b.exec("COMMIT"), "SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed");
    expect(rows(db, "SELECT id FROM p")).toEqual([[2]]);
    expect(rows(db, "SELECT pid FROM c")).toEqual([[2]]);
    db.exec("PRAGMA foreign_keys = ON");
    expect(rows(db, "PRAGMA foreign_key_check")).toEqual([]);
  });
});

describe("BEGIN CONCURRENT with plain transactions", () => {
  it("fails COMMIT with SQLITE_BUSY while a plain writer holds the lock, keeps the transaction, and commits after", () => {
    const { db, conns: [a, plain] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    // A concurrent transaction takes no lock: BEGIN IMMEDIATE succeeds while it is open.
    plain.exec("BEGIN IMMEDIATE");
    plain.exec("UPDATE acct SET balance = 2 WHERE id = 2");
    const busy = expectSqliteError(() => a.exec("COMMIT"), "SQLITE_BUSY", "locked");
    expect(busy.code).toBe("SQLITE_BUSY");
    expect(a.inConcurrentTransaction).toBe(true);
    plain.exec("COMMIT");
    a.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 1], [2, 2], [3, 100]]);
  });

  it("keeps a plain writer's lock when a concurrent transaction rolls back or fails", () => {
    const { db, conns: [a, b, plain] } = mvccDatabase(ACCOUNTS, 3);
    // b is open before the plain writer begins, so the plain writer tracks its rows and b can commit after it.
    b.exec("BEGIN CONCURRENT");
    b.exec("UPDATE acct SET balance = 30 WHERE id = 3");
    plain.exec("BEGIN IMMEDIATE");
    plain.exec("UPDATE acct SET balance = 10 WHERE id = 1");
    for (const end of ["ROLLBACK", "budget"] as const) {
      a.exec("BEGIN CONCURRENT");
      a.exec("UPDATE acct SET balance = 20 WHERE id = 2");
      if (end === "ROLLBACK") a.exec("ROLLBACK");
      else {
        a.limits.concurrentTransactionBytes = 1;
        expectSqliteError(() => a.exec("UPDATE acct SET balance = 21 WHERE id = 2"), "SQLITE_NOMEM");
        a.limits.concurrentTransactionBytes = 1 << 20;
      }
      expectSqliteError(() => db.exec("BEGIN IMMEDIATE"), "SQLITE_BUSY");
      expect(db.inTransaction).toBe(false);
    }
    expectSqliteError(() => b.exec("COMMIT"), "SQLITE_BUSY", "write lock");
    plain.exec("COMMIT");
    b.exec("COMMIT");
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 10], [2, 100], [3, 30]]);
  });

  it("conflicts with a row that a plain transaction or an autocommit statement committed meanwhile", () => {
    const { db, conns: [a, plain] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    plain.exec("BEGIN");
    plain.exec("UPDATE acct SET balance = 2 WHERE id = 1");
    plain.exec("COMMIT");
    conflict(() => a.exec("COMMIT"));
    a.exec("BEGIN CONCURRENT");
    a.exec("DELETE FROM acct WHERE id = 3");
    db.exec("UPDATE acct SET balance = 3 WHERE id = 3");
    conflict(() => a.exec("COMMIT"));
    expect(rows(db, "SELECT id, balance FROM acct")).toEqual([[1, 2], [2, 100], [3, 3]]);
  });

  it("lets a plain deferred transaction that read an older snapshot fail with SQLITE_BUSY_SNAPSHOT after a concurrent commit", () => {
    const { conns: [a, plain] } = mvccDatabase(ACCOUNTS);
    plain.exec("BEGIN");
    expect(rows(plain, "SELECT balance FROM acct WHERE id = 1")).toEqual([[100]]);
    a.transaction(() => a.exec("UPDATE acct SET balance = 5 WHERE id = 2")).concurrent();
    expectSqliteError(() => plain.exec("UPDATE acct SET balance = 6 WHERE id = 1"), "SQLITE_BUSY_SNAPSHOT");
    plain.exec("ROLLBACK");
  });
});

describe("BEGIN CONCURRENT and the schema", () => {
  it("refuses DDL inside BEGIN CONCURRENT with a clear error and keeps the transaction", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    for (const ddl of ["CREATE TABLE x(a)", "CREATE INDEX i ON acct(balance)", "DROP TABLE acct", "ALTER TABLE acct ADD COLUMN z"]) {
      expectSqliteError(() => a.exec(ddl), "SQLITE_ERROR", "schema changes are not allowed inside BEGIN CONCURRENT");
    }
    expect(a.inConcurrentTransaction).toBe(true);
    a.exec("COMMIT");
    expect(rows(db, "SELECT name FROM sqlite_schema")).toEqual([["acct"]]);
    expect(rows(db, "SELECT balance FROM acct WHERE id = 1")).toEqual([[1]]);
  });

  it("sees the right schema after rolling back a transaction that changed it, when another one then took its cookie", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    const count = a.prepare("SELECT count(*) FROM acct").pluck();
    expect(count.get()).toBe(3);
    a.exec("BEGIN");
    a.exec("CREATE TABLE mine(x)");
    a.exec("ROLLBACK");
    // The same schema cookie again, with a different schema behind it.
    db.exec("CREATE TABLE theirs(y)");
    expect(rows(a, "SELECT name FROM sqlite_schema ORDER BY name")).toEqual([["acct"], ["theirs"]]);
    expectSqliteError(() => a.exec("SELECT * FROM mine"), "SQLITE_ERROR", "no such table: mine");
    a.exec("INSERT INTO theirs VALUES (1)");
    // A rolled-back concurrent transaction leaves compiled statements usable.
    a.exec("BEGIN CONCURRENT; UPDATE acct SET balance = 0 WHERE id = 1; ROLLBACK");
    expect(count.get()).toBe(3);
  });

  it("fails the commit of a transaction that began before another changed the schema", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    db.exec("CREATE INDEX acct_balance ON acct(balance)");
    expectSqliteError(() => a.exec("COMMIT"), "SQLITE_BUSY_SNAPSHOT", "schema changed");
    expect(rows(db, "SELECT balance FROM acct WHERE id = 1")).toEqual([[100]]);
    expect(integrity(db)).toBe("ok");
  });
});

describe("BEGIN CONCURRENT memory budgets", () => {
  it("rolls back a transaction whose private changes exceed limits.concurrentTransactionBytes with SQLITE_NOMEM", () => {
    const { db, conns: [a] } = mvccDatabase("CREATE TABLE big(id INTEGER PRIMARY KEY, body TEXT);", 1);
    a.limits.concurrentTransactionBytes = 64 * 1024;
    a.exec("BEGIN CONCURRENT");
    a.exec("INSERT INTO big(body) VALUES ('small')");
    const insert = a.prepare("INSERT INTO big(body) VALUES (?)");
    expectSqliteError(() => {
      for (let i = 0; i < 100; i++) insert.run("x".repeat(2000));
    }, "SQLITE_NOMEM", "budget");
    expect(a.inTransaction).toBe(false);
    expect(rows(db, "SELECT count(*) FROM big")).toEqual([[0]]);
    // Within the budget the same connection commits.
    a.transaction(() => insert.run("y".repeat(2000))).concurrent();
    expect(rows(db, "SELECT count(*) FROM big")).toEqual([[1]]);
  });

  it("aborts the oldest concurrent transaction when snapshots pin more than core.pinnedVersionBytes; its next statement gets SQLITE_ABORT", () => {
    const { db, conns: [old, young] } = mvccDatabase(ACCOUNTS);
    coreOf(db).pinnedVersionBytes = 4 * 4096;
    old.exec("BEGIN CONCURRENT");
    old.exec("UPDATE acct SET balance = 0 WHERE id = 1");
    young.exec("BEGIN CONCURRENT");
    const write = db.prepare("INSERT INTO acct(balance) VALUES (?)");
    for (let i = 0; i < 200 && old.inConcurrentTransaction; i++) write.run("z".repeat(1500));
    expect(old.inConcurrentTransaction).toBe(false);
    expectSqliteError(() => old.exec("COMMIT"), "SQLITE_ABORT", "pinned more than");
    expect(old.inTransaction).toBe(false);
    expect(coreOf(db).btree.pager.retainedBytes).toBeLessThanOrEqual(4 * 4096);
    // The younger one may be aborted too (it also pins); if it survived it still commits.
    if (young.inConcurrentTransaction) young.exec("COMMIT");
    else expectSqliteError(() => young.prepare("SELECT 1").get(), "SQLITE_ABORT");
    expect(rows(db, "SELECT balance FROM acct WHERE id = 1")).toEqual([[100]]);
    // The aborted connection starts over normally.
    old.transaction(() => old.exec("UPDATE acct SET balance = 0 WHERE id = 1")).concurrent();
    expect(rows(db, "SELECT balance FROM acct WHERE id = 1")).toEqual([[0]]);
  });

  it("reports the abort to whichever statement comes next, BEGIN and SAVEPOINT included", () => {
    for (const next of ["BEGIN CONCURRENT", "SAVEPOINT s", "SELECT 1", "COMMIT"]) {
      const { db, conns: [a] } = mvccDatabase(ACCOUNTS, 1);
      coreOf(db).pinnedVersionBytes = 0;
      a.exec("BEGIN CONCURRENT");
      db.exec("UPDATE acct SET balance = 1 WHERE id = 1");
      expectSqliteError(() => a.exec(next), "SQLITE_ABORT", "aborted");
      expect(a.inTransaction).toBe(false);
      a.exec("BEGIN CONCURRENT; COMMIT");
    }
  });
});

describe("MVCC journal mode", () => {
  it("persists PRAGMA journal_mode = 'mvcc' in the store and reports it after reopening", () => {
    const store = new MemoryPageStore();
    const first = new Database({ store });
    expect(first.prepare("PRAGMA journal_mode").pluck().get()).toBe("wal");
    expect(first.prepare("PRAGMA journal_mode = 'mvcc'").pluck().get()).toBe("mvcc");
    first.exec("CREATE TABLE t(x)");
    const reopened = new Database({ store });
    expect(reopened.prepare("PRAGMA journal_mode").pluck().get()).toBe("mvcc");
    reopened.exec("BEGIN CONCURRENT; INSERT INTO t VALUES (1); COMMIT");
    reopened.exec("PRAGMA journal_mode = 'wal'");
    const again = new Database({ store });
    expect(again.prepare("PRAGMA journal_mode").pluck().get()).toBe("wal");
    expectSqliteError(() => again.exec("BEGIN CONCURRENT"), "SQLITE_ERROR", "journal_mode = 'mvcc'");
  });

  it("commits PRAGMA user_version and journal_mode set inside BEGIN CONCURRENT on the replay path too", () => {
    const { db, conns: [a] } = mvccDatabase(ACCOUNTS);
    a.exec("BEGIN CONCURRENT");
    a.exec("PRAGMA user_version = 7");
    expect(a.prepare("PRAGMA journal_mode = 'wal'").pluck().get()).toBe("wal");
    db.exec("UPDATE acct SET balance = 0 WHERE id = 1");
    a.exec("COMMIT");
    expect(db.prepare("PRAGMA user_version").pluck().get()).toBe(7);
    expect(db.prepare("PRAGMA journal_mode").pluck().get()).toBe("wal");
    expectSqliteError(() => a.exec("BEGIN CONCURRENT"), "SQLITE_ERROR", "journal_mode = 'mvcc'");
  });

  it("refuses BEGIN CONCURRENT outside MVCC journal mode", () => {
    const db = new Database();
    expectSqliteError(() => db.exec("BEGIN CONCURRENT"), "SQLITE_ERROR", "BEGIN CONCURRENT requires PRAGMA journal_mode = 'mvcc'");
    expect(db.inTransaction).toBe(false);
    expectSqliteError(() => db.transaction(() => 1).concurrent(), "SQLITE_ERROR", "journal_mode");
  });

  it("serializes an MVCC database to an image real SQLite opens with the same rows", async () => {
    const { db, conns: [a, b] } = mvccDatabase(ACCOUNTS + "CREATE INDEX acct_balance ON acct(balance);");
    a.exec("BEGIN CONCURRENT");
    b.exec("BEGIN CONCURRENT");
    a.exec("UPDATE acct SET balance = 1 WHERE id = 1");
    b.exec("INSERT INTO acct(balance) VALUES (4)");
    a.exec("COMMIT");
    b.exec("COMMIT");
    const image = db.serialize();
    expect([image[18], image[19]]).toEqual([1, 1]);
    const SQL = await initSqlJs();
    const sqlite = new SQL.Database(image);
    try {
      expect(sqlite.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
      expect(sqlite.exec("SELECT id, balance FROM acct ORDER BY id")[0].values).toEqual(rows(db, "SELECT id, balance FROM acct ORDER BY id"));
    } finally {
      sqlite.close();
    }
    expect(db.prepare("PRAGMA journal_mode").pluck().get()).toBe("mvcc");
  });
});
