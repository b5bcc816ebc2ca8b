// Entry order of the B-trees that make up a WITHOUT ROWID table: its own
// tree ordered by the PRIMARY KEY columns (collations, ASC/DESC), and each
// secondary index ordered by its columns and then the PRIMARY KEY columns it
// appends (SQLite sorts those under their own collation and direction too).
import type { IndexKeyComparator } from "../btree/index.js";
import type { Index, IndexColumn, Table } from "../schema/schema.js";
import { isTableTree, keyTail, primaryKeyIndex } from "../schema/without-rowid.js";
import { compareValues } from "../value/compare.js";
import type { SqlValue } from "../value/types.js";
import { collationByName } from "../plan/expr-type.js";
import { indexComparator } from "./index-key.js";

/** Orders cells against a probe (any prefix of the key columns); columns past the key (the table's other columns) never take part. */
function keyComparator(columns: IndexColumn[]): IndexKeyComparator {
  const colls = columns.map((c) => collationByName(c.collation));
  const desc = columns.map((c) => c.desc);
  const n = columns.length;
  return (cell, probe) => {
    const m = probe.length < n ? probe.length : n;
    for (let i = 0; i < m; i++) {
      const c = compareValues(cell.column(i), probe[i], colls[i]);
      if (c !== 0) return desc[i] ? -c : c;
    }
    return 0;
  };
}

/** The comparator for the entries of `index` (for a WITHOUT ROWID table, the table's own tree included). */
export function entryComparator(table: Table, index: Index): IndexKeyComparator {
  if (!table.withoutRowid) return indexComparator(index);
  if (isTableTree(table, index)) return keyComparator(primaryKeyIndex(table).columns);
  return keyComparator([...index.columns, ...keyTail(table, index)]);
}

/** Orders two PRIMARY KEY value lists as the table's tree orders its rows. */
export function primaryKeyOrder(table: Table): (a: readonly SqlValue[], b: readonly SqlValue[]) => number {
  const columns = primaryKeyIndex(table).columns;
  const colls = columns.map((c) => collationByName(c.collation));
  return (a, b) => {
    for (let i = 0; i < columns.length; i++) {
      const c = compareValues(a[i], b[i], colls[i]);
      if (c !== 0) return columns[i].desc ? -c : c;
    }
    return 0;
  };
}
