// Hrana's protobuf encoding (v3-protobuf over HTTP), with @bufbuild/protobuf's
// wire reader and writer. Requests are decoded into the same shapes the JSON
// encoding parses into (then checked by protocol.ts); responses are encoded
// from the JSON-shaped results. Field numbers follow the Hrana 3 .proto, as
// @libsql/hrana-client reads and writes them.
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { ProtocolError, type HranaError } from "./errors.js";
import type { StreamResult } from "./pipeline.js";
import { decodeBase64, encodeBase64, type HranaValue } from "./values.js";

export type Json = Record<string, unknown>;
type FieldReader = (field: number, wireType: WireType, r: BinaryReader) => boolean;

const MAX_DEPTH = 64;

/** Reads one length-delimited message (or the rest of the input at depth 0), calling `onField` per field. */
export function readMessage(r: BinaryReader, onField: FieldReader, end = r.len): void {
  while (r.pos < end) {
    const [field, wireType] = r.tag();
    if (!onField(field, wireType, r)) r.skip(wireType);
  }
}

export function nested(r: BinaryReader, wireType: WireType, read: (r: BinaryReader, end: number) => void): void {
  if (wireType !== WireType.LengthDelimited) throw new ProtocolError("protobuf: expected a length-delimited field");
  const length = r.uint32();
  const end = r.pos + length;
  if (end > r.len) throw new ProtocolError("protobuf: truncated message");
  read(r, end);
  r.pos = end;
}

function value(r: BinaryReader, end: number): Json {
  let out: Json = { type: "null" };
  readMessage(
    r,
    (field, wt, rr) => {
      if (field === 1) nested(rr, wt, () => undefined);
      else if (field === 2) out = { type: "integer", value: String(rr.sint64()) };
      else if (field === 3) out = { type: "float", value: rr.double() };
      else if (field === 4) out = { type: "text", value: rr.string() };
      else if (field === 5) out = { type: "blob", base64: encodeBase64(rr.bytes()) };
      else return false;
      return true;
    },
    end,
  );
  return out;
}

export function stmt(r: BinaryReader, end: number): Json {
  const out: Json = { args: [], named_args: [], want_rows: false };
  readMessage(
    r,
    (field, wt, rr) => {
      if (field === 1) out.sql = rr.string();
      else if (field === 2) out.sql_id = rr.int32();
      else if (field === 3) nested(rr, wt, (x, e) => (out.args as Json[]).push(value(x, e)));
      else if (field === 4)
        nested(rr, wt, (x, e) => {
          const arg: Json = {};
          readMessage(x, (f, w2, y) => (f === 1 ? ((arg.name = y.string()), true) : f === 2 ? (nested(y, w2, (z, e2) => (arg.value = value(z, e2))), true) : false), e);
          (out.named_args as Json[]).push(arg);
        });
      else if (field === 5) out.want_rows = rr.bool();
      else return false;
      return true;
    },
    end,
  );
  return out;
}

function cond(r: BinaryReader, end: number, depth: number): Json {
  if (depth > MAX_DEPTH) throw new ProtocolError("batch condition nested too deeply");
  let out: Json = {};
  const list = (x: BinaryReader, e: number) => {
    const conds: Json[] = [];
    readMessage(x, (f, w2, y) => (f === 1 ? (nested(y, w2, (z, e2) => conds.push(cond(z, e2, depth + 1))), true) : false), e);
    return conds;
  };
  readMessage(
    r,
    (field, wt, rr) => {
      if (field === 1) out = { type: "ok", step: rr.uint32() };
      else if (field === 2) out = { type: "error", step: rr.uint32() };
      else if (field === 3) nested(rr, wt, (x, e) => (out = { type: "not", cond: cond(x, e, depth + 1) }));
      else if (field === 4) nested(rr, wt, (x, e) => (out = { type: "and", conds: list(x, e) }));
      else if (field === 5) nested(rr, wt, (x, e) => (out = { type: "or", conds: list(x, e) }));
      else if (field === 6) nested(rr, wt, () => (out = { type: "is_autocommit" }));
      else return false;
      return true;
    },
    end,
  );
  return out;
}

