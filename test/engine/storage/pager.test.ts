// Pager and database-level behaviour: one atomic store commit per
// transaction, header fields as SQLite reads them, freelist reuse before file
// growth, clear/drop returning pages, cursors surviving other cursors' changes.
import { describe, expect, it } from "vitest";
import initSqlJs from "sql.js";
import { BtreeDatabase, checkIntegrity, decodeRecord, encodeRecord } from "../../../src/engine/btree/index.js";
import { MemoryPageStore, type PageStore } from "../../../src/engine/pager/index.js";
import { binaryComparator } from "./helpers.js";

class CountingStore extends MemoryPageStore implements PageStore {
  commits: { pages: number; pageCount: number }[] = [];
  override commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    this.commits.push({ pages: pages.size, pageCount });
    super.commit(pages, pageCount, pageSize);
  }
}

describe("pager and database", () => {
  it("creates a valid empty database and publishes each transaction in one store commit", async () => {
    const store = new CountingStore();
    const db = BtreeDatabase.open(store);
    expect(store.commits).toEqual([{ pages: 1, pageCount: 1 }]);
    const SQL = await initSqlJs();
    const empty = new SQL.Database(db.serialize());
    expect(empty.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    empty.close();
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const c = tx.openTable(root);
    for (let i = 0; i < 2000; i++) c.insert(i, encodeRecord([i, "x".repeat(100)]));
    tx.commit();
    expect(store.commits.length).toBe(2);
    expect(store.commits[1].pageCount).toBe(db.pager.pageCount);
    // A transaction that changes nothing does not write to the store.
    const ro = db.beginWrite();
    ro.openTable(root).seek(5);
    const seq = db.pager.latestSeq;
    expect(ro.commit()).toBe(seq);
    expect(store.commits.length).toBe(2);
  });

  it("exposes header fields that SQLite reads back", async () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 8192 });
    const counter = db.getHeader("changeCounter");
    const tx = db.beginWrite();
    tx.setHeader("userVersion", 42);
    tx.setHeader("applicationId", 0x54455353);
    tx.setHeader("schemaCookie", 7);
    expect(tx.getHeader("userVersion")).toBe(42);
    expect(db.getHeader("userVersion")).toBe(0);
    tx.commit();
    expect(db.getHeader("userVersion")).toBe(42);
    expect(db.getHeader("changeCounter")).toBe(counter + 1);
    expect(db.getHeader("versionValidFor")).toBe(counter + 1);
    expect(db.getHeader("pageCount")).toBe(db.pager.pageCount);
    expect(db.getHeader("schemaFormat")).toBe(4);
    expect(db.getHeader("textEncoding")).toBe(1);
    const SQL = await initSqlJs();
    const s = new SQL.Database(db.serialize());
    expect(s.exec("PRAGMA user_version")[0].values[0][0]).toBe(42);
    expect(s.exec("PRAGMA application_id")[0].values[0][0]).toBe(0x54455353);
    expect(s.exec("PRAGMA schema_version")[0].values[0][0]).toBe(7);
    expect(s.exec("PRAGMA page_size")[0].values[0][0]).toBe(8192);
    s.close();
  });

  it("reuses freelist pages before growing the file; clear and drop free whole trees", () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 1024 });
    let tx = db.beginWrite();
    const a = tx.createTree("table");
    const b = tx.createTree("index");
    const ca = tx.openTable(a);
    const cb = tx.openIndex(b, binaryComparator);
    for (let i = 0; i < 1500; i++) {
      ca.insert(i, encodeRecord([i, "y".repeat(i % 3 === 0 ? 3000 : 50)]));
      cb.insert(encodeRecord([`k${i}`, i]));
    }
    tx.commit();
    const grown = db.pager.pageCount;
    tx = db.beginWrite();
    tx.clearTree(a);
    expect(tx.count(a, "table")).toBe(0);
    tx.commit();
    const freeAfterClear = db.getHeader("freelistCount");
    expect(freeAfterClear).toBeGreaterThan(grown / 2);
    let rt = db.beginRead();
    expect(checkIntegrity(rt, { trees: [{ root: 1, kind: "table" }, { root: a, kind: "table" }, { root: b, kind: "index", compare: binaryComparator }] }).errors).toEqual([]);
    rt.end();
    // Refill: the file must not grow while free pages remain.
    tx = db.beginWrite();
    const again = tx.openTable(a);
    for (let i = 0; i < 300; i++) again.insert(i, encodeRecord([i, "z".repeat(200)]));
    tx.commit();
    expect(db.pager.pageCount).toBe(grown);
    expect(db.getHeader("freelistCount")).toBeLessThan(freeAfterClear);
    tx = db.beginWrite();
    tx.dropTree(b);
    tx.dropTree(a);
    tx.commit();
    rt = db.beginRead();
    const report = checkIntegrity(rt, { trees: [{ root: 1, kind: "table" }] });
    expect(report.errors).toEqual([]);
    expect(report.freePages).toBe(grown - 1);
    rt.end();
  });

  it("other cursors on a changed tree find their place again", () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512 });
    const tx = db.beginWrite();
    const root = tx.createTree("table");
    const writer = tx.openTable(root);
    for (let i = 1; i <= 400; i += 2) writer.insert(i, encodeRecord([i]));
    const reader = tx.openTable(root);
    expect(reader.seek(201)).toBe(true);
    // Heavy changes around the reader's position: splits, merges, the row itself deleted.
    for (let i = 2; i <= 400; i += 2) writer.insert(i, encodeRecord([i, "pad".repeat(20)]));
    expect(reader.rowid()).toBe(201);
    expect(reader.next() && reader.rowid()).toBe(202);
    for (let i = 150; i <= 250; i++) if (writer.seek(i)) writer.delete();
    expect(reader.next() && reader.rowid()).toBe(251);
    expect(reader.prev() && reader.rowid()).toBe(149);
    expect(decodeRecord(reader.payload())).toEqual([149]);
    tx.commit();
  });

  it("grows and shrinks the schema tree rooted on page 1 (less room after the header)", async () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512 });
    let tx = db.beginWrite();
    const schema = tx.openTable(1);
    const roots: number[] = [];
    for (let i = 1; i <= 300; i++) {
      roots.push(tx.createTree("table"));
      schema.insert(i, encodeRecord(["table", `t${i}`, `t${i}`, roots[i - 1], `CREATE TABLE t${i}(a, b, c, padding_column_name_${i})`]));
    }
    tx.setHeader("schemaCookie", 1);
    tx.commit();
    const SQL = await initSqlJs();
    let s = new SQL.Database(db.serialize());
    expect(s.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    expect(s.exec("SELECT count(*) FROM sqlite_schema")[0].values[0][0]).toBe(300);
    s.close();
    tx = db.beginWrite();
    const c = tx.openTable(1);
    for (let i = 1; i <= 300; i++) {
      if (i % 75 === 0) continue;
      expect(c.seek(i)).toBe(true);
      c.delete();
      tx.dropTree(roots[i - 1]);
    }
    tx.setHeader("schemaCookie", 2);
    tx.commit();
    const rt = db.beginRead();
    expect(rt.page(1).isLeaf).toBe(true);
    expect(checkIntegrity(rt).errors).toEqual([]);
    rt.end();
    s = new SQL.Database(db.serialize());
    expect(s.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    expect(s.exec("SELECT group_concat(name) FROM sqlite_schema")[0].values[0][0]).toBe("t75,t150,t225,t300");
    s.close();
  });
});
