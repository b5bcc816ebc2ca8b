// A database's change data capture settings as the service sees them: the
// capture mode and table (the engine's PRAGMA capture_data_changes_conn,
// persisted in the database), retention (the engine's PRAGMA
// capture_data_changes_retention, applied by the alarm through the engine's
// pruneCapturedChanges in its own write transaction, never inside a user's
// transaction), and the management API's view and update of them.
import { captureRetention, getCaptureDataChanges, pruneCapturedChanges, readableCaptureTable, SqliteError, type Database } from "../../engine/index.js";
import { ChangeLog, quoteIdentifier } from "./change-log.js";

export const CAPTURE_MODES = ["off", "id", "before", "after", "full"] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export interface Retention {
  /** Keep at most this many changes (null: no bound). */
  maxChanges: number | null;
  /** Keep changes at most this old (null: no bound). */
  maxAgeSeconds: number | null;
}

export interface CaptureUpdate {
  mode?: CaptureMode;
  /** The capture table (default turso_cdc); only with a mode other than off. */
  table?: string;
  retention?: Retention;
}

export interface CaptureSettings {
  mode: CaptureMode;
  table: string | null;
  retention: Retention;
  oldestChangeId: number;
  latestChangeId: number;
  subscribers: number;
}

/** The capture mode and, unless off, the table changes go to. */
function captureState(db: Database): { mode: CaptureMode; table: string | null } {
  const { mode, table } = getCaptureDataChanges(db);
  return mode === null ? { mode: "off", table: null } : { mode, table };
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Applies a validated update; each pragma commits on its own (settings, not data). */
export function configureCapture(db: Database, update: CaptureUpdate): void {
  if (update.mode !== undefined) db.prepare(`PRAGMA capture_data_changes_conn(${quoteLiteral(update.table === undefined ? update.mode : `${update.mode},${update.table}`)})`).run();
  if (update.retention !== undefined) {
    const { maxChanges, maxAgeSeconds } = update.retention;
    // The pragma's 0 means "no limit".
    db.prepare(`PRAGMA capture_data_changes_retention('changes=${maxChanges ?? 0},age=${maxAgeSeconds ?? 0}')`).run();
  }
}

export function captureSettings(db: Database, feed: { subscriberCount(): number }): CaptureSettings {
  const { mode, table } = captureState(db);
  const readable = readableCaptureTable(db);
  const range = readable === null ? { oldest: 0, latest: 0 } : new ChangeLog(db, readable).range();
  return { mode, table, retention: captureRetention(db), oldestChangeId: range.oldest, latestChangeId: range.latest, subscribers: feed.subscriberCount() };
}

/** How soon after a commit the alarm prunes (batching the pruning of many commits into one write). */
export const PRUNE_DELAY_MS = 5_000;
/** Retry delay when a user's transaction holds the write lock at pruning time. */
const PRUNE_RETRY_MS = 1_000;

/** Whether capture is on with a retention limit, so commits call for pruning. */
export function prunes(db: Database): boolean {
  if (readableCaptureTable(db) === null) return false;
  const { maxChanges, maxAgeSeconds } = captureRetention(db);
  return maxChanges !== null || maxAgeSeconds !== null;
}

/**
 * Prunes changes past retention as of `now` (its own write transaction, run
 * by the alarm); returns when pruning is next due: when the oldest retained
 * transaction ages out, or soon again if a writer held the lock.
 */
export function pruneRetained(db: Database, now: number): number | null {
  const table = readableCaptureTable(db);
  const retention = captureRetention(db);
  if (table === null || (retention.maxChanges === null && retention.maxAgeSeconds === null)) return null;
  try {
    pruneCapturedChanges(db, now);
  } catch (e) {
    if (e instanceof SqliteError && e.code.startsWith("SQLITE_BUSY")) return now + PRUNE_RETRY_MS;
    throw e;
  }
  if (retention.maxAgeSeconds === null) return null;
  const oldestCommit = db.prepare(`SELECT min(change_time) FROM ${quoteIdentifier(table)} WHERE change_type = 2`).pluck().get() as number | null;
  return oldestCommit === null ? null : Math.max(now + PRUNE_RETRY_MS, (oldestCommit + retention.maxAgeSeconds + 1) * 1000);
}

function nonNegativeOrNull(value: unknown, field: string): number | null | string {
  if (value === null || value === undefined) return null;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : `"${field}" must be a non-negative integer or null`;
}

/** Validates a management request body `{ mode?, table?, retention?: { maxChanges?, maxAgeSeconds? } }`; a string is the error. */
export function parseCaptureUpdate(body: unknown): CaptureUpdate | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return 'the body must be a JSON object { "mode", "table", "retention" }';
  const { mode, table, retention, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown field "${unknown[0]}"; fields are mode, table, retention`;
  const update: CaptureUpdate = {};
  if (mode !== undefined) {
    if (!CAPTURE_MODES.includes(mode as CaptureMode)) return `"mode" must be one of ${CAPTURE_MODES.join(", ")}`;
    update.mode = mode as CaptureMode;
  }
  if (table !== undefined) {
    if (typeof table !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(table)) return '"table" must be a plain identifier (letters, digits, underscores)';
    if (update.mode === undefined || update.mode === "off") return '"table" needs a "mode" other than off';
    update.table = table;
  }
  if (retention !== undefined) {
    if (typeof retention !== "object" || retention === null) return '"retention" must be an object { maxChanges, maxAgeSeconds }';
    const { maxChanges, maxAgeSeconds } = retention as Record<string, unknown>;
    const changes = nonNegativeOrNull(maxChanges, "retention.maxChanges");
    const age = nonNegativeOrNull(maxAgeSeconds, "retention.maxAgeSeconds");
    if (typeof changes === "string") return changes;
    if (typeof age === "string") return age;
    update.retention = { maxChanges: changes, maxAgeSeconds: age };
  }
  if (Object.keys(update).length === 0) return "nothing to change: give mode and/or retention";
  return update;
}
