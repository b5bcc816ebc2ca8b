// A small database written through the real pager and B-tree, for end-to-end
// store tests in Node and in workerd: table t (id INTEGER PRIMARY KEY, n
// INTEGER, body TEXT) with an index on n, registered in sqlite_schema as real
// SQLite expects, rows derived from (id, version) with some bodies long enough
// to need overflow pages. Platform-neutral.
import {
  BtreeDatabase,
  encodeRecord,
  SCHEMA_ROOT,
  type IndexKeyComparator,
  type WriteTransaction,
} from "../../../src/engine/btree/index.js";

export const TABLE_SQL = "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, body TEXT)";
export const INDEX_SQL = "CREATE INDEX t_n ON t (n)";

export interface Row {
  id: number;
  n: number;
  body: string;
}

/** Index t_n keys are (n, rowid), both integers. */
const integerKeys: IndexKeyComparator = (cell, probe) => {
  for (let i = 0; i < probe.length; i++) {
    const a = cell.column(i) as number;
    const b = probe[i] as number;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
};

/** Row `id` as written by `version`; every 17th body spills onto overflow pages. */
export function rowFor(id: number, version: number, longBodyBytes = 6000): Row {
  const word = `v${version}-row${id};`;
  const length = id % 17 === 0 ? longBodyBytes : 40 + (id % 50);
  return { id, n: (id * 7919 + version) % 1000, body: word.repeat(Math.ceil(length / word.length)).slice(0, length) };
}

interface Roots {
  table: number;
  index: number;
}

function rootsOf(tx: WriteTransaction): Roots {
  const schema = tx.openTable(SCHEMA_ROOT);
  const roots: Partial<Roots> = {};
  for (let ok = schema.first(); ok; ok = schema.next()) {
    const record = schema.record();
    if (record.column(1) === "t") roots.table = record.column(3) as number;
    if (record.column(1) === "t_n") roots.index = record.column(3) as number;
  }
  schema.close();
  if (roots.table === undefined || roots.index === undefined) throw new Error("schema rows missing");
  return roots as Roots;
}

/** Creates t and t_n in one commit. */
export function createSchema(db: BtreeDatabase): void {
  const tx = db.beginWrite();
  const table = tx.createTree("table");
  const index = tx.createTree("index");
  const schema = tx.openTable(SCHEMA_ROOT);
  schema.insert(1, encodeRecord(["table", "t", "t", table, TABLE_SQL]));
  schema.insert(2, encodeRecord(["index", "t_n", "t", index, INDEX_SQL]));
  schema.close();
  tx.setHeader("schemaCookie", tx.getHeader("schemaCookie") + 1);
  tx.commit();
}

/** Inserts or replaces rows (table and index) in one commit, or in `tx` if given (uncommitted). */
export function upsertRows(db: BtreeDatabase, rows: readonly Row[], open?: WriteTransaction): WriteTransaction {
  const tx = open ?? db.beginWrite();
  const roots = rootsOf(tx);
  const table = tx.openTable(roots.table);
  const index = tx.openIndex(roots.index, integerKeys);
  for (const row of rows) {
    if (table.seek(row.id, "eq")) {
      const old = table.record().column(1) as number;
      if (index.seek([old, row.id], "eq")) index.delete();
    }
    table.insert(row.id, encodeRecord([null, row.n, row.body]));
    index.insert(encodeRecord([row.n, row.id]));
  }
  table.close();
  index.close();
  if (!open) tx.commit();
  return tx;
}

/** Deletes rows by id (table and index) in one commit. */
export function deleteRows(db: BtreeDatabase, ids: readonly number[]): void {
  const tx = db.beginWrite();
  const roots = rootsOf(tx);
  const table = tx.openTable(roots.table);
  const index = tx.openIndex(roots.index, integerKeys);
  for (const id of ids) {
    if (!table.seek(id, "eq")) continue;
    const n = table.record().column(1) as number;
    table.delete();
    if (index.seek([n, id], "eq")) index.delete();
  }
  table.close();
  index.close();
  tx.commit();
}

/** Every row of t, in rowid order. */
export function readRows(db: BtreeDatabase): Row[] {
  const tx = db.beginRead();
  const schema = tx.openTable(SCHEMA_ROOT);
  let root = 0;
  for (let ok = schema.first(); ok; ok = schema.next()) {
    if (schema.record().column(1) === "t") root = schema.record().column(3) as number;
  }
  const rows: Row[] = [];
  const table = tx.openTable(root);
  for (let ok = table.first(); ok; ok = table.next()) {
    const record = table.record();
    rows.push({ id: Number(table.rowid()), n: record.column(1) as number, body: record.column(2) as string });
  }
  tx.end();
  return rows;
}
