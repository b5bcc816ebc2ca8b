// The net effect of a transaction's B-tree row operations (the RowOp log):
// for each table B-tree key, the record it ends with (or its deletion), and
// for each index entry, whether it ends present. This is what a BEGIN
// CONCURRENT commit validates against other commits and replays onto the
// latest state; order between different keys does not matter in a B-tree.
import type { RowOp } from "../btree/index.js";

export type Rowid = number | bigint;

export interface IndexEntryWrite {
  key: Uint8Array;
  present: boolean;
}

/** Per tree: which rowids a commit wrote (inserted, updated or deleted). */
export type WrittenKeys = Map<number, Set<Rowid>>;

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

  /** The table keys written, leaving out trees in `exempt` (merged rather than conflict-checked). */
  writtenKeys(exempt: ReadonlySet<number>): WrittenKeys {
    const out: WrittenKeys = new Map();
    for (const [tree, rows] of this.tables) if (!exempt.has(tree)) out.set(tree, new Set(rows.keys()));
    return out;
  }
}

/** Index entry bytes as a Map key (one char per byte). */
function bytesKey(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}
