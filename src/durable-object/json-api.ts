// The plain JSON API for curl users: `POST /db/<name>/query` with
// `{ "sql": "...", "params": [...] | {...} }`, or `{ "statements": [...] }`
// (each a SQL string or `{ sql, params }`) run in one transaction, all or
// nothing. Values: JSON numbers (integers beyond 2^53 as decimal strings),
// strings, null, and blobs as `{ "base64": "..." }` both ways.
import type { Access } from "./access.js";
import type { DatabaseService } from "./database-service.js";
import { ProtocolError, statementFailure } from "./hrana/errors.js";
import { executeStmt, type ExecContext, type StmtResult } from "./hrana/execute.js";
import { parseJson, type Stmt } from "./hrana/protocol.js";
import { decodeBase64, type BindableValue, type HranaValue } from "./hrana/values.js";
import { readBodyText } from "./request-body.js";

type JsonValue = null | number | string | { base64: string };

interface QueryResult {
  columns: string[];
  decltypes: (string | null)[];
  rows: JsonValue[][];
  changes: number;
  lastInsertRowid: number | string | null;
  /** Rows read and written in storage (libSQL's rows_read / rows_written). */
  rowsRead: number;
  rowsWritten: number;
  durationMs: number;
}

function paramValue(v: unknown): BindableValue {
  if (v === null || typeof v === "string") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && typeof (v as { base64?: unknown }).base64 === "string") return decodeBase64((v as { base64: string }).base64);
  throw new ProtocolError("a parameter must be null, a number, a string, a boolean or { base64 }");
}

function toStmt(raw: unknown): Stmt {
  const o = typeof raw === "string" ? { sql: raw } : raw;
  if (typeof o !== "object" || o === null || typeof (o as { sql?: unknown }).sql !== "string") {
    throw new ProtocolError('each statement needs "sql" (a string)');
  }
  const { sql, params } = o as { sql: string; params?: unknown };
  const stmt: Stmt = { source: { sql }, args: [], namedArgs: new Map(), wantRows: true };
  if (Array.isArray(params)) stmt.args = params.map(paramValue);
  else if (typeof params === "object" && params !== null) {
    for (const [name, value] of Object.entries(params)) stmt.namedArgs.set(name, paramValue(value));
  } else if (params !== undefined && params !== null) throw new ProtocolError('"params" must be an array or an object');
  return stmt;
}

function jsonValue(v: HranaValue): JsonValue {
  switch (v.type) {
    case "null":
      return null;
    case "integer": {
      const n = Number(v.value);
      return Number.isSafeInteger(n) ? n : v.value;
    }
    case "float":
    case "text":
      return v.value;
    case "blob":
      return { base64: v.base64 };
  }
}

function queryResult(r: StmtResult): QueryResult {
  const rowid = r.last_insert_rowid === null ? null : Number.isSafeInteger(Number(r.last_insert_rowid)) ? Number(r.last_insert_rowid) : r.last_insert_rowid;
  return {
    columns: r.cols.map((c) => c.name ?? ""),
    decltypes: r.cols.map((c) => c.decltype),
    rows: r.rows.map((row) => row.map(jsonValue)),
    changes: r.affected_row_count,
    lastInsertRowid: rowid,
    rowsRead: r.rows_read,
    rowsWritten: r.rows_written,
    durationMs: r.query_duration_ms,
  };
}

async function runInTransaction(ctx: ExecContext, stmts: Stmt[]): Promise<QueryResult[]> {
  const control = (sql: string) => executeStmt(ctx, { source: { sql }, args: [], namedArgs: new Map(), wantRows: false });
  await control(ctx.readOnly ? "BEGIN" : "BEGIN IMMEDIATE");
  const results: QueryResult[] = [];
  try {
    for (const stmt of stmts) results.push(queryResult(await executeStmt(ctx, stmt)));
    await control("COMMIT");
  } catch (e) {
    if (ctx.stream.conn.inTransaction) await control("ROLLBACK");
    throw e;
  }
  return results;
}

export async function handleQuery(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parseJson(await readBodyText(request, service.limits.maxBodyBytes));
  if (typeof body !== "object" || body === null) throw new ProtocolError('the body must be { "sql", "params" } or { "statements": [...] }');
  const statements = (body as { statements?: unknown }).statements;
  try {
    const { value } = await service.withStream<QueryResult | { results: QueryResult[] }>(null, async (stream) => {
      const ctx = service.context(stream, access);
      if (statements === undefined) return { value: queryResult(await executeStmt(ctx, toStmt(body))), close: true };
      if (!Array.isArray(statements)) throw new ProtocolError('"statements" must be an array');
      return { value: { results: await runInTransaction(ctx, statements.map(toStmt)) }, close: true };
    });
    return Response.json(value);
  } catch (e) {
    return statementFailure(e);
  }
}
