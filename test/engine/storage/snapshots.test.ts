// Snapshots and private write sets: isolation, stale-base refusal, version
// reclamation, and the page-cache bound.
import { describe, expect, it } from "vitest";
import { BtreeDatabase, decodeRecord, encodeRecord, type ReadTransaction } from "../../../src/engine/btree/index.js";
import { MemoryPageStore, StaleWriteSetError } from "../../../src/engine/pager/index.js";

function setup(): { db: BtreeDatabase; root: number } {
  const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 1024 });
  const tx = db.beginWrite();
  const root = tx.createTree("table");
  const c = tx.openTable(root);
  for (let i = 1; i <= 500; i++) c.insert(i, encodeRecord([i, "v0"]));
  tx.commit();
  return { db, root };
}

function values(tx: ReadTransaction, root: number): string[] {
  const out: string[] = [];
  const c = tx.openTable(root);
  for (let ok = c.first(); ok; ok = c.next()) out.push(`${c.rowid()}:${decodeRecord(c.payload())[1]}`);
  return out;
}

describe("snapshots", () => {
  it("a reader keeps seeing the state it began with until it ends", () => {
    const { db, root } = setup();
    const before = db.beginRead();
    const snapshotView = values(before, root);
    for (let round = 1; round <= 3; round++) {
      const tx = db.beginWrite();
      const c = tx.openTable(root);
      for (let i = 1; i <= 500; i += round) c.insert(i, encodeRecord([i, `v${round}`.repeat(20)]));
      for (let i = 2; i <= 500; i += 7) if (c.seek(i)) c.delete();
      tx.commit();
    }
    expect(values(before, root)).toEqual(snapshotView);
    const after = db.beginRead();
    expect(values(after, root)).not.toEqual(snapshotView);
    expect(after.count(root, "table")).toBe(500 - 72);
    expect(db.pager.stats().retainedVersions).toBeGreaterThan(0);
    before.end();
    expect(db.pager.stats().retainedVersions).toBe(0);
    after.end();
    expect(db.pager.stats().pinnedSnapshots).toBe(0);
  });

  it("keeps only the versions pinned snapshots need, freeing them as readers end", () => {
    const { db, root } = setup();
    const readers: ReadTransaction[] = [];
    const views: string[][] = [];
    for (let k = 0; k < 4; k++) {
      readers.push(db.beginRead());
      views.push(values(readers[k], root));
      const tx = db.beginWrite();
      tx.openTable(root).insert(1000 + k, encodeRecord([k, "new"]));
      tx.commit();
    }
    const counts: number[] = [db.pager.stats().retainedVersions];
    for (let k = 0; k < 4; k++) {
      expect(values(readers[k], root)).toEqual(views[k]);
      readers[k].end();
      counts.push(db.pager.stats().retainedVersions);
    }
    for (let k = 1; k < counts.length; k++) expect(counts[k]).toBeLessThanOrEqual(counts[k - 1]);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[4]).toBe(0);
  });

  it("write sets are private to each other and to readers; a stale base is refused", () => {
    const { db, root } = setup();
    const reader = db.beginRead();
    const a = db.beginWrite();
    const b = db.beginWrite();
    a.openTable(root).insert(10_001, encodeRecord([1, "from a"]));
    const bc = b.openTable(root);
    for (let i = 1; i <= 500; i++) bc.insert(i, encodeRecord([i, "b".repeat(40)])); // forces splits and new pages in b
    b.openTable(root).insert(20_002, encodeRecord([2, "from b"]));
    // Both write sets allocated private pages, possibly with the same numbers.
    expect(a.openTable(root).seek(20_002)).toBe(false);
    expect(b.openTable(root).seek(10_001)).toBe(false);
    expect(reader.openTable(root).seek(10_001)).toBe(false);
    expect(reader.openTable(root).seek(20_002)).toBe(false);
    const other = db.beginRead();
    expect(other.count(root, "table")).toBe(500);
    other.end();

    const seqA = a.commit();
    expect(seqA).toBe(db.pager.latestSeq);
    const refused = b.tryCommit();
    expect(refused).toEqual({ ok: false, reason: "stale-base", baseSeq: seqA - 1, latestSeq: seqA });
    // b stays readable for inspection, then is discarded.
    expect(b.openTable(root).seek(20_002)).toBe(true);
    try {
      b.commit();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StaleWriteSetError);
      expect((e as StaleWriteSetError).code).toBe("SQLITE_BUSY_SNAPSHOT");
    }
    b.rollback();
    const latest = db.beginRead();
    expect(latest.openTable(root).seek(10_001)).toBe(true);
    expect(latest.openTable(root).seek(20_002)).toBe(false);
    expect(reader.openTable(root).seek(10_001)).toBe(false);
    reader.end();
    latest.end();
    expect(db.pager.stats()).toMatchObject({ openWriteSets: 0, pinnedSnapshots: 0, retainedVersions: 0 });
  });

  it("a write set can start from a pinned snapshot and commits only if it is still the latest", () => {
    const { db, root } = setup();
    const snap = db.beginRead();
    const fresh = db.beginWrite(snap);
    fresh.openTable(root).insert(7777, encodeRecord([1]));
    expect(fresh.commit()).toBe(snap.snapshot!.seq + 1);
    const stale = db.beginWrite(snap);
    expect(stale.openTable(root).seek(7777)).toBe(false);
    stale.openTable(root).insert(8888, encodeRecord([1]));
    expect(stale.tryCommit().ok).toBe(false);
    stale.rollback();
    snap.end();
    expect(db.beginRead().count(root, "table")).toBe(501);
  });

  it("an ended reader resumes only while its state is the latest, and a resumed one is pinned again", () => {
    const { db, root } = setup();
    const reader = db.beginRead();
    reader.end();
    expect(reader.resume()).toBe(true);
    expect(reader.resume()).toBe(false); // already open
    expect(db.pager.stats().pinnedSnapshots).toBe(1);
    // A commit while it is pinned keeps the versions it reads.
    const tx = db.beginWrite();
    tx.openTable(root).insert(9999, encodeRecord([1, "new"]));
    tx.commit();
    expect(reader.count(root, "table")).toBe(500);
    expect(db.pager.stats().retainedVersions).toBeGreaterThan(0);
    reader.end();
    expect(db.pager.stats()).toMatchObject({ pinnedSnapshots: 0, retainedVersions: 0 });
    // Something was committed since: its state is no longer the latest.
    expect(reader.resume()).toBe(false);
    const writer = db.beginWrite();
    expect(writer.resume()).toBe(false);
    writer.rollback();
  });

  it("rollback discards private pages", () => {
    const { db, root } = setup();
    const tx = db.beginWrite();
    const c = tx.openTable(root);
    for (let i = 1; i <= 500; i++) if (c.seek(i)) c.delete();
    expect(tx.count(root, "table")).toBe(0);
    tx.rollback();
    const pagesBefore = db.pager.pageCount;
    const rt = db.beginRead();
    expect(rt.count(root, "table")).toBe(500);
    expect(db.pager.pageCount).toBe(pagesBefore);
    rt.end();
  });

  it("reads a 20+ MB database through a 1 MB cache without exceeding it", () => {
    const store = new MemoryPageStore();
    const writer = BtreeDatabase.open(store, { pageSize: 4096 });
    const tx = writer.beginWrite();
    const root = tx.createTree("table");
    const c = tx.openTable(root);
    const blob = new Uint8Array(4000);
    for (let i = 1; i <= 5600; i++) {
      blob[0] = i & 255;
      c.insert(i, encodeRecord([i, blob]));
    }
    tx.commit();
    expect(store.pageCount() * 4096).toBeGreaterThan(20 * 1024 * 1024);

    const db = BtreeDatabase.open(store, { cacheBytes: 1024 * 1024 });
    const capacity = db.pager.stats().cacheCapacityPages;
    expect(capacity).toBe(256);
    const rt = db.beginRead();
    const cur = rt.openTable(root);
    let n = 0;
    let maxCached = 0;
    for (let ok = cur.first(); ok; ok = cur.next()) {
      const rec = decodeRecord(cur.payload());
      expect((rec[1] as Uint8Array)[0]).toBe(++n & 255);
      if (n % 100 === 0) maxCached = Math.max(maxCached, db.pager.stats().cachedPages);
    }
    expect(n).toBe(5600);
    expect(maxCached).toBeGreaterThan(0);
    expect(maxCached).toBeLessThanOrEqual(capacity);
    rt.end();
  });

  it("old snapshots stay exact under a tiny cache while many commits evict pages", () => {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512, cachePages: 8 });
    let tx = db.beginWrite();
    const root = tx.createTree("table");
    tx.commit();
    const readers: { tx: ReadTransaction; expected: string[] }[] = [];
    const model = new Map<number, string>();
    let state = 1;
    for (let round = 0; round < 30; round++) {
      tx = db.beginWrite();
      const c = tx.openTable(root);
      for (let k = 0; k < 40; k++) {
        state = (state * 48271) % 2147483647;
        const id = state % 300;
        if (state % 4 === 0 && model.has(id)) {
          c.seek(id);
          c.delete();
          model.delete(id);
        } else {
          const v = `r${round}k${k}`.repeat(1 + (state % 9));
          c.insert(id, encodeRecord([id, v]));
          model.set(id, v);
        }
      }
      tx.commit();
      if (round % 5 === 0) {
        const r = db.beginRead();
        readers.push({ tx: r, expected: [...model].sort((a, b) => a[0] - b[0]).map(([id, v]) => `${id}:${v}`) });
      }
      for (const r of readers) expect(values(r.tx, root)).toEqual(r.expected);
      expect(db.pager.stats().cachedPages).toBeLessThanOrEqual(8);
    }
    for (const r of readers) r.tx.end();
    expect(db.pager.stats().retainedVersions).toBe(0);
  });
});
