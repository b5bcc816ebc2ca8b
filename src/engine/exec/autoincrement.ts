// AUTOINCREMENT bookkeeping in sqlite_sequence(name, seq): the largest rowid
// ever used per table, so rowids are never reused even after deletes.
import { encodeRecord, type WriteTransaction } from "../btree/index.js";
import { foldName, type Schema } from "../schema/schema.js";

function sequenceRoot(schema: Schema): number {
  const t = schema.table("sqlite_sequence");
  if (!t) throw new Error("sqlite_sequence is missing although a table uses AUTOINCREMENT");
  return t.rootPage;
}

/** The table's recorded sequence value (0 when it has none yet). */
export function readSequence(tx: WriteTransaction, schema: Schema, table: string): number | bigint {
  const c = tx.openTable(sequenceRoot(schema));
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      if (typeof r.column(0) === "string" && foldName(r.column(0) as string) === foldName(table)) {
        const v = r.column(1);
        return typeof v === "number" || typeof v === "bigint" ? v : 0;
      }
    }
    return 0;
  } finally {
    c.close();
  }
}

/** Records `seq` as the table's sequence value, adding its row on first use. */
export function writeSequence(tx: WriteTransaction, schema: Schema, table: string, seq: number | bigint): void {
  const c = tx.openTable(sequenceRoot(schema));
  try {
    let last: number | bigint = 0;
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      last = c.rowid();
      if (typeof r.column(0) === "string" && foldName(r.column(0) as string) === foldName(table)) {
        c.insert(c.rowid(), encodeRecord([r.column(0), seq]));
        return;
      }
    }
    c.insert(typeof last === "bigint" ? last + 1n : last + 1, encodeRecord([table, seq]));
  } finally {
    c.close();
  }
}

/** DROP TABLE of an AUTOINCREMENT table removes its sqlite_sequence row (matched exactly, as SQLite does). */
export function deleteSequence(tx: WriteTransaction, schema: Schema, table: string): void {
  const c = tx.openTable(sequenceRoot(schema));
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      if (c.record().column(0) !== table) continue;
      c.delete();
      return;
    }
  } finally {
    c.close();
  }
}
