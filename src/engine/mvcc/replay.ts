// Replaying a BEGIN CONCURRENT transaction onto the latest committed state.
//
// Precondition (checked by the caller): no commit since the transaction's
// snapshot wrote any table row it wrote, and the schema did not change. So
// for every key it wrote, the latest state still holds what its snapshot
// held, and applying its final rows and index entries there gives exactly
// its own effects on top of everyone else's. What the combination can still
// break is checked here, after applying: UNIQUE indexes (two transactions
// gave different rows the same key) and foreign keys (a child row
// referencing a parent another transaction deleted, or the reverse).
// sqlite_sequence is merged by table name (the larger sequence wins) rather
// than conflict-checked, so concurrent AUTOINCREMENT inserts do not conflict.
import { decodeRecord, encodeRecord, type WriteTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { shortRecordDefaults } from "../exec/alter-defaults.js";
import { childRows, fkError, parentExists, parentKey } from "../exec/foreign-key.js";
import { entryComparator } from "../exec/without-rowid-keys.js";
import { isTableTree } from "../schema/without-rowid.js";
import { uniqueConstraintError } from "../exec/table-writer.js";
import { storedColumnPositions } from "../plan/generated-columns.js";
import { foldName, type Index, type Schema, type Table } from "../schema/schema.js";
import { compareValues } from "../value/compare.js";
import type { SqlValue } from "../value/types.js";
import type { RowWrites, Rowid } from "./row-writes.js";

/** A conflict found while replaying: a key another commit took (SQLITE_BUSY_SNAPSHOT). */
export class ReplayConflict extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export interface ReplayOptions {
  /** Check foreign keys (the committing connection has PRAGMA foreign_keys on). */
  foreignKeys: boolean;
}

/** Applies `writes` to `target` (a write transaction on the latest state), then checks the combined state. */
export function replayRowWrites(target: WriteTransaction, writes: RowWrites, schema: Schema, options: ReplayOptions): void {
  const tables = new Map<number, Table>();
  const indexes = new Map<number, { table: Table; index: Index }>();
  for (const table of schema.allTables()) {
    tables.set(table.rootPage, table);
    for (const index of table.indexes) indexes.set(index.rootPage, { table, index });
  }
  const sequence = schema.table("sqlite_sequence");
  /** Rows as they were before the replay (the snapshot's rows), for the foreign-key parent checks. */
  const previous = new Map<number, Map<Rowid, Uint8Array | null>>();

  for (const [tree, rows] of writes.tables) {
    if (tree === sequence?.rootPage) {
      mergeSequence(target, tree, rows);
      continue;
    }
    const before = new Map<Rowid, Uint8Array | null>();
    previous.set(tree, before);
    const c = target.openTable(tree);
    try {
      for (const [rowid, record] of rows) {
        const existed = c.seek(rowid, "eq");
        before.set(rowid, existed ? c.payload().slice() : null);
        if (record !== null) c.insert(rowid, record);
        else if (existed) c.delete();
      }
    } finally {
      c.close();
    }
  }
  // Removals first: in a WITHOUT ROWID table's tree an entry is found by its PRIMARY KEY alone, so a
  // row's new entry must not go in before its old one is taken out.
  for (const present of [false, true]) {
    for (const [tree, entries] of writes.indexes) {
      const owner = indexes.get(tree);
      if (!owner) throw new SqliteError(`index tree ${tree} is not in the schema`, "SQLITE_CORRUPT");
      const c = target.openIndex(tree, entryComparator(owner.table, owner.index));
      try {
        for (const entry of entries.values()) {
          if (entry.present !== present) continue;
          if (present) c.insert(entry.key);
          else if (c.seek(decodeRecord(entry.key), "eq")) c.delete();
        }
      } finally {
        c.close();
      }
    }
  }

  for (const [tree, entries] of writes.indexes) {
    const { table, index } = indexes.get(tree)!;
    // A WITHOUT ROWID table's own tree holds one entry per key by construction; rows two transactions both wrote were a conflict already.
    if (index.unique && !isTableTree(table, index)) checkUnique(target, table, index, [...entries.values()].filter((e) => e.present).map((e) => e.key));
  }
  if (options.foreignKeys) checkForeignKeys(target, schema, tables, writes, previous);
}

/** Every added entry's indexed values must not be held by another row (the entry's tail, rowid or PRIMARY KEY, names the row). */
function checkUnique(target: WriteTransaction, table: Table, index: Index, added: Uint8Array[]): void {
  const compare = entryComparator(table, index);
  const n = index.columns.length;
  const c = target.openIndex(index.rootPage, compare);
  try {
    for (const bytes of added) {
      const full = decodeRecord(bytes);
      const key = full.slice(0, n);
      if (key.includes(null)) continue;
      for (let ok = c.seek(key, "eq"); ok; ok = c.next()) {
        const rec = c.record();
        if (compare(rec, key) !== 0) break;
        if (compare(rec, full) === 0) continue;
        // Two rows with one primary key are the same row written twice: a conflict, retried by the client.
        if (index.origin === "pk") throw new ReplayConflict(`primary key of ${table.name} written by another transaction`);
        throw uniqueConstraintError(table, index);
      }
    }
  } finally {
    c.close();
  }
}

function rowValues(table: Table, rowid: Rowid, record: Uint8Array): SqlValue[] {
  const stored = decodeRecord(record);
  const defaults = shortRecordDefaults(table);
  const values: SqlValue[] = new Array(table.columns.length);
  // VIRTUAL generated columns have no place in records (read as NULL here: replay checks need stored keys only).
  const positions = storedColumnPositions(table);
  for (let i = 0; i < values.length; i++) {
    const p = positions[i];
    values[i] = i === table.rowidAlias ? rowid : p < 0 ? null : p < stored.length ? stored[p] : defaults !== null ? defaults[i] : null;
  }
  return values;
}

function checkForeignKeys(
  target: WriteTransaction,
  schema: Schema,
  tables: Map<number, Table>,
  writes: RowWrites,
  previous: Map<number, Map<Rowid, Uint8Array | null>>,
): void {
  for (const [tree, rows] of writes.tables) {
    const table = tables.get(tree);
    if (!table) continue;
    // Rows this transaction wrote must reference existing parents.
    for (const fk of table.foreignKeys) {
      const pk = parentKey(schema, table, fk);
      for (const [rowid, record] of rows) {
        if (record === null) continue;
        const values = rowValues(table, rowid, record);
        const key = fk.columns.map((c) => values[c]);
        if (key.includes(null)) continue;
        if (!parentExists(target, pk, key)) throw fkError();
      }
    }
    // Parent keys this transaction removed must not be referenced any more.
    const before = previous.get(tree);
    if (!before) continue;
    for (const child of schema.allTables()) {
      for (const fk of child.foreignKeys) {
        if (foldName(fk.parentTable) !== foldName(table.name)) continue;
        const pk = parentKey(schema, child, fk);
        for (const [rowid, old] of before) {
          if (old === null) continue;
          const oldValues = rowValues(table, rowid, old);
          const key = pk.columns.map((c) => oldValues[c]);
          if (key.includes(null)) continue;
          const now = rows.get(rowid);
          if (now != null) {
            const newValues = rowValues(table, rowid, now);
            if (pk.columns.every((c, i) => compareValues(newValues[c], key[i]) === 0)) continue;
          }
          if (parentExists(target, pk, key)) continue;
          if (childRows(target, child, fk, key).length > 0) throw fkError();
        }
      }
    }
  }
}

/** sqlite_sequence rows by table name: the larger sequence wins; a row new to the latest state is appended. */
function mergeSequence(target: WriteTransaction, tree: number, rows: Map<Rowid, Uint8Array | null>): void {
  const c = target.openTable(tree);
  try {
    for (const record of rows.values()) {
      if (record === null) continue;
      const [name, seq] = decodeRecord(record);
      let found = false;
      for (let ok = c.first(); ok; ok = c.next()) {
        const r = c.record();
        if (r.column(0) !== name) continue;
        found = true;
        const current = r.column(1);
        if (compareValues(seq, current) > 0) c.insert(c.rowid(), encodeRecord([name, seq]));
        break;
      }
      if (!found) {
        const last = c.last() ? c.rowid() : 0;
        c.insert(typeof last === "bigint" ? last + 1n : last + 1, encodeRecord([name, seq]));
      }
    }
  } finally {
    c.close();
  }
}
