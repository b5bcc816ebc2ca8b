// Retention of captured changes: pruning the CDC table down to the limits
// set with PRAGMA capture_data_changes_retention (or setCaptureRetention),
// and the range of change ids still retained (what a subscriber resuming
// from an old change id needs to know).
//
// Pruning removes whole transactions only (up to and including a commit
// record), so a reader never sees a transaction's tail without its head:
// the newest `maxChanges` changes are kept, extended back to the start of
// the oldest transaction they touch, and every transaction that committed
// more than `maxAgeSeconds` ago goes. It runs as its own write transaction
// (the Durable Object's alarm calls it), never inside a user's transaction.
import type { Database } from "../database.js";
import { SqliteError } from "../errors.js";
import { CDC_CONFIG_TABLE, quoteIdent, type Retention } from "./config.js";
import { firstRow, firstValue, hasTable, runStatement } from "./statements.js";

export interface PruneResult {
  /** Rows removed from the CDC table (changes and commit records). */
  deleted: number;
  /** The largest change id removed, or null when nothing was. */
  prunedThrough: number | null;
}

export interface ChangeRange {
  /** The smallest change id still in the CDC table, or null when it is empty. */
  oldest: number | null;
  /** The largest change id ever assigned (0 before the first), retained or not. */
  latest: number;
}

/** The CDC table named by the stored configuration (also when capture is off), or null when there is none. */
export function configuredCdcTable(db: Database): string | null {
  const [mode, table] = firstRow(db, "PRAGMA capture_data_changes_conn") as [string, string | null];
  if (mode !== "off") return table;
  // Off: the configuration may still name a table holding earlier changes.
  if (!hasTable(db, CDC_CONFIG_TABLE)) return null;
  const stored = firstValue(db, `SELECT value FROM ${CDC_CONFIG_TABLE} WHERE name = 'table'`);
  return typeof stored === "string" && hasTable(db, stored) ? stored : null;
}

/** The stored retention limits (none when never set). */
export function captureRetention(db: Database): Retention {
  const [maxChanges, maxAgeSeconds] = firstRow(db, "PRAGMA capture_data_changes_retention") as [number | null, number | null];
  return { maxChanges, maxAgeSeconds };
}

/**
 * Removes the changes the retention limits no longer keep, as of `now`
 * (milliseconds since the epoch). Throws SQLITE_MISUSE inside a transaction
 * on this connection, and SQLITE_BUSY when another connection is writing
 * (try again later). The age limit assumes commit times do not go back (a
 * clock stepping back can keep a transaction a little longer, never drop a
 * newer one).
 */
export function pruneCapturedChanges(db: Database, now: number = Date.now()): PruneResult {
  if (db.inTransaction) throw new SqliteError("pruneCapturedChanges must not run inside a transaction", "SQLITE_MISUSE");
  const table = configuredCdcTable(db);
  const { maxChanges, maxAgeSeconds } = captureRetention(db);
  if (table === null || (maxChanges === null && maxAgeSeconds === null)) return { deleted: 0, prunedThrough: null };
  const cdc = quoteIdent(table);
  const lastCommitBefore = (id: number): number | null =>
    firstValue(db, `SELECT change_id FROM ${cdc} WHERE change_type = 2 AND change_id < ? ORDER BY change_id DESC LIMIT 1`, id) as number | null;
  return db.transaction((): PruneResult => {
    let cutoff: number | null = null;
    if (maxChanges !== null) {
      const latest = firstValue(db, `SELECT change_id FROM ${cdc} ORDER BY change_id DESC LIMIT 1`) as number | null;
      if (latest !== null && latest > maxChanges) cutoff = lastCommitBefore(latest - maxChanges + 1);
    }
    if (maxAgeSeconds !== null) {
      const expiredBefore = Math.floor(now / 1000) - maxAgeSeconds;
      // The first transaction still young enough ends the expired ones (scanning only those, oldest first).
      const firstKept = firstValue(db, `SELECT change_id FROM ${cdc} WHERE change_type = 2 AND change_time >= ? ORDER BY change_id LIMIT 1`, expiredBefore) as number | null;
      const byAge = lastCommitBefore(firstKept ?? Number.MAX_SAFE_INTEGER);
      if (byAge !== null && (cutoff === null || byAge > cutoff)) cutoff = byAge;
    }
    if (cutoff === null) return { deleted: 0, prunedThrough: null };
    const { changes } = runStatement(db, `DELETE FROM ${cdc} WHERE change_id <= ?`, cutoff);
    return { deleted: changes, prunedThrough: cutoff };
  }).immediate();
}

/** The change ids retained now, for resuming subscribers (`since` older than oldest - 1 has lost changes). */
export function capturedChangeRange(db: Database): ChangeRange {
  const table = configuredCdcTable(db);
  if (table === null) return { oldest: null, latest: 0 };
  const cdc = quoteIdent(table);
  const oldest = firstValue(db, `SELECT change_id FROM ${cdc} ORDER BY change_id LIMIT 1`) as number | null;
  const newest = firstValue(db, `SELECT change_id FROM ${cdc} ORDER BY change_id DESC LIMIT 1`) as number | null;
  if (newest !== null) return { oldest, latest: newest };
  // Emptied (pruned): the high-water mark is in sqlite_sequence.
  const sequence = hasTable(db, "sqlite_sequence") ? (firstValue(db, "SELECT seq FROM sqlite_sequence WHERE name = ?", table) as number | null) : null;
  return { oldest, latest: sequence ?? 0 };
}
