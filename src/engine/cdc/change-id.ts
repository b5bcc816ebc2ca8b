// How a captured change names its row and its columns, read the same way by
// every service (readCapturedChanges and the Durable Object's change log):
// its id is a rowid; in a WITHOUT ROWID table its PRIMARY KEY value, or,
// when the key has several columns, a record of them, which services decode
// to an object keyed by the key columns; its before/after records hold every
// column of the table, as table_columns_json_array names them.
import type { Database } from "../database.js";
import { SqliteError } from "../errors.js";
import type { SqlValue } from "../value/types.js";
import { decodeChangeRecord } from "./functions.js";
import { allRows, firstValue } from "./statements.js";

/** A table's PRIMARY KEY columns in key order; [] when the table is gone. */
export function primaryKeyColumns(db: Database, table: string): string[] {
  return allRows(db, "SELECT name FROM pragma_table_xinfo(?) WHERE pk > 0 ORDER BY pk", table).map(([name]) => String(name));
}

/** A change id that is a composite key's record, as an object of `keyColumns` (the table's PRIMARY KEY columns); null for any other id. */
export function decodeCompositeKey(keyColumns: readonly string[], id: SqlValue): Record<string, SqlValue> | null {
  return id instanceof Uint8Array && keyColumns.length > 1 ? decodeChangeRecord(keyColumns, id) : null;
}

/**
 * The names a table's before/after records are decoded with: all its
 * columns, generated ones included (what table_columns_json_array gives, the
 * way the records are written), or null when the table no longer exists.
 */
export function recordColumns(db: Database, table: string): string[] | null {
  try {
    return JSON.parse(firstValue(db, "SELECT table_columns_json_array(?)", table) as string) as string[];
  } catch (e) {
    if (e instanceof SqliteError) return null;
    throw e;
  }
}