export function batch(r: BinaryReader, end: number): Json {
  const steps: Json[] = [];
  readMessage(
    r,
    (field, wt, rr) => {
      if (field !== 1) return false;
      nested(rr, wt, (x, e) => {
        const step: Json = {};
        readMessage(x, (f, w2, y) => (f === 1 ? (nested(y, w2, (z, e2) => (step.condition = cond(z, e2, 0))), true) : f === 2 ? (nested(y, w2, (z, e2) => (step.stmt = stmt(z, e2))), true) : false), e);
        steps.push(step);
      });
      return true;
    },
    end,
  );
  return { steps };
}

const REQUEST_TYPES = ["", "close", "execute", "batch", "sequence", "describe", "store_sql", "close_sql", "get_autocommit"];

function streamRequest(r: BinaryReader, end: number): Json {
  let out: Json = {};
  readMessage(
    r,
    (field, wt, rr) => {
      const type = REQUEST_TYPES[field];
      if (!type) return false;
      out = { type };
      nested(rr, wt, (x, e) =>
        readMessage(
          x,
          (f, w2, y) => {
            if (type === "execute" && f === 1) nested(y, w2, (z, e2) => (out.stmt = stmt(z, e2)));
            else if (type === "batch" && f === 1) nested(y, w2, (z, e2) => (out.batch = batch(z, e2)));
            else if ((type === "sequence" || type === "describe") && f === 1) out.sql = y.string();
            else if ((type === "sequence" || type === "describe") && f === 2) out.sql_id = y.int32();
            else if (type === "store_sql" && f === 1) out.sql_id = y.int32();
            else if (type === "store_sql" && f === 2) out.sql = y.string();
            else if (type === "close_sql" && f === 1) out.sql_id = y.int32();
            else return false;
            return true;
          },
          e,
        ),
      );
      return true;
    },
    end,
  );
  return out;
}

