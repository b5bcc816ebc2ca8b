// Shared helpers for the CDC tests: read the CDC table back with its
// before/after/updates records decoded, so assertions state values, not bytes.
import { decodeRecord } from "../../../src/engine/btree/index.js";
import type { Database, SqlValue } from "../../../src/engine/index.js";

export interface ChangeRow {
  change_id: number;
  change_txn_id: number;
  change_type: number;
  table_name: string | null;
  id: SqlValue;
  before: SqlValue[] | null;
  after: SqlValue[] | null;
  updates: SqlValue[] | null;
}

function decoded(v: unknown): SqlValue[] | null {
  return v instanceof Uint8Array ? decodeRecord(v) : null;
}

/** Every row of the CDC table in change_id order, records decoded. */
export function readChanges(db: Database, table = "turso_cdc"): ChangeRow[] {
  const rows = db.prepare(`SELECT change_id, change_txn_id, change_type, table_name, id, before, after, updates FROM "${table}" ORDER BY change_id`).all() as Record<string, unknown>[];
  return rows.map((r) => ({
    change_id: r.change_id as number,
    change_txn_id: r.change_txn_id as number,
    change_type: r.change_type as number,
    table_name: r.table_name as string | null,
    id: r.id as SqlValue,
    before: decoded(r.before),
    after: decoded(r.after),
    updates: decoded(r.updates),
  }));
}

/** The changes without ids: [change_type, table_name, id, before, after, updates], commit records as ["commit"]. */
export function changeSummary(db: Database, table = "turso_cdc"): unknown[][] {
  return readChanges(db, table).map((c) => (c.change_type === 2 ? ["commit"] : [c.change_type, c.table_name, c.id, c.before, c.after, c.updates]));
}
