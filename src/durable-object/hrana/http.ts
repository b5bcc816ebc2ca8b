// Hrana over HTTP: `POST v2|v3/pipeline` (JSON in, JSON out) and
// `POST v3/cursor` (JSON in, newline-delimited JSON out: first the baton line,
// then one entry per line, every line ending in "\n").
import type { Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import { readBodyText } from "../request-body.js";
import { cursorEntries } from "./cursor.js";
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
  const { value: entries, baton } = await service.withStream(body.baton, async (stream) => ({
    value: await cursorEntries(service.context(stream, access), body.steps),
    close: false,
  }));
  const text = [{ baton, base_url: null }, ...entries].map((line) => `${JSON.stringify(line)}\n`).join("");
  return new Response(text, { headers: { "content-type": "application/x-ndjson" } });
}
