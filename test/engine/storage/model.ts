// A two-table, two-index database driven in lockstep with a plain in-memory
// model, for property tests: t1(a, b) with index i1(a), t2(x) with index i2(x).
// Index entries are (column, rowid) as SQLite builds them, so sql.js's own
// integrity_check can cross-check the files we write.
import { expect } from "vitest";
import {
  BtreeDatabase,
  checkIntegrity,
  decodeRecord,
  encodeRecord,
  type WriteTransaction,
} from "../../../src/engine/btree/index.js";
import type { SqlValue } from "../../../src/engine/value/types.js";
import { binaryComparator, compareRows } from "./helpers.js";

export interface Roots {
  t1: number;
  i1: number;
  t2: number;
  i2: number;
}

export class ModelTable {
  readonly rows = new Map<number, SqlValue[]>();
  private readonly keys: number[] = [];
  private readonly pos = new Map<number, number>();

  set(rowid: number, row: SqlValue[]): SqlValue[] | undefined {
    const old = this.rows.get(rowid);
    if (old === undefined) {
      this.pos.set(rowid, this.keys.length);
      this.keys.push(rowid);
    }
    this.rows.set(rowid, row);
    return old;
  }

  delete(rowid: number): void {
    const i = this.pos.get(rowid)!;
    const last = this.keys.pop()!;
    if (last !== rowid) {
      this.keys[i] = last;
      this.pos.set(last, i);
    }
    this.pos.delete(rowid);
    this.rows.delete(rowid);
  }

  pick(r: number): number | undefined {
    return this.keys.length === 0 ? undefined : this.keys[Math.floor(r * this.keys.length)];
  }

  get size(): number {
    return this.keys.length;
  }
}

/** A plain assertion for hot loops (vitest's expect is too slow to call per row). */
function must(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

export function createSchema(tx: WriteTransaction): Roots {
  const roots = { t1: tx.createTree("table"), i1: tx.createTree("index"), t2: tx.createTree("table"), i2: tx.createTree("index") };
  const schema = tx.openTable(1);
  schema.insert(1, encodeRecord(["table", "t1", "t1", roots.t1, "CREATE TABLE t1(a,b)"]));
  schema.insert(2, encodeRecord(["index", "i1", "t1", roots.i1, "CREATE INDEX i1 ON t1(a)"]));
  schema.insert(3, encodeRecord(["table", "t2", "t2", roots.t2, "CREATE TABLE t2(x)"]));
  schema.insert(4, encodeRecord(["index", "i2", "t2", roots.i2, "CREATE INDEX i2 ON t2(x)"]));
  schema.close();
  tx.setHeader("schemaCookie", 1);
  return roots;
}

/** Inserts or replaces a row and keeps the table's index in step (model too). */
export function putRow(tx: WriteTransaction, table: number, index: number, model: ModelTable, rowid: number, row: SqlValue[]): void {
  const old = model.set(rowid, row);
  const ic = tx.openIndex(index, binaryComparator);
  if (old !== undefined) {
    must(ic.seek([old[0], rowid], "eq"), `index entry for ${rowid} missing`);
    ic.delete();
  }
  ic.insert(encodeRecord([row[0], rowid]));
  ic.close();
  const tc = tx.openTable(table);
  tc.insert(rowid, encodeRecord(row));
  tc.close();
}

export function deleteRow(tx: WriteTransaction, table: number, index: number, model: ModelTable, rowid: number): void {
  const old = model.rows.get(rowid)!;
  model.delete(rowid);
  const tc = tx.openTable(table);
  must(tc.seek(rowid, "eq"), `row ${rowid} missing`);
  tc.delete();
  tc.close();
  const ic = tx.openIndex(index, binaryComparator);
  must(ic.seek([old[0], rowid], "eq"), `index entry for ${rowid} missing`);
  ic.delete();
  ic.close();
}

/** Contents of every tree equal the model, and the file passes checkIntegrity. */
export function verify(db: BtreeDatabase, roots: Roots, t1: ModelTable, t2: ModelTable): void {
  const rt = db.beginRead();
  try {
    for (const [root, index, model] of [
      [roots.t1, roots.i1, t1],
      [roots.t2, roots.i2, t2],
    ] as const) {
      const c = rt.openTable(root);
      const expectedIds = [...model.rows.keys()].sort((a, b) => a - b);
      let k = 0;
      for (let ok = c.first(); ok; ok = c.next(), k++) {
        const id = c.rowid() as number;
        if (id !== expectedIds[k]) expect(id).toBe(expectedIds[k]);
        const row = decodeRecord(c.payload());
        const want = model.rows.get(id);
        if (compareRows(row, want!) !== 0) expect(row).toEqual(want);
      }
      expect(k).toBe(expectedIds.length);
      const entries = [...model.rows].map(([id, row]) => [row[0], id] as SqlValue[]).sort(compareRows);
      const ic = rt.openIndex(index, binaryComparator);
      let j = 0;
      for (let ok = ic.first(); ok; ok = ic.next(), j++) {
        const key = decodeRecord(ic.key());
        if (compareRows(key, entries[j]) !== 0) expect(key).toEqual(entries[j]);
      }
      expect(j).toBe(entries.length);
    }
    const report = checkIntegrity(rt, { comparatorFor: () => binaryComparator });
    expect(report.errors).toEqual([]);
  } finally {
    rt.end();
  }
}
