// Hrana over HTTP: `POST v2|v3/pipeline` (JSON in, JSON out), their protobuf
// twins `v3-protobuf/pipeline|cursor` (protobuf.ts), and
// `POST v3/cursor` (JSON in, newline-delimited JSON out: first the baton line,
// then one entry per line, every line ending in "\n"), and the legacy Hrana 1
// `POST v1/execute` / `v1/batch`, each on a fresh stream closed afterwards.
import type { Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import { readBodyBytes, readBodyText } from "../request-body.js";
import { cursorEntries } from "./cursor.js";
import { runPipeline } from "./pipeline.js";
import { executeBatch, executeStmt } from "./execute.js";
import { statementFailure } from "./errors.js";
import { batchSteps, object, parseCursorRequest, parseJson, parsePipelineRequest, stmt, type CursorRequest, type PipelineRequest } from "./protocol.js";
import { decodeCursorRequest, decodePipelineRequest, encodeCursorResponse, encodePipelineResponse } from "./protobuf.js";

async function runPipelineBody(service: DatabaseService, body: PipelineRequest, access: Access) {
  return service.withStream(body.baton, async (stream) => {
    const outcome = await runPipeline(service.context(stream, access), body.requests, () => service.lock.notify());
    return { value: outcome.results, close: outcome.closed };
  });
}

function runCursorBody(service: DatabaseService, body: CursorRequest, access: Access) {
  return service.withStream(body.baton, async (stream) => ({ value: await cursorEntries(service.context(stream, access), body.steps), close: false }));
}

export async function handlePipeline(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parsePipelineRequest(parseJson(await readBodyText(request, service.limits.maxBodyBytes)));
  const { value: results, baton } = await runPipelineBody(service, body, access);
  return Response.json({ baton, base_url: null, results });
}

export async function handleCursor(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parseCursorRequest(parseJson(await readBodyText(request, service.limits.maxBodyBytes)));
  const { value: entries, baton } = await runCursorBody(service, body, access);
  const text = [{ baton, base_url: null }, ...entries].map((line) => `${JSON.stringify(line)}\n`).join("");
  return new Response(text, { headers: { "content-type": "application/x-ndjson" } });
}

const PROTOBUF = { "content-type": "application/x-protobuf" };

export async function handleProtobufPipeline(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parsePipelineRequest(decodePipelineRequest(await readBodyBytes(request, service.limits.maxBodyBytes)));
  const { value: results, baton } = await runPipelineBody(service, body, access);
  return new Response(encodePipelineResponse(baton, results), { headers: PROTOBUF });
}

export async function handleProtobufCursor(service: DatabaseService, request: Request, access: Access): Promise<Response> {
  const body = parseCursorRequest(decodeCursorRequest(await readBodyBytes(request, service.limits.maxBodyBytes)));
  const { value: entries, baton } = await runCursorBody(service, body, access);
  return new Response(encodeCursorResponse(baton, entries), { headers: PROTOBUF });
}

async function handleLegacy(service: DatabaseService, request: Request, access: Access, kind: "execute" | "batch"): Promise<Response> {
  const body = object(parseJson(await readBodyText(request, service.limits.maxBodyBytes)), "request body");
  try {
    const { value } = await service.withStream<unknown>(null, async (stream) => {
      const ctx = service.context(stream, access);
      const result = kind === "execute" ? await executeStmt(ctx, stmt(body.stmt)) : await executeBatch(ctx, batchSteps(body.batch));
      return { value: result, close: true };
    });
    return Response.json({ result: value });
  } catch (e) {
    return statementFailure(e);
  }
}

export const handleLegacyExecute = (service: DatabaseService, request: Request, access: Access) => handleLegacy(service, request, access, "execute");
export const handleLegacyBatch = (service: DatabaseService, request: Request, access: Access) => handleLegacy(service, request, access, "batch");
