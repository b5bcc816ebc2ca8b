// The requests of a Hrana pipeline, run in order on one stream. Each request
// gets its own ok/error result; a failing request does not stop the ones after
// it (clients rely on that: a batch's failing step is reported in the step).
import { StatementRefused, toHranaError, type HranaError } from "./errors.js";
import { describe, executeBatch, executeSequence, executeStmt, type ExecContext } from "./execute.js";
import type { StreamRequest } from "./protocol.js";

export type StreamResponse =
  | { type: "close" | "sequence" | "store_sql" | "close_sql" }
  | { type: "execute"; result: unknown }
  | { type: "batch"; result: unknown }
  | { type: "describe"; result: unknown }
  | { type: "get_autocommit"; is_autocommit: boolean };

export type StreamResult = { type: "ok"; response: StreamResponse } | { type: "error"; error: HranaError };

export interface PipelineOutcome {
  results: StreamResult[];
  /** A `close` request ended the stream. */
  closed: boolean;
}

/** Runs one stream request (the kinds HTTP pipelines and WebSockets share). */
export async function runRequest(ctx: ExecContext, request: StreamRequest): Promise<StreamResponse> {
  const { stream } = ctx;
  switch (request.type) {
    case "close":
      return { type: "close" };
    case "execute":
      return { type: "execute", result: await executeStmt(ctx, request.stmt) };
    case "batch":
      return { type: "batch", result: await executeBatch(ctx, request.steps) };
    case "sequence":
      await executeSequence(ctx, request.source);
      return { type: "sequence" };
    case "describe":
      return { type: "describe", result: describe(ctx, request.source) };
    case "store_sql":
      if (stream.storedSql.has(request.sqlId)) throw new StatementRefused(`sql_id ${request.sqlId} is already in use`, "SQL_ID_IN_USE");
      if (stream.storedSql.size >= ctx.limits.maxStoredSql) {
        throw new StatementRefused(`a stream may store at most ${ctx.limits.maxStoredSql} SQL texts`, "TOO_MANY_STORED_SQL");
      }
      stream.storedSql.set(request.sqlId, request.sql);
      return { type: "store_sql" };
    case "close_sql":
      stream.storedSql.delete(request.sqlId);
      return { type: "close_sql" };
    case "get_autocommit":
      return { type: "get_autocommit", is_autocommit: !stream.conn.inTransaction };
  }
}

/**
 * Runs the requests; `close` ends the stream (its connection is closed by the
 * caller, rolling back an open transaction) and later requests fail.
 */
export async function runPipeline(ctx: ExecContext, requests: StreamRequest[], afterEach: () => void): Promise<PipelineOutcome> {
  const results: StreamResult[] = [];
  let closed = false;
  for (const request of requests) {
    if (closed) {
      results.push({ type: "error", error: { message: "the stream was closed by an earlier request", code: "STREAM_CLOSED" } });
      continue;
    }
    try {
      results.push({ type: "ok", response: await runRequest(ctx, request) });
      if (request.type === "close") closed = true;
    } catch (e) {
      results.push({ type: "error", error: toHranaError(e) });
    } finally {
      afterEach();
    }
  }
  return { results, closed };
}