export function decode(bytes: Uint8Array, read: (r: BinaryReader) => Json): Json {
  try {
    return read(new BinaryReader(bytes));
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(`malformed protobuf: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** PipelineReqBody, as the JSON shape parsePipelineRequest checks. */
export function decodePipelineRequest(bytes: Uint8Array): Json {
  return decode(bytes, (r) => {
    const out: Json = { baton: null, requests: [] };
    readMessage(r, (field, wt, rr) => {
      if (field === 1) out.baton = rr.string();
      else if (field === 2) nested(rr, wt, (x, e) => (out.requests as Json[]).push(streamRequest(x, e)));
      else return false;
      return true;
    });
    return out;
  });
}

/** CursorReqBody, as the JSON shape parseCursorRequest checks. */
export function decodeCursorRequest(bytes: Uint8Array): Json {
  return decode(bytes, (r) => {
    const out: Json = { baton: null, batch: { steps: [] } };
    readMessage(r, (field, wt, rr) => {
      if (field === 1) out.baton = rr.string();
      else if (field === 2) nested(rr, wt, (x, e) => (out.batch = batch(x, e)));
      else return false;
      return true;
    });
    return out;
  });
}

// --- encoding ---------------------------------------------------------------

export function message(w: BinaryWriter, field: number, write: (w: BinaryWriter) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  write(w);
  w.join();
}

function writeValue(w: BinaryWriter, v: HranaValue): void {
  switch (v.type) {
    case "null":
      return message(w, 1, () => undefined);
    case "integer":
      return void w.tag(2, WireType.Varint).sint64(BigInt(v.value));
    case "float":
      return void w.tag(3, WireType.Bit64).double(v.value);
    case "text":
      return void w.tag(4, WireType.LengthDelimited).string(v.value);
    case "blob":
      return void w.tag(5, WireType.LengthDelimited).bytes(decodeBase64(v.base64));
  }
}

export function writeRow(w: BinaryWriter, field: number, row: HranaValue[]): void {
  message(w, field, () => row.forEach((v) => message(w, 1, () => writeValue(w, v))));
}

export function writeCols(w: BinaryWriter, field: number, cols: { name: string | null; decltype: string | null }[]): void {
  for (const c of cols) {
    message(w, field, () => {
      if (c.name !== null) w.tag(1, WireType.LengthDelimited).string(c.name);
      if (c.decltype !== null) w.tag(2, WireType.LengthDelimited).string(c.decltype);
    });
  }
}

export function writeError(w: BinaryWriter, field: number, e: HranaError): void {
  message(w, field, () => {
    w.tag(1, WireType.LengthDelimited).string(e.message);
    if (e.code !== null) w.tag(2, WireType.LengthDelimited).string(e.code);
  });
}

interface StmtResultShape {
  cols: { name: string | null; decltype: string | null }[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export function writeStmtResult(w: BinaryWriter, field: number, r: StmtResultShape): void {
  message(w, field, () => {
    writeCols(w, 1, r.cols);
    for (const row of r.rows) writeRow(w, 2, row);
    w.tag(3, WireType.Varint).uint64(r.affected_row_count);
    if (r.last_insert_rowid !== null) w.tag(4, WireType.Varint).sint64(BigInt(r.last_insert_rowid));
  });
}

function writeResponse(w: BinaryWriter, response: Json & { type: string }): void {
  message(w, REQUEST_TYPES.indexOf(response.type), () => writeResponseBody(w, response));
}

/** The fields of a stream response message (execute, batch, describe, get_autocommit carry some; the rest none). */
export function writeResponseBody(w: BinaryWriter, response: Json & { type: string }): void {
  if (response.type === "execute") writeStmtResult(w, 1, response.result as StmtResultShape);
  else if (response.type === "batch") {
    const result = response.result as { step_results: (StmtResultShape | null)[]; step_errors: (HranaError | null)[] };
    message(w, 1, () => {
      result.step_results.forEach((r, i) => r && message(w, 1, () => (w.tag(1, WireType.Varint).uint32(i), writeStmtResult(w, 2, r))));
      result.step_errors.forEach((e, i) => e && message(w, 2, () => (w.tag(1, WireType.Varint).uint32(i), writeError(w, 2, e))));
    });
  } else if (response.type === "describe") {
    const d = response.result as { params: { name: string | null }[]; cols: { name: string; decltype: string | null }[]; is_explain: boolean; is_readonly: boolean };
    message(w, 1, () => {
      for (const p of d.params) message(w, 1, () => p.name !== null && w.tag(1, WireType.LengthDelimited).string(p.name));
      writeCols(w, 2, d.cols);
      w.tag(3, WireType.Varint).bool(d.is_explain);
      w.tag(4, WireType.Varint).bool(d.is_readonly);
    });
  } else if (response.type === "get_autocommit") w.tag(1, WireType.Varint).bool(response.is_autocommit as boolean);
}

export function encodePipelineResponse(baton: string | null, results: StreamResult[]): Uint8Array {
  const w = new BinaryWriter();
  if (baton !== null) w.tag(1, WireType.LengthDelimited).string(baton);
  for (const result of results) {
    message(w, 3, () => {
      if (result.type === "ok") message(w, 1, () => writeResponse(w, result.response as Json & { type: string }));
      else writeError(w, 2, result.error);
    });
  }
  return w.finish();
}

/** The cursor body: size-delimited CursorRespBody, then one CursorEntry per entry. */
export function encodeCursorResponse(baton: string | null, entries: Json[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const delimited = (write: (w: BinaryWriter) => void) => {
    const body = new BinaryWriter();
    write(body);
    const bytes = body.finish();
    chunks.push(new BinaryWriter().uint32(bytes.length).raw(bytes).finish());
  };
  delimited((w) => baton !== null && w.tag(1, WireType.LengthDelimited).string(baton));
  for (const entry of entries) delimited((w) => writeCursorEntry(w, entry));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The fields of one CursorEntry. */
export function writeCursorEntry(w: BinaryWriter, entry: Json): void {
  if (entry.type === "step_begin") message(w, 1, () => (w.tag(1, WireType.Varint).uint32(entry.step as number), writeCols(w, 2, entry.cols as StmtResultShape["cols"])));
  else if (entry.type === "step_end")
    message(w, 2, () => {
      w.tag(1, WireType.Varint).uint32(entry.affected_row_count as number);
      if (entry.last_insert_rowid !== null) w.tag(2, WireType.Varint).uint64(BigInt.asUintN(64, BigInt(entry.last_insert_rowid as string)));
    });
  else if (entry.type === "step_error") message(w, 3, () => (w.tag(1, WireType.Varint).uint32(entry.step as number), writeError(w, 2, entry.error as HranaError)));
  else if (entry.type === "row") writeRow(w, 4, entry.row as HranaValue[]);
}
