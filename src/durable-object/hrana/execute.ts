// Running Hrana statements on a stream's connection: execute, batch (with its
// conditions), sequence and describe, with the checks that come before the
// engine (read-only tokens, SQL length, parameter count) and busy waiting for
// the write lock.
import { SqliteError, type BindParameters, type Database } from "../../engine/index.js";
import type { ScriptStatement } from "../../engine/sql/ast.js";
import { parseScript } from "../../engine/sql/parse.js";
import type { SqlValue } from "../../engine/value/types.js";
import type { Limits } from "../limits.js";
import type { LockSignal } from "../lock-signal.js";
import type { Stream } from "../streams.js";
import { RequestError, StatementRefused, toHranaError, type HranaError } from "./errors.js";
import type { BatchCond, BatchStep, SqlSource, Stmt } from "./protocol.js";
import { canGrow, countsChanges, isReadOnly } from "./statement-kind.js";
import { encodeValue, type BindableValue, type HranaValue } from "./values.js";

export interface ExecContext {
  stream: Stream;
  /** The caller's token grants reads only. */
  readOnly: boolean;
  limits: Limits;
  lock: LockSignal;
  /** Bytes of rows still allowed in this response; shared by its statements. */
  budget: { remaining: number };
}

export interface Col {
  name: string | null;
  decltype: string | null;
}

