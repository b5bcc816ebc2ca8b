// Writing captured changes at commit: the commit hook takes the row changes
// the transaction's statements logged (capture.ts) and writes them into the
// CDC table of the transaction being published, followed by Turso's commit
// record (change_type 2), all under one change_txn_id.
//
// Invariant: change ids are assigned here, in the published transaction,
// one past the largest id ever used (AUTOINCREMENT's sqlite_sequence keeps
// that even after pruning). Commits are serialized, so ids are gapless and
// follow commit order, also for a BEGIN CONCURRENT transaction replayed onto
// a newer state. change_txn_id is the id of the transaction's first change.
import type { WriteTransaction } from "../btree/index.js";
import type { CommitHook, Connection } from "../connection.js";
import { SqliteError } from "../errors.js";
import { readSequence, writeSequence } from "../exec/autoincrement.js";
import { ArrayRowSlot } from "../exec/row-slot.js";
import { TableWriter } from "../exec/table-writer.js";
import { loadSchema } from "../schema/load-schema.js";
import type { Table } from "../schema/schema.js";
import { CAPTURED_CHANGES, CHANGE_COMMIT } from "./capture.js";
import { captureConfig } from "./config.js";

export const writeCapturedChanges: CommitHook = (target: WriteTransaction, source: WriteTransaction, conn: Connection) => {
  const changes = source.logs.peek(CAPTURED_CHANGES);
  if (changes === undefined || changes.length === 0) return;
  const schema = target === source ? conn.schema() : loadSchema(target);
  const config = captureConfig(schema, target);
  // Capture was turned off (or its table dropped) by a transaction that committed first.
  if (config.mode === null) return;
  const table = schema.table(config.table) as Table;
  const writer = cdcWriter(table, target);
  const first = nextChangeId(target, table, table.autoincrement ? readSequence(target, schema, table.name) : 0);
  let id = first;
  const advance = (): number | bigint => {
    const current = id;
    id = typeof id === "bigint" ? id + 1n : id + 1;
    return current;
  };
  for (const change of changes) {
    const changeId = advance();
    writer.insert([changeId, change.time, first, change.changeType, change.table, change.id, change.before, change.after, change.updates], changeId, null, null);
  }
  const commitId = advance();
  writer.insert([commitId, Math.floor(Date.now() / 1000), first, CHANGE_COMMIT, null, null, null, null, null], commitId, null, null);
  if (table.autoincrement) writeSequence(target, schema, table.name, commitId);
};

/**
 * One past the largest change id ever used. Deliberately not
 * TableWriter.newRowid: that also skips rowids reserved by open BEGIN
 * CONCURRENT transactions, and change ids, assigned only here and one
 * commit at a time, must not skip any.
 */
function nextChangeId(tx: WriteTransaction, table: Table, sequence: number | bigint): number | bigint {
  const c = tx.openTable(table.rootPage);
  try {
    const last = c.last() ? c.rowid() : 0;
    const high = last > sequence ? last : sequence;
    return typeof high === "bigint" ? high + 1n : high + 1;
  } finally {
    c.close();
  }
}

/**
 * A TableWriter for the CDC table outside any statement: the table's own
 * expressions cannot be compiled here, so CHECK constraints and expression or
 * partial indexes on it are refused (plain indexes are kept in step); so is
 * a WITHOUT ROWID table (made under the CDC table's name after capture was
 * turned on), whose rows a TableWriter cannot write.
 */
function cdcWriter(table: Table, tx: WriteTransaction): TableWriter {
  if (table.withoutRowid) throw new SqliteError(`cannot record captured changes in ${table.name}: it is a WITHOUT ROWID table`);
  if (table.checks.length > 0 || table.columns.some((c) => c.generated) || table.indexes.some((ix) => ix.where !== null || ix.columns.some((c) => c.expr !== null))) {
    throw new SqliteError(`cannot record captured changes in ${table.name}: it has CHECK constraints, generated columns or expression or partial indexes`);
  }
  const exprs = { slot: new ArrayRowSlot(), checks: [], indexes: table.indexes.map((ix) => ({ columns: ix.columns.map(() => null), where: null })), generated: [], virtual: [] };
  return new TableWriter(table, exprs, () => tx, Number.MAX_SAFE_INTEGER);
}
