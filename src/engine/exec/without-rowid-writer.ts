// Row writes on a WITHOUT ROWID table: the row is one entry of the table's
// own index B-tree (PRIMARY KEY columns, then the others), found by its
// PRIMARY KEY; secondary indexes hold (indexed values..., PRIMARY KEY columns
// they lack). The same constraint pieces as rowid tables (RowConstraints),
// with PRIMARY KEY uniqueness judged under the key columns' collations.
//
// Invariant: after each successful insert/update/delete, every secondary
// index holds exactly one entry per row that satisfies its WHERE, the table
// tree holds one entry per PRIMARY KEY, and no UNIQUE index holds two entries
// with equal non-NULL keys.
import type { IndexCursor, IndexKeyComparator, WriteTransaction } from "../btree/index.js";
import { encodeRecord } from "../btree/index.js";
import type { RowCapture } from "../cdc/capture.js";
import type { Index, Table } from "../schema/schema.js";
import { isTableTree, keyPositionsInIndex, keyTail, primaryKeyIndex, storageOrder } from "../schema/without-rowid.js";
import { truthValue } from "../value/arith.js";
import { compareValues } from "../value/compare.js";
import type { Collation } from "../value/collation.js";
import { collationByName } from "../plan/expr-type.js";
import type { SqlValue } from "../value/types.js";
import type { Evaluator } from "./compile-expr.js";
import { cursorFor } from "./cursor-cache.js";
import { constraintFailure, RowConstraints, type Resolution, type TableExprs } from "./row-constraints.js";
import type { RowKey, RowWriter } from "./row-writer.js";
import { withoutRowidDecoder } from "./stored-rows.js";
import { entryComparator } from "./without-rowid-keys.js";

type Key = readonly SqlValue[];

/** Per secondary index: how its entries are built and read back. */
interface Secondary {
  index: Index;
  /** Position in Table.indexes (and in TableExprs.indexes). */
  at: number;
  compare: IndexKeyComparator;
  cursor: (tx: WriteTransaction) => IndexCursor;
  /** Table columns of the PRIMARY KEY values appended after the indexed ones. */
  tail: number[];
  /** Where each PRIMARY KEY column (key order) sits in an entry. */
  keyPositions: number[];
}

export class WithoutRowidWriter extends RowConstraints implements RowWriter {
  private readonly pk: Index;
  private readonly order: number[];
  private readonly compareKey: IndexKeyComparator;
  private readonly tree: (tx: WriteTransaction) => IndexCursor;
  private readonly secondaries: Secondary[];
  private readonly decode: ReturnType<typeof withoutRowidDecoder>;
  private readonly keyCollations: Collation[];
  /** UNIQUE checks in SQLite's order (newest index first): a secondary index's position, -1 for the PRIMARY KEY. */
  private readonly uniqueChecks: number[];

  constructor(
    table: Table,
    exprs: TableExprs,
    private readonly tx: () => WriteTransaction,
    maxValueLength: number,
    /** Change data capture of this table's row changes, when it is on. */
    private readonly capture: RowCapture | null = null,
  ) {
    super(table, exprs, maxValueLength);
    this.pk = primaryKeyIndex(table);
    this.order = storageOrder(table);
    this.compareKey = entryComparator(table, this.pk);
    this.tree = cursorFor((t: WriteTransaction) => t.openIndex(table.rootPage, this.compareKey));
    this.decode = withoutRowidDecoder(table);
    this.keyCollations = this.pk.columns.map((c) => collationByName(c.collation));
    this.secondaries = [];
    table.indexes.forEach((index, at) => {
      if (isTableTree(table, index)) return;
      const compare = entryComparator(table, index);
      this.secondaries.push({
        index,
        at,
        compare,
        cursor: cursorFor((t: WriteTransaction) => t.openIndex(index.rootPage, compare)),
        tail: keyTail(table, index).map((c) => c.column),
        keyPositions: keyPositionsInIndex(table, index),
      });
    });
    this.uniqueChecks = table.indexes
      .flatMap((index) => (isTableTree(table, index) ? [-1] : index.unique ? [this.secondaries.findIndex((s) => s.index === index)] : []))
      .reverse();
  }

