// What a captured change's id stands for, read the same way by every service
// (readCapturedChanges and the Durable Object's change log): a rowid; in a
// WITHOUT ROWID table its PRIMARY KEY value, or, when the key has several
// columns, a record of them, which services decode to an object keyed by
// the key columns.
import type { Database } from "../database.js";
import type { SqlValue } from "../value/types.js";
import { decodeChangeRecord } from "./functions.js";
import { allRows } from "./statements.js";

/** A table's PRIMARY KEY columns in key order; [] when the table is gone. */
export function primaryKeyColumns(db: Database, table: string): string[] {
  return allRows(db, "SELECT name FROM pragma_table_xinfo(?) WHERE pk > 0 ORDER BY pk", table).map(([name]) => String(name));
}

/** A change id that is a composite key's record, as an object of `keyColumns` (the table's PRIMARY KEY columns); null for any other id. */
export function decodeCompositeKey(keyColumns: readonly string[], id: SqlValue): Record<string, SqlValue> | null {
  return id instanceof Uint8Array && keyColumns.length > 1 ? decodeChangeRecord(keyColumns, id) : null;
}
