// Seek modes against a sorted model on trees with several levels, before and
// after deletions (stale dividers), for table rowids and index key prefixes.
import { describe, expect, it } from "vitest";
import { BtreeDatabase, decodeRecord, encodeRecord, type SeekMode } from "../../../src/engine/btree/index.js";
import { MemoryPageStore } from "../../../src/engine/pager/index.js";
import { binaryComparator, rng } from "./helpers.js";

type Pick = (keys: number[], p: number) => number | undefined;

const expected: Record<SeekMode, Pick> = {
  eq: (keys, p) => keys.find((k) => k === p),
  ge: (keys, p) => keys.find((k) => k >= p),
  gt: (keys, p) => keys.find((k) => k > p),
  le: (keys, p) => keys.findLast((k) => k <= p),
  lt: (keys, p) => keys.findLast((k) => k < p),
};
const modes = Object.keys(expected) as SeekMode[];

describe("seek modes", () => {
  for (const seed of [1, 2, 3]) {
    it(`table rowids and index prefixes agree with a sorted model (seed ${seed})`, () => {
      const random = rng(seed);
      const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512 });
      const tx = db.beginWrite();
      const table = tx.createTree("table");
      const index = tx.openIndex(tx.createTree("index"), binaryComparator);
      const tc = tx.openTable(table);
      const rowids = new Set<number>();
      const entries: [number, number][] = [];
      for (let i = 0; i < 1500; i++) {
        const id = Math.floor(random() * 5000);
        if (rowids.has(id)) continue;
        rowids.add(id);
        tc.insert(id, encodeRecord(["x".repeat(Math.floor(random() * 40))]));
        const k = Math.floor(random() * 200);
        entries.push([k, id]);
        index.insert(encodeRecord([k, id, "pad".repeat(Math.floor(random() * 10))]));
      }
      const check = () => {
        const ids = [...rowids].sort((a, b) => a - b);
        const keys = entries.map((e) => e[0]).sort((a, b) => a - b);
        for (let n = 0; n < 300; n++) {
          const mode = modes[n % modes.length];
          const p = Math.floor(random() * 5200) - 100;
          const want = expected[mode](ids, p);
          expect(tc.seek(p, mode) ? tc.rowid() : undefined).toBe(want);
          const q = Math.floor(random() * 210) - 5;
          const wantKey = expected[mode](keys, q);
          expect(index.seek([q], mode) ? decodeRecord(index.key())[0] : undefined).toBe(wantKey);
        }
      };
      check();
      // Delete a random half: dividers become stale upper bounds, pages merge.
      for (const id of [...rowids]) {
        if (random() < 0.5) continue;
        expect(tc.seek(id)).toBe(true);
        tc.delete();
        rowids.delete(id);
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        if (random() < 0.5) continue;
        expect(index.seek(entries[i], "eq")).toBe(true);
        index.delete();
        entries.splice(i, 1);
      }
      check();
      tx.commit();
    });
  }
});

describe("table cursor shortcuts", () => {
  /**
   * A write transaction on a committed 512-byte-page table holding every third
   * rowid of 0..2999 (many leaves, read-only until the transaction changes them).
   */
  function sparseTable() {
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 512 });
    const load = db.beginWrite();
    const root = load.createTree("table");
    const c = load.openTable(root);
    const rowids: number[] = [];
    for (let id = 0; id < 3000; id += 3) {
      c.insert(id, encodeRecord([id, "v".repeat(id % 17)]));
      rowids.push(id);
    }
    load.commit();
    return { tx: db.beginWrite(), root, rowids };
  }

  it("eq seeks in nearby order (mostly within the current leaf) find exactly the present rowids", () => {
    const { tx, root, rowids } = sparseTable();
    const present = new Set(rowids);
    const c = tx.openTable(root);
    for (let p = -5; p < 3010; p++) {
      const found = c.seek(p, "eq");
      expect(found).toBe(present.has(p));
      if (found) expect(decodeRecord(c.payload())[0]).toBe(p);
    }
    // Backwards and jumping, to leave the leaf now and then.
    for (let p = 3005; p > -5; p -= 7) expect(c.seek(p, "eq")).toBe(present.has(p));
  });

  it("an insert after a failed eq seek inside the current leaf lands in order", () => {
    const { tx, root, rowids } = sparseTable();
    const c = tx.openTable(root);
    const all = new Set(rowids);
    for (let p = 1; p < 3000; p += 3) {
      expect(c.seek(p - 1, "eq")).toBe(true);
      expect(c.seek(p, "eq")).toBe(false);
      c.insert(p, encodeRecord([p]));
      all.add(p);
    }
    const seen: number[] = [];
    for (let ok = c.first(); ok; ok = c.next()) seen.push(c.rowid() as number);
    expect(seen).toEqual([...all].sort((a, b) => a - b));
  });

  it("an insert after a failed eq seek and then a found one (in the same leaf) still lands in order", () => {
    const { tx, root, rowids } = sparseTable();
    const c = tx.openTable(root);
    const all = new Set(rowids);
    for (let p = 2; p < 3000; p += 3) {
      expect(c.seek(p, "eq")).toBe(false);
      expect(c.seek(p - 2, "eq")).toBe(true);
      c.insert(p, encodeRecord([p]));
      all.add(p);
    }
    const seen: number[] = [];
    for (let ok = c.first(); ok; ok = c.next()) seen.push(c.rowid() as number);
    expect(seen).toEqual([...all].sort((a, b) => a - b));
  });

  it("forEachFromHere visits the rows in order, and goes on correctly when another cursor changes the tree mid-walk", () => {
    const { tx, root, rowids } = sparseTable();
    const walker = tx.openTable(root);
    const writer = tx.openTable(root);
    const visited: number[] = [];
    walker.first();
    const complete = walker.forEachFromHere((rowid, rec) => {
      expect(rec.column(0)).toBe(rowid);
      visited.push(rowid as number);
      // Ahead of the walk: delete the next row and insert one after it (seen, since it sorts later).
      if (rowid === 300) {
        writer.seek(303, "eq");
        writer.delete();
        writer.insert(304, encodeRecord([304]));
      }
      return true;
    });
    expect(complete).toBe(true);
    const want = rowids.filter((id) => id !== 303);
    want.splice(want.indexOf(306), 0, 304);
    expect(visited).toEqual(want);
    // Stopping early reports it.
    walker.seek(1500, "ge");
    let n = 0;
    expect(walker.forEachFromHere(() => ++n < 5)).toBe(false);
    expect(n).toBe(5);
  });
});
