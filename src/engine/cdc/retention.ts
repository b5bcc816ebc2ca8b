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
  if (!hasTable(db, CDC_CONFIG_TABLE)) return null;
  const table = db.prepare(`SELECT value FROM ${CDC_CONFIG_TABLE} WHERE name = 'table'`).pluck().get();
  return typeof table === "string" && hasTable(db, table) ? table : null;
}

/** The stored retention limits (none when never set). */
export function captureRetention(db: Database): Retention {
  const [maxChanges, maxAgeSeconds] = db.prepare("PRAGMA capture_data_changes_retention").raw().get() as [number | null, number | null];
  return { maxChanges, maxAgeSeconds };
}

/**
 * Removes the changes the retention limits no longer keep, as of `now`
 * (milliseconds since the epoch). Throws SQLITE_MISUSE inside a transaction
 * on this connection, and SQLITE_BUSY when another connection is writing
 * (try again later).
 */
export function pruneCapturedChanges(db: Database, now: number = Date.now()): PruneResult {
  if (db.inTransaction) throw new SqliteError("pruneCapturedChanges must not run inside a transaction", "SQLITE_MISUSE");
  const table = configuredCdcTable(db);
  const { maxChanges, maxAgeSeconds } = captureRetention(db);
  if (table === null || (maxChanges === null && maxAgeSeconds === null)) return { deleted: 0, prunedThrough: null };
  const cdc = quoteIdent(table);
  return db.transaction((): PruneResult => {
    const lastCommitAtOrBefore = db.prepare(`SELECT max(change_id) FROM ${cdc} WHERE change_type = 2 AND change_id <= ?`).pluck();
    let cutoff: number | null = null;
    if (maxChanges !== null) {
      const latest = db.prepare(`SELECT max(change_id) FROM ${cdc}`).pluck().get() as number | null;
      if (latest !== null && latest > maxChanges) cutoff = lastCommitAtOrBefore.get(latest - maxChanges) as number | null;
    }
    if (maxAgeSeconds !== null) {
      const expiredBefore = Math.floor(now / 1000) - maxAgeSeconds;
      const byAge = db.prepare(`SELECT max(change_id) FROM ${cdc} WHERE change_type = 2 AND change_time < ?`).pluck().get(expiredBefore) as number | null;
      if (byAge !== null && (cutoff === null || byAge > cutoff)) cutoff = byAge;
    }
    if (cutoff === null) return { deleted: 0, prunedThrough: null };
    const { changes } = db.prepare(`DELETE FROM ${cdc} WHERE change_id <= ?`).run(cutoff);
    return { deleted: changes, prunedThrough: cutoff };
  }).immediate();
}

/** The change ids retained now, for resuming subscribers (`since` older than oldest - 1 has lost changes). */
export function capturedChangeRange(db: Database): ChangeRange {
  const table = configuredCdcTable(db);
  if (table === null) return { oldest: null, latest: 0 };
  const [oldest, newest] = db.prepare(`SELECT min(change_id), max(change_id) FROM ${quoteIdent(table)}`).raw().get() as [number | null, number | null];
  const sequence = hasTable(db, "sqlite_sequence") ? (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?").pluck().get(table) as number | undefined) : undefined;
  return { oldest, latest: Math.max(newest ?? 0, sequence ?? 0) };
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE").pluck().get(name) !== undefined;
}
