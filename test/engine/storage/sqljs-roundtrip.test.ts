// Round trips with real SQLite (sql.js): files the engine writes pass SQLite's
// integrity_check and read back identically; files SQLite writes (several page
// sizes, after VACUUM, with freelists and overflow) read identically here.
import { beforeAll, describe, expect, it } from "vitest";
import initSqlJs, { type SqlJsStatic } from "sql.js";
import {
  BtreeDatabase,
  checkIntegrity,
  decodeRecord,
  encodeRecord,
  schemaTrees,
  type ReadTransaction,
} from "../../../src/engine/btree/index.js";
import { MemoryPageStore } from "../../../src/engine/pager/index.js";
import { IntegralReal, storageClass, type SqlValue } from "../../../src/engine/value/types.js";
import { binaryComparator, compareValues, rng } from "./helpers.js";
import { createSchema, deleteRow, ModelTable, putRow } from "./model.js";

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});

/** sql.js returns plain JS numbers; compare against our canonical values' numeric content. */
function plain(v: SqlValue): unknown {
  return v instanceof IntegralReal ? v.value : v;
}

function readTable(tx: ReadTransaction, root: number): unknown[][] {
  const out: unknown[][] = [];
  const c = tx.openTable(root);
  for (let ok = c.first(); ok; ok = c.next()) out.push([c.rowid(), ...decodeRecord(c.payload()).map(plain)]);
  return out;
}

describe("engine-written files open in SQLite", () => {
  it("passes integrity_check with tables, indexes, overflow, a freelist and a WITHOUT ROWID table", () => {
    const random = rng(11);
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 1024 });
    const tx = db.beginWrite();
    const roots = createSchema(tx);
    const w = tx.createTree("index");
    tx.openTable(1).insert(5, encodeRecord(["table", "w", "w", w, "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID"]));
    const t1 = new ModelTable();
    const t2 = new ModelTable();
    for (let i = 1; i <= 3000; i++) {
      putRow(tx, roots.t1, roots.i1, t1, i, [i % 7 === 0 ? null : Math.floor(random() * 500), "p".repeat(Math.floor(random() * 300))]);
      if (i % 10 === 0) putRow(tx, roots.t2, roots.i2, t2, i, ["big".repeat(300 + Math.floor(random() * 2000))]);
    }
    // WITHOUT ROWID: key is the PK column; the comparator looks at the first column only.
    const byKey = (cell: Parameters<typeof binaryComparator>[0], probe: readonly SqlValue[]) => compareValues(cell.column(0), probe[0]);
    const wc = tx.openIndex(w, byKey);
    for (let i = 0; i < 500; i++) wc.insert(encodeRecord([`key${(i * 37) % 500}`, i]));
    for (let i = 1; i <= 3000; i += 2) deleteRow(tx, roots.t1, roots.i1, t1, i);
    for (let i = 10; i <= 3000; i += 40) deleteRow(tx, roots.t2, roots.i2, t2, i);
    tx.commit();

    const s = new SQL.Database(db.serialize());
    expect(s.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    expect(Number(s.exec("PRAGMA freelist_count")[0].values[0][0])).toBeGreaterThan(0);
    expect(Number(s.exec("PRAGMA page_size")[0].values[0][0])).toBe(1024);
    const rows = s.exec("SELECT rowid, a, b FROM t1 ORDER BY rowid")[0].values;
    expect(rows).toEqual([...t1.rows].sort((a, b) => a[0] - b[0]).map(([id, r]) => [id, r[0], r[1]]));
    const big = s.exec("SELECT rowid, x FROM t2 ORDER BY rowid")[0].values;
    expect(big).toEqual([...t2.rows].sort((a, b) => a[0] - b[0]).map(([id, r]) => [id, r[0]]));
    expect(s.exec("SELECT count(*) FROM w")[0].values[0][0]).toBe(500);
    expect(s.exec("SELECT v FROM w WHERE k = 'key37'")[0].values[0][0]).toBe(1);
    // SQLite can keep writing the file, and we read its changes back.
    s.run("INSERT INTO t1(rowid, a, b) VALUES (100000, 'from sqlite', x'00ff')");
    s.run("DELETE FROM t2");
    const again = BtreeDatabase.fromImage(s.export());
    s.close();
    const rt = again.beginRead();
    expect(checkIntegrity(rt, { comparatorFor: (n) => (n === "w" ? byKey : binaryComparator) }).errors).toEqual([]);
    const c = rt.openTable(roots.t1);
    expect(c.seek(100000) && decodeRecord(c.payload())).toEqual(["from sqlite", new Uint8Array([0, 255])]);
    expect(rt.count(roots.t2, "table")).toBe(0);
  });
});

