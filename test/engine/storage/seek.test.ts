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
