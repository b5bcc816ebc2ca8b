// The service's limits, each enforced with a clear error. Defaults below;
// a deployment may override the ones read from env vars.

export interface Limits {
  /** Largest request body accepted (HTTP 413 beyond). */
  maxBodyBytes: number;
  /** Longest SQL text of one statement or sequence. */
  maxSqlLength: number;
  /** Most bind parameters in one statement (SQLite's default SQLITE_MAX_VARIABLE_NUMBER). */
  maxParameters: number;
  /** Approximate bytes of rows one pipeline or cursor response may carry. */
  maxResponseBytes: number;
  /** A stream (and its open transaction) idle this long is rolled back and freed. */
  streamIdleMs: number;
  /** Streams open at once in one database. */
  maxStreams: number;
  /** SQL texts one stream may keep with store_sql. */
  maxStoredSql: number;
  /** How long a writer waits for the write lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** A database this large takes no more growing writes (deletes still run). */
  maxDatabaseBytes: number;
  /** Longest one statement may run (the engine interrupts it: SQLITE_INTERRUPT). */
  statementTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxSqlLength: 1_000_000,
  maxParameters: 32766,
  maxResponseBytes: 10 * 1024 * 1024,
  streamIdleMs: 10_000,
  maxStreams: 256,
  maxStoredSql: 1000,
  busyTimeoutMs: 5000,
  maxDatabaseBytes: 1024 * 1024 * 1024,
  statementTimeoutMs: 5000,
};

/** Env vars that override limits (all optional, positive integers). */
export interface LimitVars {
  STREAM_IDLE_TIMEOUT_MS?: string;
  BUSY_TIMEOUT_MS?: string;
  MAX_BODY_BYTES?: string;
  MAX_DATABASE_BYTES?: string;
  STATEMENT_TIMEOUT_MS?: string;
}

export function limitsFromEnv(vars: LimitVars): Limits {
  const pick = (text: string | undefined, fallback: number) => {
    const n = text === undefined ? NaN : Number(text);
    return Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  return {
    ...DEFAULT_LIMITS,
    streamIdleMs: pick(vars.STREAM_IDLE_TIMEOUT_MS, DEFAULT_LIMITS.streamIdleMs),
    busyTimeoutMs: pick(vars.BUSY_TIMEOUT_MS, DEFAULT_LIMITS.busyTimeoutMs),
    maxBodyBytes: pick(vars.MAX_BODY_BYTES, DEFAULT_LIMITS.maxBodyBytes),
    maxDatabaseBytes: pick(vars.MAX_DATABASE_BYTES, DEFAULT_LIMITS.maxDatabaseBytes),
    statementTimeoutMs: pick(vars.STATEMENT_TIMEOUT_MS, DEFAULT_LIMITS.statementTimeoutMs),
  };
}
