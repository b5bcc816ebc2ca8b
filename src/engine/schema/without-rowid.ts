// The storage layout of WITHOUT ROWID tables, as SQLite's file format defines
// it: the table is an index B-tree whose entries are records of the PRIMARY
// KEY columns followed by the remaining columns in declared order, ordered
// by the PRIMARY KEY columns alone (their collations and ASC/DESC). A
// secondary index holds its own columns followed by the PRIMARY KEY columns
// it does not already hold under the same collation, in place of a rowid.
//
// The PRIMARY KEY appears in Table.indexes as the index whose root page is
// the table's own (SQLite lists it as sqlite_autoindex_<table>_<n> in PRAGMA
// index_list, but stores no sqlite_schema row for it).
import type { Index, IndexColumn, Table } from "./schema.js";

/** The PRIMARY KEY index of a WITHOUT ROWID table: the table's own B-tree. */
export function primaryKeyIndex(table: Table): Index {
  const index = table.indexes.find((ix) => isTableTree(table, ix));
  if (!index) throw new Error(`WITHOUT ROWID table ${table.name} has no PRIMARY KEY index`);
  return index;
}

/** Whether `index` is the table's own B-tree (the PRIMARY KEY of a WITHOUT ROWID table), not a separate index. */
export function isTableTree(table: Table, index: Index): boolean {
  return table.withoutRowid && index.origin === "pk";
}

/** Columns in the order the table's records store them: the PRIMARY KEY's, then the others in declared order. */
export function storageOrder(table: Table): number[] {
  const key = primaryKeyIndex(table).columns.map((c) => c.column);
  return [...key, ...table.columns.map((_, i) => i).filter((i) => !key.includes(i))];
}

/** Per table column, its position in the table's records. */
export function recordPositions(table: Table): number[] {
  const positions = new Array<number>(table.columns.length);
  storageOrder(table).forEach((column, position) => (positions[column] = position));
  return positions;
}

/** The PRIMARY KEY columns a secondary index appends after its own columns (those it lacks under the same collation). */
export function keyTail(table: Table, index: Index): IndexColumn[] {
  return primaryKeyIndex(table).columns.filter((pk) => !index.columns.some((c) => c.column === pk.column && c.collation === pk.collation));
}

/**
 * Where each PRIMARY KEY column (in key order) sits in an entry of `index`:
 * in the index's own columns, or in the appended tail.
 */
export function keyPositionsInIndex(table: Table, index: Index): number[] {
  const tail = keyTail(table, index);
  return primaryKeyIndex(table).columns.map((pk) => {
    const own = index.columns.findIndex((c) => c.column === pk.column && c.collation === pk.collation);
    return own >= 0 ? own : index.columns.length + tail.indexOf(pk);
  });
}
