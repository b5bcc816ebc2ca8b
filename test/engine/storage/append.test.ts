// Appends through the engine: the table cursor's shortcut for a rowid past the
// last row (no descent) must stay right across savepoint rollbacks, failed
// statements inside a transaction and page splits; and record encoding of a
// row with its INTEGER PRIMARY KEY column stored as NULL; bulk loads pack
// leaves as SQLite's balance_quick does.
import { describe, expect, it } from "vitest";
import initSqlJs from "sql.js";
import { BtreeDatabase, decodeRecord, encodeRecord } from "../../../src/engine/btree/index.js";
import { Database } from "../../../src/engine/index.js";
import { MemoryPageStore } from "../../../src/engine/pager/index.js";

describe("appending rows", () => {
  it("keeps every row and a valid file across ROLLBACK TO and a failed multi-row INSERT", () => {
    const db = new Database();
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
    const expected = new Map<number, string>();
    const add = (from: number, to: number, label: string) => {
      for (let i = from; i <= to; i++) {
        insert.run(i, `${label} ${i} ${"x".repeat(40)}`);
        expected.set(i, `${label} ${i} ${"x".repeat(40)}`);
      }
    };
    db.exec("BEGIN");
    add(1, 300, "first");
    db.exec("SAVEPOINT a");
    add(301, 900, "undone");
    db.exec("ROLLBACK TO a");
    for (let i = 301; i <= 900; i++) expected.delete(i);
    // Past the undone rows' rowids: the cursor still stands on the undone last row.
    add(1000, 1150, "again");
    // Fails on its third row: the statement is undone alone, after it had appended two rows.
    expect(() => db.exec("INSERT INTO t VALUES (2000, 'a'), (2001, 'b'), (1, 'duplicate')")).toThrow(/UNIQUE constraint failed: t.id/);
    add(2002, 2300, "after");
    db.exec("COMMIT");
    const rows = db.prepare("SELECT id, s FROM t ORDER BY id").raw().all() as [number, string][];
    expect(rows).toEqual([...expected].sort((a, b) => a[0] - b[0]));
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });

  it("finds an existing rowid after appends (the shortcut only answers for rowids past the end)", () => {
    const db = new Database();
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)");
    const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
    db.exec("BEGIN");
    for (let i = 1; i <= 500; i++) insert.run(i * 2, i);
    expect(() => insert.run(1000, 0)).toThrow(/UNIQUE constraint failed: t.id/);
    insert.run(999, -1);
    insert.run(1002, -2);
    db.exec("COMMIT");
    expect(db.prepare("SELECT count(*), sum(v), max(id) FROM t").raw().get()).toEqual([502, 125247, 1002]);
  });
});

describe("appending through one table cursor", () => {
  it("packs a bulk load's leaves full as SQLite does, and the same transaction can still change the rows it left behind", async () => {
    const SQL = await initSqlJs();
    const oracle = new SQL.Database();
    const db = new Database();
    const setup = "CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, n INTEGER)";
    db.exec(setup);
    oracle.run(setup);
    const insert = db.prepare("INSERT INTO t VALUES (?, ?, ?)");
    db.exec("BEGIN");
    oracle.run("BEGIN");
    for (let i = 1; i <= 5000; i++) {
      insert.run(i, `row ${i}`, i * 7);
      oracle.run("INSERT INTO t VALUES (?, ?, ?)", [i, `row ${i}`, i * 7]);
    }
    expect(db.prepare("PRAGMA page_count").pluck().get()).toBe(oracle.exec("PRAGMA page_count")[0].values[0][0]);
    // Leaves the append finished with were laid out early; changing their rows brings them back.
    const changes = [
      "UPDATE t SET s = s || ' changed' WHERE id % 97 = 0",
      "DELETE FROM t WHERE id BETWEEN 1000 AND 1400",
      "INSERT INTO t VALUES (1200, 'back', 0)",
      "SAVEPOINT sp",
      "DELETE FROM t WHERE id % 3 = 0",
      "ROLLBACK TO sp",
      "INSERT INTO t VALUES (5001, 'last', 1)",
      "COMMIT",
    ];
    for (const sql of changes) {
      db.exec(sql);
      oracle.run(sql);
    }
    const query = "SELECT id, s, n FROM t ORDER BY id";
    expect(db.prepare(query).raw().all()).toEqual(oracle.exec(query)[0].values);
    const reopened = new SQL.Database(db.serialize());
    expect(reopened.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    expect(reopened.exec(query)[0].values).toEqual(oracle.exec(query)[0].values);
    reopened.close();
    oracle.close();
  });

  it("seeks past the end correctly after the transaction rolled back to a mark under the cursor", () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512 });
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const cursor = tx.openTable(root);
    const row = (i: number) => encodeRecord([i, "y".repeat(30)]);
    for (let i = 1; i <= 100; i++) if (!cursor.seek(i, "eq")) cursor.insert(i, row(i));
    const mark = tx.mark();
    // Stays on the last of these rows, which the rollback undoes.
    for (let i = 101; i <= 400; i++) if (!cursor.seek(i, "eq")) cursor.insert(i, row(i));
    expect(cursor.seek(400, "eq")).toBe(true);
    tx.rollbackTo(mark);
    for (let i = 500; i <= 700; i++) {
      expect(cursor.seek(i, "eq")).toBe(false);
      cursor.insert(i, row(i));
    }
    const seen: number[] = [];
    for (let ok = cursor.first(); ok; ok = cursor.next()) seen.push(cursor.rowid() as number);
    expect(seen).toEqual([...Array.from({ length: 100 }, (_, k) => k + 1), ...Array.from({ length: 201 }, (_, k) => 500 + k)]);
    for (const i of [1, 100, 500, 700]) expect(cursor.seek(i, "eq") && decodeRecord(cursor.payload())[0]).toBe(i);
  });
});

describe("encodeRecord with a NULL-stored column", () => {
  it("encodes that column as NULL and every other value as given (ASCII, non-ASCII, long text, blobs, numbers)", () => {
    const values = [7, "héllo wörld", "a".repeat(300), new Uint8Array([1, 2, 3]), 3.5, 2n ** 60n, "plain"];
    const stored = decodeRecord(encodeRecord(values, 0));
    expect(stored).toEqual([null, ...values.slice(1)]);
    expect(encodeRecord(values, 0)).toEqual(encodeRecord([null, ...values.slice(1)]));
    expect(decodeRecord(encodeRecord(values))).toEqual(values);
  });
});
