// The Hrana 2/3 JSON request shapes, checked and decoded from untrusted input.
// Anything malformed is a ProtocolError (HTTP 400), never an exception that
// would surface as a 500.
import { ProtocolError } from "./errors.js";
import { decodeValue, type BindableValue } from "./values.js";

/** Where a statement's SQL comes from: inline text or an id stored by store_sql. */
export type SqlSource = { sql: string } | { sqlId: number };

export interface Stmt {
  source: SqlSource;
  args: BindableValue[];
  namedArgs: Map<string, BindableValue>;
  wantRows: boolean;
}

export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };

export interface BatchStep {
  condition: BatchCond | null;
  stmt: Stmt;
}

export type StreamRequest =
  | { type: "close" }
  | { type: "execute"; stmt: Stmt }
  | { type: "batch"; steps: BatchStep[] }
  | { type: "sequence"; source: SqlSource }
  | { type: "describe"; source: SqlSource }
  | { type: "store_sql"; sqlId: number; sql: string }
  | { type: "close_sql"; sqlId: number }
  | { type: "get_autocommit" };

export interface PipelineRequest {
  baton: string | null;
  requests: StreamRequest[];
}

export interface CursorRequest {
  baton: string | null;
  steps: BatchStep[];
}

type Obj = Record<string, unknown>;

export function object(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ProtocolError(`${what} must be a JSON object`);
  return v as Obj;
}

function array(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ProtocolError(`${what} must be an array`);
  return v;
}

export function integer(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new ProtocolError(`${what} must be an integer`);
  return v;
}

function string(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ProtocolError(`${what} must be a string`);
  return v;
}

function baton(v: unknown): string | null {
  return v === undefined || v === null ? null : string(v, "baton");
}

function sqlSource(o: Obj): SqlSource {
  const hasSql = o.sql !== undefined && o.sql !== null;
  const hasId = o.sql_id !== undefined && o.sql_id !== null;
  if (hasSql === hasId) throw new ProtocolError("exactly one of sql and sql_id must be given");
  return hasSql ? { sql: string(o.sql, "sql") } : { sqlId: integer(o.sql_id, "sql_id") };
}

export function stmt(v: unknown): Stmt {
  const o = object(v, "stmt");
  const args = o.args === undefined || o.args === null ? [] : array(o.args, "args").map(decodeValue);
  const namedArgs = new Map<string, BindableValue>();
  if (o.named_args !== undefined && o.named_args !== null) {
    for (const item of array(o.named_args, "named_args")) {
      const arg = object(item, "a named argument");
      namedArgs.set(string(arg.name, "a named argument's name"), decodeValue(arg.value));
    }
  }
  const wantRows = o.want_rows === undefined || o.want_rows === null ? true : o.want_rows === true;
  return { source: sqlSource(o), args, namedArgs, wantRows };
}

const MAX_COND_DEPTH = 64;

function cond(v: unknown, depth = 0): BatchCond {
  if (depth > MAX_COND_DEPTH) throw new ProtocolError("batch condition nested too deeply");
  const o = object(v, "condition");
  switch (o.type) {
    case "ok":
    case "error":
      return { type: o.type, step: integer(o.step, "condition step") };
    case "not":
      return { type: "not", cond: cond(o.cond, depth + 1) };
    case "and":
    case "or":
      return { type: o.type, conds: array(o.conds, "conds").map((c) => cond(c, depth + 1)) };
    case "is_autocommit":
      return { type: "is_autocommit" };
    default:
      throw new ProtocolError(`unknown batch condition type ${JSON.stringify(o.type)}`);
  }
}

export function batchSteps(v: unknown): BatchStep[] {
  const b = object(v, "batch");
  return array(b.steps, "batch steps").map((s) => {
    const step = object(s, "batch step");
    return { condition: step.condition === undefined || step.condition === null ? null : cond(step.condition), stmt: stmt(step.stmt) };
  });
}

export function streamRequest(v: unknown): StreamRequest {
  const o = object(v, "request");
  switch (o.type) {
    case "close":
    case "get_autocommit":
      return { type: o.type };
    case "execute":
      return { type: "execute", stmt: stmt(o.stmt) };
    case "batch":
      return { type: "batch", steps: batchSteps(o.batch) };
    case "sequence":
    case "describe":
      return { type: o.type, source: sqlSource(o) };
    case "store_sql":
      return { type: "store_sql", sqlId: integer(o.sql_id, "sql_id"), sql: string(o.sql, "sql") };
    case "close_sql":
      return { type: "close_sql", sqlId: integer(o.sql_id, "sql_id") };
    default:
      throw new ProtocolError(`unknown request type ${JSON.stringify(o.type)}`);
  }
}

export function parsePipelineRequest(body: unknown): PipelineRequest {
  const o = object(body, "pipeline request body");
  return { baton: baton(o.baton), requests: array(o.requests, "requests").map(streamRequest) };
}

export function parseCursorRequest(body: unknown): CursorRequest {
  const o = object(body, "cursor request body");
  return { baton: baton(o.baton), steps: batchSteps(o.batch) };
}

/** Parses JSON text, turning a syntax error into a ProtocolError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError("the request body is not valid JSON");
  }
}
