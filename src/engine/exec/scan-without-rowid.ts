// Reading WITHOUT ROWID tables in FROM-clause loops: walking the table's own
// tree (full scans, and ORDER BY on the PRIMARY KEY), and turning an entry of
// a secondary index into the row it names by looking its PRIMARY KEY values
// up in the table's tree. Rows reach the source's slot fully decoded.
import type { IndexCursor, ReadTransaction, RecordReader } from "../btree/index.js";
import type { Index, Table } from "../schema/schema.js";
import { isTableTree, keyPositionsInIndex, primaryKeyIndex } from "../schema/without-rowid.js";
import { realValue, type SqlValue } from "../value/types.js";
import { cursorFor } from "./cursor-cache.js";
import { withoutRowidDecoder } from "./stored-rows.js";
import type { TableRowSlot } from "./table-slot.js";
import { entryComparator } from "./without-rowid-keys.js";

/** Positions a source's slot on the row an index entry names: begin once per loop run, then once per entry (false: no such row). */
export interface EntryPositioner {
  begin(t: ReadTransaction): void;
  position(entry: RecordReader): boolean;
}

/** Decodes a table record for reading: REAL columns read integral values stored as integers as REAL, as SQLite stores them. */
function rowDecoder(table: Table): (record: RecordReader) => SqlValue[] {
  const decode = withoutRowidDecoder(table);
  const real = table.columns.flatMap((c, i) => (c.affinity === "real" ? [i] : []));
  if (real.length === 0) return decode;
  return (record) => {
    const values = decode(record);
    for (const i of real) {
      const v = values[i];
      if (typeof v === "bigint") values[i] = Number(v);
      else if (typeof v === "number" && Number.isSafeInteger(v)) values[i] = realValue(v);
    }
    return values;
  };
}

/** The positioner for entries of `index` (the table's own tree, or a secondary index) of a WITHOUT ROWID table. */
export function withoutRowidPositioner(table: Table, slot: TableRowSlot, index: Index): EntryPositioner {
  const decode = rowDecoder(table);
  if (isTableTree(table, index)) {
    return {
      begin() {},
      position(entry) {
        slot.setValues(decode(entry), null);
        return true;
      },
    };
  }
  const keyPositions = keyPositionsInIndex(table, index);
  const probe = new Array<SqlValue>(keyPositions.length);
  const tree = cursorFor((t: ReadTransaction) => t.openIndex(table.rootPage, entryComparator(table, primaryKeyIndex(table))));
  let cursor: IndexCursor | null = null;
  return {
    begin(t) {
      cursor = tree(t);
    },
    position(entry) {
      for (let i = 0; i < keyPositions.length; i++) probe[i] = entry.column(keyPositions[i]);
      const c = cursor as IndexCursor;
      if (!c.seek(probe, "eq")) return false;
      slot.setValues(decode(c.record()), null);
      return true;
    },
  };
}

/** Walks every entry of `index` in order (ascending or descending), positioning the slot on each entry's row. */
export function withoutRowidWalk(table: Table, slot: TableRowSlot, index: Index, desc: boolean, tx: () => ReadTransaction): (row: () => boolean) => boolean {
  const positioner = withoutRowidPositioner(table, slot, index);
  const open = cursorFor((t: ReadTransaction) => t.openIndex(index.rootPage, entryComparator(table, index)));
  return (row) => {
    const t = tx();
    const c = open(t);
    positioner.begin(t);
    for (let ok = desc ? c.last() : c.first(); ok; ok = desc ? c.prev() : c.next()) {
      if (positioner.position(c.record()) && !row()) return false;
    }
    return true;
  };
}

/** Every row of the table, decoded (hash lookups build their table from these). */
export function withoutRowidRows(tx: ReadTransaction, table: Table): { rows: SqlValue[][]; rowids: SqlValue[] } {
  const decode = rowDecoder(table);
  const rows: SqlValue[][] = [];
  const c = tx.openIndex(table.rootPage, entryComparator(table, primaryKeyIndex(table)));
  try {
    for (let ok = c.first(); ok; ok = c.next()) rows.push(decode(c.record()));
  } finally {
    c.close();
  }
  return { rows, rowids: rows.map(() => null) };
}
