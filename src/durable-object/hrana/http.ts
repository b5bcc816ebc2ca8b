// Hrana over HTTP: `POST v2|v3/pipeline` (JSON in, JSON out) and
// `POST v3/cursor` (JSON in, newline-delimited JSON out: first the baton line,
// then one entry per line, every line ending in "\n").
import type { Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import { readBodyText } from "../request-body.js";
import { executeBatch } from "./execute.js";
import { runPipeline } from "./pipeline.js";
import { parseCursorRequest, parseJson, parsePipelineRequest } from "./protocol.js";

export async function handlePipeline(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parsePipelineRequest(parseJson(await readBodyText(request, service.limits.maxBodyBytes)));
  const { value: results, baton } = await service.withStream(body.baton, async (stream) => {
    const outcome = await runPipeline(service.context(stream, access), body.requests, () => service.lock.notify());
    return { value: outcome.results, close: outcome.closed };
  });
  return Response.json({ baton, base_url: null, results });
}

export async function handleCursor(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parseCursorRequest(parseJson(await readBodyText(request, service.limits.maxBodyBytes)));
  const { value: entries, baton } = await service.withStream(body.baton, async (stream) => {
    const lines: unknown[] = [];
    await executeBatch(service.context(stream, access), body.steps, (step, outcome) => {
      if ("error" in outcome) {
        lines.push({ type: "step_error", step, error: outcome.error });
        return;
      }
      const { cols, rows, affected_row_count, last_insert_rowid } = outcome.result;
      lines.push({ type: "step_begin", step, cols });
      for (const row of rows) lines.push({ type: "row", row });
      lines.push({ type: "step_end", affected_row_count, last_insert_rowid });
    });
    return { value: lines, close: false };
  });
  const text = [{ baton, base_url: null }, ...entries].map((line) => `${JSON.stringify(line)}\n`).join("");
  return new Response(text, { headers: { "content-type": "application/x-ndjson" } });
}
