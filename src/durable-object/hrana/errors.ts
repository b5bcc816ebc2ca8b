// Errors of the service layer and their wire shape: Hrana errors are
// `{ message, code }`; request-level failures also carry an HTTP status.
// Error bodies are served as `application/json` exactly (clients compare it).
import { SqliteError } from "../../engine/errors.js";

export interface HranaError {
  message: string;
  code: string | null;
}

/** A failure of the whole HTTP request (bad input, bad baton...), answered with `status`. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Malformed protocol input: HTTP 400. */
export class ProtocolError extends RequestError {
  constructor(message: string) {
    super(message, "PROTOCOL_ERROR", 400);
  }
}

/** A statement refused by the service itself (read-only token, limits), reported like a SQLite error. */
export class StatementRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The Hrana error for a failed statement or request; unexpected exceptions keep their message. */
export function toHranaError(e: unknown): HranaError {
  if (e instanceof SqliteError) return { message: e.message, code: e.code };
  if (e instanceof StatementRefused || e instanceof RequestError) return { message: e.message, code: e.code };
  return { message: e instanceof Error ? e.message : String(e), code: "SQLITE_INTERNAL" };
}

export function errorResponse(status: number, message: string, code: string): Response {
  return new Response(JSON.stringify({ message, code }), { status, headers: { "content-type": "application/json" } });
}

/** The HTTP response for an exception escaping a request handler: 4xx for known failures, 500 otherwise. */
export function responseForError(e: unknown): Response {
  if (e instanceof RequestError) return errorResponse(e.status, e.message, e.code);
  const { message, code } = toHranaError(e);
  return errorResponse(500, message, code ?? "INTERNAL");
}

/** A one-statement endpoint's answer to a failure: 400 with the Hrana error; request-level failures propagate. */
export function statementFailure(e: unknown): Response {
  if (e instanceof RequestError) throw e;
  const { message, code } = toHranaError(e);
  return errorResponse(400, message, code ?? "SQLITE_ERROR");
}
