// Foreign keys (when PRAGMA foreign_keys is on): a child row's key must match
// a parent row; changing or deleting a parent row applies each referencing
// constraint's ON DELETE / ON UPDATE action (NO ACTION and RESTRICT fail,
// CASCADE, SET NULL, SET DEFAULT change the children).
//
// Constraints are checked as each row is written. DEFERRABLE INITIALLY
// DEFERRED constraints are checked the same way (not at COMMIT yet), and
// changes made by actions do not fire the child table's triggers.
import type { WriteTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { foldName, type ForeignKey, type Index, type Schema, type Table } from "../schema/schema.js";
import { applyAffinity } from "../value/affinity.js";
import { compareValues } from "../value/compare.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import { defaultEvaluators, rowWriter } from "./dml-target.js";
import { rowidOf, type RowKey, type RowWriter } from "./row-writer.js";
import { forEachStoredRow } from "./stored-rows.js";
import { entryComparator } from "./without-rowid-keys.js";

export function fkError(): SqliteError {
  return new SqliteError("FOREIGN KEY constraint failed", "SQLITE_CONSTRAINT_FOREIGNKEY");
}

/** The parent's key columns for a constraint, and how to look rows up by them. */
export interface ParentKey {
  parent: Table;
  columns: number[];
  /** The UNIQUE index on those columns; null when the key is the rowid. */
  index: Index | null;
}

export function parentKey(schema: Schema, child: Table, fk: ForeignKey): ParentKey {
  const parent = schema.table(fk.parentTable);
  const mismatch = () => new SqliteError(`foreign key mismatch - "${child.name}" referencing "${fk.parentTable}"`);
  if (!parent) throw mismatch();
  let columns: number[];
  if (fk.parentColumns) {
    columns = fk.parentColumns.map((name) => parent.columns.findIndex((c) => foldName(c.name) === foldName(name)));
    if (columns.some((c) => c < 0)) throw mismatch();
  } else {
    columns = parent.rowidAlias >= 0 ? [parent.rowidAlias] : parent.primaryKey;
    if (columns.length === 0) throw mismatch();
  }
  if (columns.length !== fk.columns.length) throw mismatch();
  if (columns.length === 1 && columns[0] === parent.rowidAlias) return { parent, columns, index: null };
  const wanted = [...columns].sort().join(",");
  const index = parent.indexes.find((ix) => ix.unique && !ix.where && ix.columns.length === columns.length && ix.columns.map((c) => c.column).sort().join(",") === wanted);
  if (!index) throw mismatch();
  return { parent, columns, index };
}

/** Whether the parent table has a row whose key equals `key` (values in the FK's column order). */
export function parentExists(tx: WriteTransaction, pk: ParentKey, key: SqlValue[]): boolean {
  if (!pk.index) {
    const v = applyAffinity(key[0], "integer");
    if (typeof v !== "number" && typeof v !== "bigint") return false;
    const c = tx.openTable(pk.parent.rootPage);
    try {
      return c.seek(v, "eq");
    } finally {
      c.close();
    }
  }
  // Order the probe by the index's column order.
  const probe = pk.index.columns.map((ic) => {
    const i = pk.columns.indexOf(ic.column);
    return applyAffinity(key[i], pk.parent.columns[ic.column].affinity);
  });
  const c = tx.openIndex(pk.index.rootPage, entryComparator(pk.parent, pk.index));
  try {
    return c.seek(probe, "eq");
  } finally {
    c.close();
  }
}

/** Keys of the child rows whose FK columns equal `key`. */
export function childRows(tx: WriteTransaction, child: Table, fk: ForeignKey, key: SqlValue[]): RowKey[] {
  const out: RowKey[] = [];
  const probe = fk.columns.map((col, i) => applyAffinity(key[i], child.columns[col].affinity));
  forEachStoredRow(tx, child, (values, rowKey) => {
    for (let i = 0; i < fk.columns.length; i++) {
      const v = values[fk.columns[i]];
      if (v === null || compareValues(probe[i], v) !== 0) return;
    }
    out.push(rowKey);
  });
  return out;
}

interface Reference {
  child: Table;
  fk: ForeignKey;
  writer: () => RowWriter;
  defaults: () => SqlValue[];
}

/** Foreign-key work for writes to one table, compiled once per statement. */
export class ForeignKeys {
  private readonly outgoing: { fk: ForeignKey; key: () => ParentKey }[];
  private readonly incoming: Reference[];

  constructor(
    private readonly env: CompileEnv,
    private readonly table: Table,
  ) {
    const schema = env.schema;
    this.outgoing = table.foreignKeys.map((fk) => {
      let cached: ParentKey | null = null;
      return { fk, key: () => (cached ??= parentKey(schema, table, fk)) };
    });
    this.incoming = [];
    for (const child of schema.allTables()) {
      for (const fk of child.foreignKeys) {
        if (foldName(fk.parentTable) !== foldName(table.name)) continue;
        let writer: RowWriter | null = null;
        let defaults: (() => SqlValue)[] | null = null;
        this.incoming.push({
          child,
          fk,
          writer: () => (writer ??= rowWriter(env, child, env.writeTx)),
          defaults: () => (defaults ??= defaultEvaluators(env, child)).map((d) => d()),
        });
      }
    }
  }

  private get enabled(): boolean {
    return this.env.settings.foreignKeys;
  }

  /** A new or changed child row must reference an existing parent row (unless a key column is NULL). */
  checkChild(values: readonly SqlValue[], rowid: SqlValue, changedColumns: number[] | null = null): void {
    if (!this.enabled) return;
    const tx = this.env.writeTx();
    for (const { fk, key } of this.outgoing) {
      if (changedColumns && !fk.columns.some((c) => changedColumns.includes(c))) continue;
      const k = fk.columns.map((c) => (c === this.table.rowidAlias ? rowid : values[c]));
      if (k.some((v) => v === null)) continue;
      if (!parentExists(tx, key(), k)) throw fkError();
    }
  }

  /** Applies ON DELETE actions for a parent row about to be deleted. */
  parentDeleted(old: readonly SqlValue[], rowid: SqlValue): void {
    this.parentChanged(old, rowid, null, "delete");
  }

  /** Applies ON UPDATE actions when a parent row's key changes. */
  parentUpdated(old: readonly SqlValue[], oldRowid: SqlValue, values: readonly SqlValue[], rowid: SqlValue): void {
    this.parentChanged(old, oldRowid, { values, rowid }, "update");
  }

  private parentChanged(old: readonly SqlValue[], oldRowid: SqlValue, next: { values: readonly SqlValue[]; rowid: SqlValue } | null, event: "delete" | "update"): void {
    if (!this.enabled || this.incoming.length === 0) return;
    const tx = this.env.writeTx();
    for (const ref of this.incoming) {
      const pk = parentKey(this.env.schema, ref.child, ref.fk);
      const keyOf = (values: readonly SqlValue[], rowid: SqlValue) => pk.columns.map((c) => (c === this.table.rowidAlias ? rowid : values[c]));
      const oldKey = keyOf(old, oldRowid);
      if (oldKey.some((v) => v === null)) continue;
      if (next) {
        const newKey = keyOf(next.values, next.rowid);
        if (newKey.every((v, i) => v !== null && compareValues(v, oldKey[i]) === 0)) continue;
      }
      const children = childRows(tx, ref.child, ref.fk, oldKey);
      if (children.length === 0) continue;
      const action = event === "delete" ? ref.fk.onDelete : ref.fk.onUpdate;
      switch (action) {
        case "NO ACTION":
        case "RESTRICT":
          throw fkError();
        case "CASCADE":
          for (const childRowid of children) {
            if (event === "delete") ref.writer().delete(childRowid);
            else this.rewriteChild(ref, childRowid, keyOf((next as { values: readonly SqlValue[] }).values, (next as { rowid: SqlValue }).rowid));
          }
          break;
        case "SET NULL":
          for (const childRowid of children) this.rewriteChild(ref, childRowid, ref.fk.columns.map(() => null));
          break;
        case "SET DEFAULT": {
          const defaults = ref.defaults();
          for (const childRowid of children) this.rewriteChild(ref, childRowid, ref.fk.columns.map((c) => defaults[c]));
          break;
        }
      }
    }
  }

  /** Sets a child row's FK columns to `key` (CASCADE on update, SET NULL, SET DEFAULT). */
  private rewriteChild(ref: Reference, rowKey: RowKey, key: SqlValue[]): void {
    const writer = ref.writer();
    const old = writer.read(rowKey);
    if (!old) return;
    const values = old.slice();
    ref.fk.columns.forEach((c, i) => (values[c] = key[i]));
    const coerced = writer.coerce(values, null);
    if (coerced === "ignore") return;
    const rowid = rowidOf(rowKey);
    const newRowid = ref.child.rowidAlias >= 0 && values[ref.child.rowidAlias] !== null ? (values[ref.child.rowidAlias] as number | bigint) : rowid;
    // SET DEFAULT must still point at an existing parent.
    writer.fillGenerated(values, newRowid);
    new ForeignKeys(this.env, ref.child).checkChild(values, newRowid, ref.fk.columns);
    writer.update(rowKey, values, newRowid ?? writer.newRowKey(values, null, 0), null);
  }
}
