// Reading stored rows back as column values, for both table layouts: a
// rowid table's records (the INTEGER PRIMARY KEY reads the rowid) and a
// WITHOUT ROWID table's records (PRIMARY KEY columns first). Columns a record
// lacks (added by ALTER TABLE ADD COLUMN after it was written) read as their
// DEFAULT. VIRTUAL generated columns have no place in a rowid table's records
// and read as NULL here: a writer's fillVirtual computes them.
import type { ReadTransaction, RecordReader } from "../btree/index.js";
import { storedColumnPositions } from "../plan/generated-columns.js";
import type { Table } from "../schema/schema.js";
import { primaryKeyIndex, recordPositions } from "../schema/without-rowid.js";
import type { SqlValue } from "../value/types.js";
import { shortRecordDefaults } from "./alter-defaults.js";
import type { RowKey } from "./row-writer.js";
import { entryComparator } from "./without-rowid-keys.js";

/** Decodes a WITHOUT ROWID table's record into values by column. */
export function withoutRowidDecoder(table: Table): (record: RecordReader) => SqlValue[] {
  const positions = recordPositions(table);
  const defaults = shortRecordDefaults(table);
  return (r) => {
    const out = new Array<SqlValue>(positions.length);
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i];
      out[i] = p < r.columnCount ? r.column(p) : defaults !== null ? defaults[i] : null;
    }
    return out;
  };
}

/** Calls `visit` with every row of the table, in key order, with its key. */
export function forEachStoredRow(tx: ReadTransaction, table: Table, visit: (values: SqlValue[], key: RowKey) => void): void {
  if (table.withoutRowid) {
    const pk = primaryKeyIndex(table);
    const decode = withoutRowidDecoder(table);
    const keyColumns = pk.columns.map((c) => c.column);
    const c = tx.openIndex(table.rootPage, entryComparator(table, pk));
    try {
      for (let ok = c.first(); ok; ok = c.next()) {
        const values = decode(c.record());
        visit(values, keyColumns.map((k) => values[k]));
      }
    } finally {
      c.close();
    }
    return;
  }
  const defaults = shortRecordDefaults(table);
  const n = table.columns.length;
  const positions = storedColumnPositions(table);
  const c = tx.openTable(table.rootPage);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      const rowid = c.rowid();
      const values = new Array<SqlValue>(n);
      for (let i = 0; i < n; i++) {
        const p = positions[i];
        values[i] = i === table.rowidAlias ? rowid : p < 0 ? null : defaults !== null && p >= r.columnCount ? defaults[i] : r.column(p);
      }
      visit(values, rowid);
    }
  } finally {
    c.close();
  }
}
