import { describe, expect, it } from "vitest";
import { BtreeDatabase, checkIntegrity, decodeRecord, encodeRecord, type WriteTransaction } from "../../../src/engine/btree/index.js";
import { MemoryPageStore } from "../../../src/engine/pager/index.js";
import type { SqlValue } from "../../../src/engine/value/types.js";
import { binaryComparator, compareRows, rng } from "./helpers.js";

function newDb(pageSize = 4096): BtreeDatabase {
  return BtreeDatabase.open(new MemoryPageStore(), { pageSize });
}

function tableRows(tx: WriteTransaction, root: number): [number, SqlValue[]][] {
  const out: [number, SqlValue[]][] = [];
  const c = tx.openTable(root);
  for (let ok = c.first(); ok; ok = c.next()) out.push([c.rowid() as number, decodeRecord(c.payload())]);
  c.close();
  return out;
}

describe("table B-tree cursor", () => {
  it("seeks eq/ge/gt/le/lt and steps both ways", () => {
    const db = newDb(512);
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const c = tx.openTable(root);
    for (let r = 10; r <= 5000; r += 10) c.insert(r, encodeRecord([r, "v".repeat(r % 70)]));
    expect(c.seek(500, "eq")).toBe(true);
    expect(c.seek(505, "eq")).toBe(false);
    expect(c.seek(505, "ge") && c.rowid()).toBe(510);
    expect(c.seek(510, "gt") && c.rowid()).toBe(520);
    expect(c.seek(505, "le") && c.rowid()).toBe(500);
    expect(c.seek(500, "lt") && c.rowid()).toBe(490);
    expect(c.seek(5, "lt")).toBe(false);
    expect(c.seek(5001, "ge")).toBe(false);
    expect(c.seek(99999, "le") && c.rowid()).toBe(5000);
    expect(c.last() && c.rowid()).toBe(5000);
    let n = 0;
    for (let ok = c.last(); ok; ok = c.prev()) n++;
    expect(n).toBe(500);
    expect(tx.count(root, "table")).toBe(500);
    expect(c.seek(1000) && decodeRecord(c.payload())).toEqual([1000, "v".repeat(1000 % 70)]);
    expect(c.record().column(0)).toBe(1000);
  });

  it("deletes while scanning and keeps next() on the following row", () => {
    const db = newDb(1024);
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const c = tx.openTable(root);
    for (let r = 1; r <= 3000; r++) c.insert(r, encodeRecord([r, "x".repeat(r % 200)]));
    const seen: number[] = [];
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.rowid() as number;
      seen.push(r);
      if (r % 3 !== 0) c.delete();
    }
    expect(seen.length).toBe(3000);
    const rows = tableRows(tx, root);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 1000 }, (_, i) => 3 * (i + 1)));
  });

  it("handles bigint and negative rowids in order", () => {
    const db = newDb();
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const c = tx.openTable(root);
    const keys: (number | bigint)[] = [9223372036854775807n, -9223372036854775808n, -1, 0, 2 ** 53 - 1, 9007199254740993n];
    for (const k of keys) c.insert(k, encodeRecord([String(k)]));
    const got: (number | bigint)[] = [];
    for (let ok = c.first(); ok; ok = c.next()) got.push(c.rowid());
    expect(got).toEqual([-9223372036854775808n, -1, 0, 2 ** 53 - 1, 9007199254740993n, 9223372036854775807n]);
    expect(c.seek(9223372036854775807n)).toBe(true);
    expect(c.seek(0n) && c.rowid()).toBe(0);
  });
});

describe("index B-tree cursor", () => {
  it("keeps keys ordered by the comparator and seeks by prefix", () => {
    const db = newDb(1024);
    const tx = db.beginWrite();
    const root = tx.createTree("index");
    const c = tx.openIndex(root, binaryComparator);
    const random = rng(7);
    const model: SqlValue[][] = [];
    for (let i = 0; i < 4000; i++) {
      const v: SqlValue = [null, Math.floor(random() * 100), "s" + Math.floor(random() * 300), random() * 10][i % 4];
      const key = [v, i];
      model.push(key);
      c.insert(encodeRecord(key));
    }
    model.sort(compareRows);
    const got: SqlValue[][] = [];
    for (let ok = c.first(); ok; ok = c.next()) got.push(decodeRecord(c.key()));
    expect(got).toEqual(model);
    const firstS = model.findIndex((k) => typeof k[0] === "string" && k[0] >= "s2");
    expect(c.seek(["s2"], "ge") && decodeRecord(c.key())).toEqual(model[firstS]);
    expect(c.seek(["s2"], "lt") && decodeRecord(c.key())).toEqual(model[firstS - 1]);
    // delete every other entry through a scan, including interior ones
    let i = 0;
    for (let ok = c.first(); ok; ok = c.next()) if (i++ % 2 === 0) c.delete();
    const left: SqlValue[][] = [];
    for (let ok = c.last(); ok; ok = c.prev()) left.unshift(decodeRecord(c.key()));
    expect(left).toEqual(model.filter((_, j) => j % 2 === 1));
    expect(tx.count(root, "index")).toBe(2000);
  });

  it("replaces an entry whose key compares equal, wherever it sits in the tree (WITHOUT ROWID upsert)", () => {
    const db = newDb(512);
    const tx = db.beginWrite();
    const root = tx.createTree("index");
    const byFirst = (cell: Parameters<typeof binaryComparator>[0], probe: readonly SqlValue[]) =>
      binaryComparator(cell, probe.slice(0, 1));
    const c = tx.openIndex(root, byFirst);
    for (let i = 0; i < 600; i++) c.insert(encodeRecord([i, "old".repeat(10)]));
    for (let i = 599; i >= 0; i -= 1) c.insert(encodeRecord([i, `new${i}`]));
    expect(tx.count(root, "index")).toBe(600);
    const got: SqlValue[][] = [];
    for (let ok = c.first(); ok; ok = c.next()) got.push(decodeRecord(c.key()));
    expect(got).toEqual(Array.from({ length: 600 }, (_, i) => [i, `new${i}`]));
    tx.commit();
    const rt = db.beginRead();
    expect(checkIntegrity(rt, { trees: [{ root: 1, kind: "table" }, { root, kind: "index", compare: byFirst }] }).errors).toEqual([]);
    rt.end();
  });

  it("packs pages nearly full when keys arrive in ascending order (table and index)", () => {
    const db = newDb(4096);
    const tx = db.beginWrite();
    const index = tx.createTree("index");
    const table = tx.createTree("table");
    const ic = tx.openIndex(index, binaryComparator);
    const tc = tx.openTable(table);
    for (let i = 0; i < 30000; i++) {
      ic.insert(encodeRecord([i, i]));
      tc.insert(i + 1, encodeRecord([i, "abc"]));
    }
    tx.commit();
    const rt = db.beginRead();
    const report = checkIntegrity(rt, {
      trees: [
        { root: index, kind: "index", compare: binaryComparator },
        { root: table, kind: "table" },
      ],
    });
    expect(report.trees.map((t) => t.entries)).toEqual([30000, 30000]);
    for (const t of report.trees) expect(t.fill).toBeGreaterThan(0.95);
    rt.end();
  });
});