describe("SQLite-written files read identically", () => {
  function build(pageSize: number, vacuum: boolean): Uint8Array {
    const s = new SQL.Database();
    s.run(`PRAGMA page_size=${pageSize}`);
    s.run("CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, n)");
    s.run("CREATE INDEX t_s ON t(s, i)");
    s.run("CREATE TABLE big(x)");
    s.run("CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID");
    s.run("CREATE VIEW v AS SELECT 1");
    const ins = s.prepare("INSERT INTO t(i, r, s, b, n) VALUES (?, ?, ?, ?, ?)");
    for (let k = 0; k < 2000; k++) {
      ins.run([k * 7919 - 5000000, k / 8, `text ${k} ${"é".repeat(k % 13)}`, new Uint8Array([k & 255, 1, 2]), k % 3 === 0 ? null : k]);
    }
    ins.free();
    s.run("UPDATE t SET i = 9007199254740991 WHERE id = 5");
    s.run("UPDATE t SET r = 2.0 WHERE id = 6");
    for (let k = 0; k < 40; k++) s.run("INSERT INTO big VALUES (?)", ["x".repeat(700 * (k + 1))]);
    for (let k = 0; k < 300; k++) s.run("INSERT INTO kv VALUES (?, ?)", [`k${k}`, k]);
    s.run("DELETE FROM t WHERE id % 3 = 1");
    s.run("DELETE FROM big WHERE rowid % 2 = 0");
    s.run("DELETE FROM kv WHERE v % 4 = 0");
    if (vacuum) s.run("VACUUM");
    const image = s.export();
    s.close();
    return image;
  }

  for (const pageSize of [512, 1024, 4096, 8192, 65536]) {
    for (const vacuum of [false, true]) {
      it(`page size ${pageSize}${vacuum ? " after VACUUM" : " with a freelist"}`, () => {
        const image = build(pageSize, vacuum);
        const s = new SQL.Database(image);
        const db = BtreeDatabase.fromImage(image);
        expect(db.pageSize).toBe(pageSize);
        const rt = db.beginRead();
        const report = checkIntegrity(rt, { comparatorFor: () => binaryComparator });
        expect(report.errors).toEqual([]);
        expect(report.freePages).toBe(Number(s.exec("PRAGMA freelist_count")[0].values[0][0]));
        expect(db.getHeader("freelistCount")).toBe(report.freePages);
        const trees = schemaTrees(rt);
        expect(trees.map((t) => t.name).sort()).toEqual(["big", "kv", "sqlite_schema", "t", "t_s"]);
        for (const tree of trees.filter((t) => t.kind === "table" && t.name !== "sqlite_schema")) {
          const expected = s.exec(`SELECT rowid, * FROM ${tree.name} ORDER BY rowid`)[0].values;
          const got = readTable(rt, tree.root);
          // INTEGER PRIMARY KEY columns are stored as NULL in the record and read from the rowid.
          if (tree.name === "t") for (const row of got) row[1] = row[0];
          expect(got).toEqual(expected);
          const classes = s.exec(`SELECT ${tree.name === "t" ? "typeof(i), typeof(r), typeof(s), typeof(b), typeof(n)" : "typeof(x)"} FROM ${tree.name} ORDER BY rowid`)[0].values;
          const c = rt.openTable(tree.root);
          let k = 0;
          for (let ok = c.first(); ok; ok = c.next(), k++) {
            const rec = decodeRecord(c.payload()).slice(tree.name === "t" ? 1 : 0);
            const stored = rec.map(storageClass);
            // SQLite stores integral values of REAL-affinity columns as integers
            // and applies the affinity when reading; that is the executor's job.
            if (tree.name === "t" && stored[1] === "integer") stored[1] = "real";
            expect(stored).toEqual(classes[k]);
          }
        }
        const idx = s.exec("SELECT s, i, rowid FROM t ORDER BY s, i, rowid")[0].values;
        const ic = rt.openIndex(trees.find((t) => t.name === "t_s")!.root, binaryComparator);
        const entries: unknown[][] = [];
        for (let ok = ic.first(); ok; ok = ic.next()) entries.push(decodeRecord(ic.key()).map(plain));
        expect(entries).toEqual(idx);
        const kv = rt.openIndex(trees.find((t) => t.name === "kv" && t.kind === "index")!.root, binaryComparator);
        expect(kv.seek(["k10"], "eq") && decodeRecord(kv.key())).toEqual(["k10", 10]);
        expect(kv.seek(["k12"], "eq")).toBe(false);
        rt.end();
        s.close();
      });
    }
  }
});
