// Seeded random sequences of inserts, updates and deletes over several table
// and index trees in one file, checked against an in-memory model and the
// integrity checker after every batch, and against sql.js at the end.
import { describe, expect, it } from "vitest";
import initSqlJs from "sql.js";
import { BtreeDatabase, checkIntegrity } from "../../../src/engine/btree/index.js";
import { MemoryPageStore } from "../../../src/engine/pager/index.js";
import type { SqlValue } from "../../../src/engine/value/types.js";
import { binaryComparator, rng } from "./helpers.js";
import { createSchema, deleteRow, ModelTable, putRow, verify } from "./model.js";

function randomText(random: () => number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + Math.floor(random() * 26));
  return s;
}

/** Payload sizes from empty to multi-page. */
function randomPayload(random: () => number): SqlValue {
  const r = random();
  if (r < 0.5) return randomText(random, Math.floor(random() * 20));
  if (r < 0.8) return randomText(random, 50 + Math.floor(random() * 400));
  if (r < 0.95) return new Uint8Array(1000 + Math.floor(random() * 3000)).fill(7);
  return randomText(random, 5000 + Math.floor(random() * 15000));
}

function randomKey(random: () => number): SqlValue {
  const r = random();
  if (r < 0.1) return null;
  if (r < 0.5) return Math.floor(random() * 1000) - 500;
  if (r < 0.6) return random() * 100;
  if (r < 0.95) return randomText(random, 1 + Math.floor(random() * 12));
  return randomText(random, 300 + Math.floor(random() * 1500)); // index cells with overflow
}

async function sqlJsCheck(db: BtreeDatabase, t1: ModelTable, t2: ModelTable): Promise<void> {
  const SQL = await initSqlJs();
  const s = new SQL.Database(db.serialize());
  try {
    expect(s.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
    expect(s.exec("SELECT count(*) FROM t1")[0].values[0][0]).toBe(t1.size);
    expect(s.exec("SELECT count(*) FROM t2")[0].values[0][0]).toBe(t2.size);
  } finally {
    s.close();
  }
}

describe("B-tree property runs", () => {
  for (const [seed, pageSize, steps] of [
    [1, 512, 40],
    [2, 1024, 40],
    [3, 4096, 30],
    [4, 65536, 10],
  ] as const) {
    it(`random inserts/updates/deletes, seed ${seed}, page size ${pageSize}`, async () => {
      const random = rng(seed);
      const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize });
      let tx = db.beginWrite();
      const roots = createSchema(tx);
      tx.commit();
      const t1 = new ModelTable();
      const t2 = new ModelTable();
      let nextId = 1;
      for (let step = 0; step < steps; step++) {
        tx = db.beginWrite();
        // Phases: grow, churn, shrink, so trees split and then merge back.
        const phase = step / steps;
        const pInsert = phase < 0.4 ? 0.8 : phase < 0.7 ? 0.5 : 0.15;
        const ops = 20 + Math.floor(random() * 80);
        for (let k = 0; k < ops; k++) {
          const which = random() < 0.7;
          const [table, index, model] = which ? [roots.t1, roots.i1, t1] : [roots.t2, roots.i2, t2];
          const r = random();
          if (r < pInsert || model.size === 0) {
            const rowid = random() < 0.5 ? nextId++ : 1 + Math.floor(random() * 100000);
            putRow(tx, table, index, model, rowid, which ? [randomKey(random), randomPayload(random)] : [randomKey(random)]);
          } else if (r < pInsert + (1 - pInsert) / 4) {
            const rowid = model.pick(random())!;
            putRow(tx, table, index, model, rowid, which ? [randomKey(random), randomPayload(random)] : [randomKey(random)]);
          } else {
            deleteRow(tx, table, index, model, model.pick(random())!);
          }
        }
        tx.commit();
        verify(db, roots, t1, t2);
      }
      await sqlJsCheck(db, t1, t2);
    });
  }

  it("100k rows: sequential and random inserts, then deleting most, stay valid and reasonably full", async () => {
    const random = rng(42);
    const db = BtreeDatabase.open(new MemoryPageStore(), { pageSize: 4096 });
    let tx = db.beginWrite();
    const roots = createSchema(tx);
    tx.commit();
    const t1 = new ModelTable();
    const t2 = new ModelTable();
    for (let batch = 0; batch < 5; batch++) {
      tx = db.beginWrite();
      for (let k = 0; k < 20000; k++) {
        const rowid = batch < 3 ? batch * 20000 + k + 1 : 100000 + Math.floor(random() * 10_000_000);
        if (t1.rows.has(rowid)) continue;
        putRow(tx, roots.t1, roots.i1, t1, rowid, [Math.floor(random() * 1e6), randomText(random, 30)]);
      }
      tx.commit();
      if (batch % 2 === 0) verify(db, roots, t1, t2);
    }
    expect(t1.size).toBeGreaterThan(99000);
    let rt = db.beginRead();
    const full = checkIntegrity(rt, { comparatorFor: () => binaryComparator });
    rt.end();
    for (const tree of full.trees.filter((t) => t.pages > 10)) expect(tree.fill).toBeGreaterThan(0.6);
    tx = db.beginWrite();
    while (t1.size > 5000) deleteRow(tx, roots.t1, roots.i1, t1, t1.pick(random())!);
    tx.commit();
    verify(db, roots, t1, t2);
    rt = db.beginRead();
    const after = checkIntegrity(rt, { comparatorFor: () => binaryComparator });
    rt.end();
    for (const tree of after.trees.filter((t) => t.pages > 10)) expect(tree.fill).toBeGreaterThan(0.4);
    expect(after.freePages).toBeGreaterThan(0);
    await sqlJsCheck(db, t1, t2);
  });
});
