// End to end in workerd: a database written through the pager and B-tree into
// DurableObjectPageStore survives Durable Object restarts, and a ~50 MB
// database reads back in full, row by row, through a 4 MB page cache.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DurableObjectPageStore } from "../../../src/durable-object/do-page-store.js";
import { BtreeDatabase, encodeRecord, SCHEMA_ROOT } from "../../../src/engine/btree/index.js";
import { createSchema, deleteRows, readRows, rowFor, upsertRows, type Row } from "../../engine/stores/btree-workload.js";
import { range } from "../../engine/stores/page-images.js";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));
const inObject = <R>(name: string, fn: (storage: DurableObjectStorage) => R): Promise<R> =>
  runInDurableObject(stubFor(name), (_instance: object, state) => fn(state.storage));

describe("DurableObjectPageStore with the pager and B-tree", () => {
  it("keeps a database across Durable Object restarts", async () => {
    const name = "e2e-restarts";
    const expected = await inObject(name, (storage) => {
      const db = BtreeDatabase.open(new DurableObjectPageStore(storage), { pageSize: 16384 });
      createSchema(db);
      const model = new Map<number, Row>();
      for (const ids of [range(1, 400), range(401, 900)]) {
        const rows = ids.map((id) => rowFor(id, 1));
        upsertRows(db, rows);
        for (const row of rows) model.set(row.id, row);
      }
      deleteRows(db, range(100, 300));
      for (const id of range(100, 300)) model.delete(id);
      return [...model.values()].sort((a, b) => a.id - b.id);
    });

    await evictDurableObject(stubFor(name));
    const afterRestart = await inObject(name, (storage) => {
      const db = BtreeDatabase.open(new DurableObjectPageStore(storage));
      expect(db.pageSize).toBe(16384);
      const rows = readRows(db);
      const updates = range(850, 950).map((id) => rowFor(id, 2));
      upsertRows(db, updates);
      return { rows, updates };
    });
    expect(afterRestart.rows).toEqual(expected);

    await evictDurableObject(stubFor(name));
    const final = await inObject(name, (storage) => readRows(BtreeDatabase.open(new DurableObjectPageStore(storage))));
    const model = new Map(expected.map((row) => [row.id, row]));
    for (const row of afterRestart.updates) model.set(row.id, row);
    expect(final).toEqual([...model.values()].sort((a, b) => a.id - b.id));
  });

  it("reads a ~50 MB database back in full through a 4 MB page cache", async () => {
    const name = "e2e-50mb";
    const ROWS = 256;
    const BODY_BYTES = 200 * 1024;
    const CACHE_BYTES = 4 * 1024 * 1024;
    const bodyOf = (id: number) => `<row ${id}>`.padEnd(64, ".").repeat(BODY_BYTES / 64);

    const databaseBytes = await inObject(name, (storage) => {
      const store = new DurableObjectPageStore(storage);
      const db = BtreeDatabase.open(store, { pageSize: 4096, cacheBytes: CACHE_BYTES });
      const tx = db.beginWrite();
      const root = tx.createTree("table");
      tx.openTable(SCHEMA_ROOT).insert(1, encodeRecord(["table", "big", "big", root, "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)"]));
      tx.commit();
      for (let first = 1; first <= ROWS; first += 32) {
        const batch = db.beginWrite();
        const table = batch.openTable(root);
        for (let id = first; id < first + 32; id++) table.insert(id, encodeRecord([null, bodyOf(id)]));
        batch.commit();
      }
      return store.pageCount() * 4096;
    });
    expect(databaseBytes).toBeGreaterThan(50_000_000);

    await evictDurableObject(stubFor(name));
    const result = await inObject(name, (storage) => {
      const db = BtreeDatabase.open(new DurableObjectPageStore(storage), { cacheBytes: CACHE_BYTES });
      const tx = db.beginRead();
      const schema = tx.openTable(SCHEMA_ROOT);
      expect(schema.first()).toBe(true);
      const table = tx.openTable(schema.record().column(3) as number);
      schema.close();
      let rows = 0;
      let wrong = 0;
      let maxCachedPages = 0;
      for (let ok = table.first(); ok; ok = table.next()) {
        const id = Number(table.rowid());
        if (table.record().column(1) !== bodyOf(id) || id !== rows + 1) wrong++;
        rows++;
        maxCachedPages = Math.max(maxCachedPages, db.pager.stats().cachedPages);
      }
      tx.end();
      return { rows, wrong, maxCachedPages, capacity: db.pager.stats().cacheCapacityPages };
    });
    expect(result.rows).toBe(ROWS);
    expect(result.wrong).toBe(0);
    expect(result.capacity * 4096).toBeLessThanOrEqual(CACHE_BYTES);
    expect(result.maxCachedPages).toBeLessThanOrEqual(result.capacity);
  });
});