  newRowKey(values: readonly SqlValue[]): RowKey {
    return this.pk.columns.map((c) => values[c.column]);
  }

  insert(
    values: SqlValue[],
    rowKey: RowKey,
    resolution: Resolution | null,
    onReplace: ((key: RowKey) => void) | null,
    excludeKey: RowKey | null = null,
    beforeWrite: (() => void) | null = null,
  ): { status: "written" | "ignored" } {
    const key = rowKey as Key;
    const exclude = excludeKey as Key | null;
    const tx = this.tx();
    const keys = this.indexKeys(values);
    // SQLite checks the newest index first (its index list is in reverse creation order), the
    // PRIMARY KEY among them, and leaves those that resolve by REPLACE until the others pass.
    const order = [...this.uniqueChecks].sort((x, y) => Number(this.actionOf(x, resolution) === "REPLACE") - Number(this.actionOf(y, resolution) === "REPLACE"));
    for (const s of order) {
      let conflict: Key | null = null;
      if (s < 0) {
        const tree = this.tree(tx);
        if (tree.seek(key, "eq") && !(exclude && this.sameKey(key, exclude))) conflict = this.storedKey(tree);
      } else {
        const k = keys[s];
        if (k !== null && k !== undefined) conflict = this.findConflict(tx, s, k, exclude);
      }
      if (conflict === null) continue;
      const action = this.actionOf(s, resolution);
      if (action === "IGNORE") return { status: "ignored" };
      if (action !== "REPLACE") throw constraintFailure(this.uniqueError(s < 0 ? this.pk : this.secondaries[s].index), action);
      this.removeRow(conflict, onReplace);
    }
    beforeWrite?.();
    this.tree(tx).insert(encodeRecord(this.order.map((c) => values[c])));
    this.insertIndexEntries(tx, values, keys);
    if (exclude === null) this.capture?.inserted(key, values);
    return { status: "written" };
  }

  /** `assigned`: the columns the statement set, for change data capture (null for a foreign-key action). */
  update(
    oldKey: RowKey,
    values: SqlValue[],
    newKey: RowKey,
    resolution: Resolution | null,
    onReplace: ((key: RowKey) => void) | null = null,
    assigned: ReadonlySet<number> | null = null,
  ): { status: "written" | "ignored" } {
    const removed: { row: SqlValue[] | null } = { row: null };
    const outcome = this.insert(values, newKey, resolution, onReplace, oldKey, () => (removed.row = this.deleteStored(oldKey)));
    if (removed.row !== null) this.capture?.updated(oldKey, removed.row, newKey, values, assigned);
    return outcome;
  }

  /** Adds a stored row's entries to the secondary indexes (its key is among its values). */
  indexRow(values: SqlValue[], _key: RowKey): void {
    const tx = this.tx();
    const keys = this.indexKeys(values);
    this.secondaries.forEach((s, i) => {
      const k = keys[i];
      if (s.index.unique && k && this.findConflict(tx, i, k, null) !== null) throw this.uniqueError(s.index);
    });
    this.insertIndexEntries(tx, values, keys);
  }

  findConflictingRow(values: SqlValue[], rowKey: RowKey, columns: number[] | null): RowKey | null {
    const key = rowKey as Key;
    const tx = this.tx();
    const wanted = columns ? [...columns].sort().join(",") : null;
    const columnsOf = (index: Index): string => index.columns.map((c) => c.column).sort().join(",");
    if ((wanted === null || columnsOf(this.pk) === wanted) && this.tree(tx).seek(key, "eq")) return this.storedKey(this.tree(tx));
    const keys = this.indexKeys(values);
    for (let s = 0; s < this.secondaries.length; s++) {
      const { index } = this.secondaries[s];
      const k = keys[s];
      if (!index.unique || k === null || k === undefined) continue;
      if (wanted !== null && columnsOf(index) !== wanted) continue;
      const conflict = this.findConflict(tx, s, k, null);
      if (conflict !== null) return conflict;
    }
    return null;
  }

