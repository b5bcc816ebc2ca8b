// Helpers for worker tests that speak Hrana over HTTP to the Worker.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const HOST = "http://tessera.test";

export interface PipelineBody {
  baton: string | null;
  base_url: string | null;
  results: { type: "ok" | "error"; response?: Record<string, unknown> & { type: string; result?: unknown }; error?: { message: string; code: string } }[];
}

export interface StmtResultJson {
  cols: { name: string; decltype: string | null }[];
  rows: { type: string; value?: unknown; base64?: string }[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
  rows_read: number;
  rows_written: number;
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${HOST}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** POSTs a pipeline and returns its parsed 200 body. */
export async function pipeline(db: string, requests: unknown[], baton: string | null = null, version = "v2"): Promise<PipelineBody> {
  const res = await post(`/db/${db}/${version}/pipeline`, { baton, requests });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as PipelineBody;
}

export function execute(sql: string, args: unknown[] = [], extra: Record<string, unknown> = {}): unknown {
  return { type: "execute", stmt: { sql, args, ...extra } };
}

/** The execute result of request `i`, asserting it succeeded. */
export function resultOf(body: PipelineBody, i: number): StmtResultJson {
  const r = body.results[i];
  expect(r.type, JSON.stringify(r.error)).toBe("ok");
  return r.response?.result as StmtResultJson;
}

/** Runs SQL statements on a fresh stream that is then closed; returns their results. */
export async function run(db: string, ...sql: string[]): Promise<StmtResultJson[]> {
  const body = await pipeline(db, [...sql.map((s) => execute(s)), { type: "close" }]);
  expect(body.baton).toBeNull();
  return sql.map((_, i) => resultOf(body, i));
}

export async function expectJsonError(res: Response, status: number, code?: string): Promise<{ message: string; code: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/json");
  const body = JSON.parse(text) as { message: string; code: string };
  expect(typeof body.message).toBe("string");
  if (code !== undefined) expect(body.code).toBe(code);
  return body;
}