export interface StmtResult {
  cols: Col[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
  /** Rows the statement read and wrote in storage, as libSQL counts them (Statement.rowCounts()). */
  rows_read: number;
  rows_written: number;
  query_duration_ms: number;
}

export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: (HranaError | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: Col[];
  is_explain: boolean;
  is_readonly: boolean;
}

export function resolveSql(stream: Stream, source: SqlSource): string {
  if ("sql" in source) return source.sql;
  const sql = stream.storedSql.get(source.sqlId);
  if (sql === undefined) throw new StatementRefused(`no SQL text is stored under sql_id ${source.sqlId}`, "SQL_ID_UNKNOWN");
  return sql;
}

/** Parses a text that must hold exactly one statement, applying the pre-engine checks. */
function parseChecked(ctx: ExecContext, sql: string): ScriptStatement {
  checkLength(ctx, sql);
  const statements = parseScript(sql);
  if (statements.length !== 1) {
    const problem = statements.length === 0 ? "contains no statement" : "contains more than one statement (use sequence or a batch)";
    throw new SqliteError(`the SQL text ${problem}`, "SQLITE_MISUSE");
  }
  const parsed = statements[0];
  checkWritable(ctx, parsed);
  if (parsed.parameters.count > ctx.limits.maxParameters) {
    throw new SqliteError(`too many SQL variables (limit ${ctx.limits.maxParameters})`, "SQLITE_ERROR");
  }
  return parsed;
}

function checkLength(ctx: ExecContext, sql: string): void {
  if (sql.length > ctx.limits.maxSqlLength) throw new SqliteError(`string or blob too big: the SQL text exceeds ${ctx.limits.maxSqlLength} characters`, "SQLITE_TOOBIG");
}

function checkWritable(ctx: ExecContext, parsed: ScriptStatement): void {
  if (isReadOnly(parsed)) return;
  if (ctx.readOnly) throw new StatementRefused("attempt to write a readonly database: this token grants read-only access", "SQLITE_READONLY");
  if (ctx.stream.readOnlyTransaction && ctx.stream.conn.inTransaction) {
    throw new StatementRefused("attempt to write in a read-only transaction (BEGIN READONLY)", "SQLITE_READONLY");
  }
  if (canGrow(parsed) && usedBytes(ctx.stream.conn) >= ctx.limits.maxDatabaseBytes) {
    throw new StatementRefused(`database or disk is full: the database reached its size limit of ${ctx.limits.maxDatabaseBytes} bytes; delete data to write again`, "SQLITE_FULL");
  }
}

/** Bytes in use as this connection sees the database: pages less free pages (which writes reuse first). */
function usedBytes(conn: Database): number {
  const pragma = (name: string) => conn.prepare(`PRAGMA ${name}`).pluck().get() as number;
  return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
}

function isBusy(e: unknown): boolean {
  return e instanceof SqliteError && e.code === "SQLITE_BUSY";
}

/**
 * Runs `run` and, while it fails with SQLITE_BUSY and the busy timeout has not
 * passed, waits for the lock holder to finish and retries (a BUSY statement
 * leaves its transaction open, so the retry continues it).
 */
export async function withBusyRetry<T>(ctx: ExecContext, run: () => T): Promise<T> {
  const since = Date.now();
  const deadline = since + ctx.limits.busyTimeoutMs;
  for (;;) {
    try {
      return run();
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
      await ctx.lock.wait(deadline - Date.now(), since);
    }
  }
}

/**
 * Runs one parsed statement and records whether the transaction it began is
 * READONLY (libSQL's syntax, which the engine parses but does not enforce; the
 * service does).
 */
function runTracked<T>(stream: Stream, parsed: ScriptStatement, run: () => T): T {
  try {
    return run();
  } finally {
    const statement = parsed.statement;
    if (statement.kind === "Begin" && stream.conn.inTransaction) stream.readOnlyTransaction = statement.readonly;
  }
}

function bindArgs(stmt: Stmt): BindParameters {
  const params: BindParameters = [...stmt.args];
  // Without a prototype, so that a parameter named :constructor is not found on Object.prototype.
  if (stmt.namedArgs.size > 0) params.push(Object.assign(Object.create(null) as Record<string, BindableValue>, Object.fromEntries(stmt.namedArgs)));
  return params;
}

/** Approximate encoded size of a value, for the response budget. */
function valueBytes(v: HranaValue): number {
  switch (v.type) {
    case "text":
      return 24 + v.value.length;
    case "blob":
      return 24 + v.base64.length;
    default:
      return 32;
  }
}

function encodeRows(ctx: ExecContext, rows: SqlValue[][]): HranaValue[][] {
  return rows.map((row) => {
    const out = row.map(encodeValue);
    for (const v of out) ctx.budget.remaining -= valueBytes(v);
    if (ctx.budget.remaining < 0) {
      throw new StatementRefused(`the response exceeds ${ctx.limits.maxResponseBytes} bytes; fetch fewer rows (LIMIT) or use a cursor`, "RESPONSE_TOO_LARGE");
    }
    return out;
  });
}

function columnsOf(conn: Database, sql: string): Col[] {
  return conn
    .prepare(sql)
    .columns()
    .map((c) => ({ name: c.name, decltype: c.type }));
}

export async function executeStmt(ctx: ExecContext, stmt: Stmt): Promise<StmtResult> {
  const { conn } = ctx.stream;
  const sql = resolveSql(ctx.stream, stmt.source);
  const parsed = parseChecked(ctx, sql);
  const started = performance.now();
  const params = bindArgs(stmt);
  const outcome = await withBusyRetry(ctx, () =>
    runTracked(ctx.stream, parsed, () => {
      const statement = conn.prepare(sql);
      const cols = statement.columns().map((c) => ({ name: c.name, decltype: c.type }));
      if (!statement.reader) {
        const { changes, lastInsertRowid } = statement.run(...params);
        return { cols, rows: [] as SqlValue[][], changes, lastInsertRowid, counts: statement.rowCounts() };
      }
      const rows = statement.canonical().all(...params) as SqlValue[][];
      const counts = statement.rowCounts();
      if (!countsChanges(parsed)) return { cols, rows, changes: 0, lastInsertRowid: 0, counts };
      // DML with RETURNING: the counters as the statement left them.
      const [changes, lastInsertRowid] = conn.prepare("SELECT changes(), last_insert_rowid()").raw().get() as [number, number | bigint];
      return { cols, rows, changes, lastInsertRowid, counts };
    }),
  );
  const dml = countsChanges(parsed);
  return {
    cols: outcome.cols,
    rows: stmt.wantRows ? encodeRows(ctx, outcome.rows) : [],
    affected_row_count: dml ? outcome.changes : 0,
    last_insert_rowid: parsed.statement.kind === "Insert" ? String(outcome.lastInsertRowid) : null,
    rows_read: outcome.counts.rowsRead,
    rows_written: outcome.counts.rowsWritten,
    query_duration_ms: performance.now() - started,
  };
}

/** Whether a batch step's condition holds, given the outcomes of the steps before it. */
function conditionHolds(cond: BatchCond, result: BatchResult, conn: Database): boolean {
  switch (cond.type) {
    case "ok":
      return result.step_results[cond.step] != null;
    case "error":
      return result.step_errors[cond.step] != null;
    case "not":
      return !conditionHolds(cond.cond, result, conn);
    case "and":
      return cond.conds.every((c) => conditionHolds(c, result, conn));
    case "or":
      return cond.conds.some((c) => conditionHolds(c, result, conn));
    case "is_autocommit":
      return !conn.inTransaction;
  }
}

/** Runs a batch; each executed step records its result or its error, skipped steps neither. */
export async function executeBatch(
  ctx: ExecContext,
  steps: BatchStep[],
  onStep?: (index: number, outcome: { result: StmtResult } | { error: HranaError }) => void,
): Promise<BatchResult> {
  const result: BatchResult = { step_results: [], step_errors: [] };
  for (let i = 0; i < steps.length; i++) {
    result.step_results.push(null);
    result.step_errors.push(null);
    const step = steps[i];
    if (step.condition && !conditionHolds(step.condition, result, ctx.stream.conn)) continue;
    try {
      result.step_results[i] = await executeStmt(ctx, step.stmt);
      onStep?.(i, { result: result.step_results[i] as StmtResult });
    } catch (e) {
      if (e instanceof RequestError) throw e;
      result.step_errors[i] = toHranaError(e);
      onStep?.(i, { error: result.step_errors[i] as HranaError });
    }
  }
  return result;
}

/** Runs every statement of a script, without parameters or results. */
export async function executeSequence(ctx: ExecContext, source: SqlSource): Promise<void> {
  const sql = resolveSql(ctx.stream, source);
  checkLength(ctx, sql);
  const statements = parseScript(sql);
  for (const parsed of statements) checkWritable(ctx, parsed);
  for (const parsed of statements) {
    await withBusyRetry(ctx, () => runTracked(ctx.stream, parsed, () => ctx.stream.conn.prepare(parsed.text).run()));
  }
}

export function describe(ctx: ExecContext, source: SqlSource): DescribeResult {
  const sql = resolveSql(ctx.stream, source);
  checkLength(ctx, sql);
  const statements = parseScript(sql);
  if (statements.length !== 1) throw new SqliteError("describe takes exactly one statement", "SQLITE_MISUSE");
  const parsed = statements[0];
  return {
    // As sqlite3_bind_parameter_name: null for a bare ?, else the name with its prefix (?NNN, :x, @x, $x).
    params: parsed.parameters.names.map((name) => ({ name })),
    cols: columnsOf(ctx.stream.conn, sql),
    is_explain: parsed.statement.kind === "Explain",
    is_readonly: isReadOnly(parsed),
  };
}