  delete(rowKey: RowKey): SqlValue[] | null {
    const old = this.deleteStored(rowKey);
    if (old !== null) this.capture?.deleted(rowKey, old);
    return old;
  }

  /** delete() without capture: the first half of an update. */
  private deleteStored(rowKey: RowKey): SqlValue[] | null {
    const old = this.read(rowKey);
    if (!old) return null;
    const tx = this.tx();
    const keys = this.indexKeys(old);
    this.secondaries.forEach((s, i) => {
      const k = keys[i];
      if (k === undefined) return;
      const ic = s.cursor(tx);
      if (ic.seek(this.entry(s, old, k), "eq")) ic.delete();
    });
    const tree = this.tree(tx);
    if (tree.seek(rowKey as Key, "eq")) tree.delete();
    return old;
  }

  read(rowKey: RowKey): SqlValue[] | null {
    const tree = this.tree(this.tx());
    if (!tree.seek(rowKey as Key, "eq")) return null;
    return this.decode(tree.record());
  }

  /** How a conflict on check `s` (a secondary index, or -1 for the PRIMARY KEY) resolves. */
  private actionOf(s: number, resolution: Resolution | null): Resolution {
    return resolution ?? (s < 0 ? this.pk : this.secondaries[s].index).onConflict;
  }

  private removeRow(key: Key, onReplace: ((key: RowKey) => void) | null): void {
    onReplace?.(key);
    this.delete(key);
  }

  /** The PRIMARY KEY values of the table entry the cursor is on. */
  private storedKey(tree: IndexCursor): Key {
    const r = tree.record();
    return this.pk.columns.map((_, i) => r.column(i));
  }

  /** Whether two keys name the same row: equal under each key column's collation. */
  private sameKey(a: Key, b: Key): boolean {
    for (let i = 0; i < this.keyCollations.length; i++) if (compareValues(a[i], b[i], this.keyCollations[i]) !== 0) return false;
    return true;
  }

  /**
   * Per secondary index: the indexed values of a row (undefined when a
   * partial index excludes it; null when they include a NULL, which never
   * conflicts).
   */
  private indexKeys(values: SqlValue[]): (SqlValue[] | null | undefined)[] {
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = null;
    return this.secondaries.map((s) => {
      const ie = this.exprs.indexes[s.at];
      if (ie.where && truthValue(ie.where()) !== true) return undefined;
      return keyValues(s.index, values, ie.columns);
    }).map((k) => (k === undefined || !k.includes(null) ? k : null));
  }

  private entry(s: Secondary, values: SqlValue[], key: SqlValue[] | null): SqlValue[] {
    const own = key ?? this.ownValues(s, values);
    return [...own, ...s.tail.map((c) => values[c])];
  }

  /** Indexed values including NULLs (the entry of a row whose key is not unique-checked). */
  private ownValues(s: Secondary, values: SqlValue[]): SqlValue[] {
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = null;
    return keyValues(s.index, values, this.exprs.indexes[s.at].columns);
  }

  private insertIndexEntries(tx: WriteTransaction, values: SqlValue[], keys: (SqlValue[] | null | undefined)[]): void {
    this.secondaries.forEach((s, i) => {
      const k = keys[i];
      if (k === undefined) return;
      s.cursor(tx).insert(encodeRecord(this.entry(s, values, k)));
    });
  }

  /** The key of a stored row (other than `exclude`, the row an UPDATE rewrites) holding the same unique values in secondary index `s`, or null. */
  private findConflict(tx: WriteTransaction, s: number, values: SqlValue[], exclude: Key | null): Key | null {
    const sec = this.secondaries[s];
    const ic = sec.cursor(tx);
    for (let ok = ic.seek(values, "eq"); ok; ok = ic.next()) {
      const rec = ic.record();
      if (sec.compare(rec, values) !== 0) break;
      const other = sec.keyPositions.map((p) => rec.column(p));
      if (!(exclude && this.sameKey(other, exclude))) return other;
    }
    return null;
  }
}

function keyValues(index: Index, values: SqlValue[], exprs: (Evaluator | null)[]): SqlValue[] {
  return index.columns.map((ic, j) => {
    const e = exprs[j];
    return e ? e() : values[ic.column];
  });
}
