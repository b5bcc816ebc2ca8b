// The net effect of a transaction's B-tree row operations (the RowOp log):
// for each table B-tree key, the record it ends with (or its deletion), and
// for each index entry, whether it ends present. This is what a BEGIN
// CONCURRENT commit validates against other commits and replays onto the
// latest state; order between different keys does not matter in a B-tree.
import { decodeRecord, encodeRecord, type RowOp } from "../btree/index.js";
import type { Index, Schema } from "../schema/schema.js";
import { primaryKeyIndex } from "../schema/without-rowid.js";
import type { SqlValue } from "../value/types.js";

export type Rowid = number | bigint;

/** What names a row for conflict detection: its rowid, or (WITHOUT ROWID tables) its PRIMARY KEY as a string. */
export type RowKey = Rowid | string;

/**
 * How a commit's writes name rows, from the schema: trees whose writes are
 * merged at commit instead of conflict-checked (sqlite_sequence), and the
 * WITHOUT ROWID tables, whose rows live in index B-trees and are named by
 * their PRIMARY KEY.
 */
export interface KeyPolicy {
  exempt: ReadonlySet<number>;
  keyed: ReadonlyMap<number, Index>;
}

export function keyPolicy(schema: Schema): KeyPolicy {
  const exempt = new Set<number>();
  const keyed = new Map<number, Index>();
  const sequence = schema.table("sqlite_sequence");
  if (sequence) exempt.add(sequence.rootPage);
  for (const table of schema.allTables()) if (table.withoutRowid) keyed.set(table.rootPage, primaryKeyIndex(table));
  return { exempt, keyed };
}


export interface IndexEntryWrite {
  key: Uint8Array;
  present: boolean;
}

/** Per tree: which rows a commit wrote (inserted, updated or deleted). */
export type WrittenKeys = Map<number, Set<RowKey>>;

export class RowWrites {
  /** Table trees: rowid → final record, or null when deleted. */
  readonly tables = new Map<number, Map<Rowid, Uint8Array | null>>();
  /** Index trees: entry bytes (as a string key) → final presence. */
  readonly indexes = new Map<number, Map<string, IndexEntryWrite>>();

  static fold(ops: readonly RowOp[]): RowWrites {
    const out = new RowWrites();
    for (const op of ops) {
      if (op.index) {
        let tree = out.indexes.get(op.tree);
        if (tree === undefined) out.indexes.set(op.tree, (tree = new Map()));
        tree.set(bytesKey(op.key), { key: op.key, present: op.present });
      } else {
        let tree = out.tables.get(op.tree);
        if (tree === undefined) out.tables.set(op.tree, (tree = new Map()));
        tree.set(op.rowid, op.record);
      }
    }
    return out;
  }

  get isEmpty(): boolean {
    return this.tables.size === 0 && this.indexes.size === 0;
  }

  /** The rows written, by tree, as `policy` names them (exempt trees left out). */
  writtenKeys(policy: KeyPolicy): WrittenKeys {
    const out: WrittenKeys = new Map();
    for (const [tree, rows] of this.tables) if (!policy.exempt.has(tree)) out.set(tree, new Set(rows.keys()));
    for (const [tree, entries] of this.indexes) {
      const pk = policy.keyed.get(tree);
      if (!pk) continue;
      const keys = new Set<RowKey>();
      for (const entry of entries.values()) keys.add(primaryKeyName(pk, decodeRecord(entry.key)));
      out.set(tree, keys);
    }
    return out;
  }
}

/**
 * A WITHOUT ROWID row's name: its PRIMARY KEY values, folded by their
 * collations (under NOCASE, keys "a" and "A" are one row), encoded as a record.
 */
function primaryKeyName(pk: Index, entry: readonly SqlValue[]): string {
  const values = pk.columns.map((c, i) => {
    const v = entry[i];
    if (typeof v !== "string") return v;
    const collation = c.collation.toUpperCase();
    if (collation === "NOCASE") return v.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
    if (collation === "RTRIM") return v.replace(/ +$/, "");
    return v;
  });
  return bytesKey(encodeRecord(values));
}

/** Index entry bytes as a Map key (one char per byte). */
function bytesKey(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}
