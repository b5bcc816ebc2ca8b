// Conversions between SQL values and JSON for the JSON functions: reading a
// function argument as JSON (text, JSONB blob, or a value carrying the JSON
// subtype), turning SQL values into JSON elements, and JSON elements back
// into SQL values. Also defines how the JSON subtype travels (see
// SubtypeContext).
import { SqliteError } from "../errors.js";
import { INT64_MAX, intValue, isInteger, isReal, numericAsDouble, realValue, type SqlValue } from "../value/types.js";
import type { FunctionContext } from "./types.js";
import {
  ByteString,
  JSONB_ARRAY,
  JSONB_FALSE,
  JSONB_FLOAT,
  JSONB_FLOAT5,
  JSONB_INT,
  JSONB_INT5,
  JSONB_NULL,
  JSONB_OBJECT,
  JSONB_TEXT,
  JSONB_TEXT5,
  JSONB_TEXTJ,
  JSONB_TEXTRAW,
  JSONB_TRUE,
  JSON_INVALID_CHAR,
  JsonParse,
  blobToText,
  fromUtf8,
  hexValue,
  isXDigitByte,
  mightBeJsonb,
  parseJsonString,
  parseJsonText,
  unescapeOneChar,
  utf8,
} from "./json-blob.js";
import { realToText } from "../value/text.js";
import { parseSqlReal, sqlTextOf } from "./datetime-value-text.js";

/** SQLite's subtype for values that are JSON text ('J'). */
export const JSON_SUBTYPE = 74;

/**
 * What the executor must provide for JSON to nest correctly (SQLite's value
 * subtypes). A value returned by a JSON function while it called
 * `setResultSubtype(JSON_SUBTYPE)` is JSON text, not a string: when that
 * value is passed *directly* as an argument to another function (nested call,
 * or through a subquery/CTE column reference in the same statement, as
 * SQLite does), `argSubtype(i)` must report JSON_SUBTYPE for it. Any other
 * operation (storing in a table, ||, CAST, comparison) drops the subtype.
 * Without this interface JSON arguments are treated as plain strings, e.g.
 * json_array(json('[1]')) would give ["[1]"] instead of [[1]].
 */
export interface SubtypeContext extends FunctionContext {
  argSubtype(index: number): number;
  setResultSubtype(subtype: number): void;
}

function hasSubtypes(ctx: FunctionContext): ctx is SubtypeContext {
  return typeof (ctx as Partial<SubtypeContext>).argSubtype === "function";
}

export function argIsJson(ctx: FunctionContext, index: number): boolean {
  return hasSubtypes(ctx) && ctx.argSubtype(index) === JSON_SUBTYPE;
}

/** Marks the value being returned as JSON text. */
export function markJson(ctx: FunctionContext): void {
  if (hasSubtypes(ctx)) ctx.setResultSubtype(JSON_SUBTYPE);
}

export function malformed(): SqliteError {
  return new SqliteError("malformed JSON");
}

export function badPath(path: string): SqliteError {
  return new SqliteError(`bad JSON path: '${path.replace(/'/g, "''")}'`);
}

/**
 * A function argument as JSON (SQLite's jsonParseFuncArg): null for SQL
 * NULL; a JSONB blob as is; anything else as JSON text. Throws "malformed
 * JSON" unless `keepError`, which instead returns the failed parse.
 */
export function jsonArg(v: SqlValue): JsonParse | null;
export function jsonArg(v: SqlValue, keepError: true): { parse: JsonParse; ok: boolean } | null;
export function jsonArg(v: SqlValue, keepError = false): JsonParse | { parse: JsonParse; ok: boolean } | null {
  if (v === null) return null;
  if (v instanceof Uint8Array && mightBeJsonb(v)) {
    const parse = new JsonParse(v.slice());
    return keepError ? { parse, ok: true } : parse;
  }
  const result = parseArgText(v);
  if (keepError) return result;
  if (!result.ok) throw malformed();
  return result.parse;
}

/**
 * The JSONB of the last few JSON texts parsed (SQLite keeps a similar
 * 4-entry cache per statement): queries often apply several JSON functions
 * to the same document. Entries are immutable; callers get a copy.
 */
const PARSE_CACHE_SIZE = 4;
const parseCache: { text: string; blob: Uint8Array; hasNonstd: boolean }[] = [];

function parseStringCached(text: string): { parse: JsonParse; ok: boolean } {
  for (const entry of parseCache) {
    if (entry.text === text) {
      const parse = new JsonParse(entry.blob.slice());
      parse.hasNonstd = entry.hasNonstd;
      return { parse, ok: true };
    }
  }
  const result = parseJsonString(text);
  if (result.ok) {
    if (parseCache.length === PARSE_CACHE_SIZE) parseCache.shift();
    parseCache.push({ text, blob: result.parse.bytes(), hasNonstd: result.parse.hasNonstd });
  }
  return result;
}

/** Parses a value's text form as JSON; empty text is malformed. */
function parseArgText(v: SqlValue): { parse: JsonParse; ok: boolean } {
  if (typeof v === "string") return v.length === 0 ? { parse: new JsonParse(), ok: false } : parseStringCached(v);
  const text = sqlTextBytes(v);
  return text.length === 0 ? { parse: new JsonParse(), ok: false } : parseJsonText(text);
}

/** UTF-8 bytes of a value's text form (blobs as their bytes). */
export function sqlTextBytes(v: SqlValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return utf8(sqlTextOf(v) ?? "");
}

/** A REAL as SQLite writes it into JSON text: infinities become ±9.0e+999. */
function realAsJson(d: number): string {
  if (d === Infinity) return "9.0e+999";
  if (d === -Infinity) return "-9.0e+999";
  return realToText(d);
}

/** Appends an SQL value to JSON text (SQLite's jsonAppendSqlValue). */
export function appendSqlValue(out: ByteString, v: SqlValue, isJson: boolean): void {
  if (v === null) {
    out.ascii("null");
  } else if (isReal(v)) {
    out.ascii(realAsJson(numericAsDouble(v)));
  } else if (isInteger(v)) {
    out.ascii(String(v));
  } else if (typeof v === "string") {
    const bytes = utf8(v);
    if (isJson) out.append(bytes);
    else out.quoted(bytes);
  } else if (v instanceof Uint8Array && mightBeJsonb(v)) {
    blobToText(new JsonParse(v), 0, out);
  } else {
    throw new SqliteError("JSON cannot hold BLOB values");
  }
}

const NULL_NODE = new Uint8Array([JSONB_NULL]);

/** An SQL value as a JSONB element, for json_set & co (SQLite's jsonFunctionArgToBlob). */
export function sqlValueToJsonb(v: SqlValue, isJson: boolean): Uint8Array {
  const p = new JsonParse();
  if (v === null) return NULL_NODE;
  if (v instanceof Uint8Array) {
    if (mightBeJsonb(v)) return v;
    throw new SqliteError("JSON cannot hold BLOB values");
  }
  if (typeof v === "string") {
    if (isJson) {
      const parsed = parseJsonString(v);
      if (!parsed.ok) throw malformed();
      return parsed.parse.bytes();
    }
    const bytes = utf8(v);
    p.appendNode(JSONB_TEXTRAW, bytes.length, bytes);
    return p.bytes();
  }
  if (isReal(v)) {
    const d = numericAsDouble(v);
    const text = utf8(d === Infinity ? "9e999" : d === -Infinity ? "-9e999" : realToText(d));
    p.appendNode(JSONB_FLOAT, text.length, text);
    return p.bytes();
  }
  const text = utf8(String(v));
  p.appendNode(JSONB_INT, text.length, text);
  return p.bytes();
}

/** JSONB text payload with JSON/JSON5 escapes decoded to a string. */
function unescapeText(a: Uint8Array, start: number, end: number): string {
  const out = new ByteString();
  for (let i = start; i < end; i++) {
    const c = a[i]!;
    if (c !== 0x5c) {
      out.byte(c);
      continue;
    }
    const [v, len] = unescapeOneChar(a, i, end);
    if (v <= 0x7f) out.byte(v);
    else if (v <= 0x7ff) {
      out.byte(0xc0 | (v >> 6));
      out.byte(0x80 | (v & 0x3f));
    } else if (v < 0x10000) {
      out.byte(0xe0 | (v >> 12));
      out.byte(0x80 | ((v >> 6) & 0x3f));
      out.byte(0x80 | (v & 0x3f));
    } else if (v !== JSON_INVALID_CHAR) {
      out.byte(0xf0 | (v >> 18));
      out.byte(0x80 | ((v >> 12) & 0x3f));
      out.byte(0x80 | ((v >> 6) & 0x3f));
      out.byte(0x80 | (v & 0x3f));
    }
    i += len - 1;
  }
  return out.toString();
}

const INT64_OVERFLOW_MAGNITUDE = INT64_MAX + 1n;

/**
 * SQLite's sqlite3DecOrHexToI64 on an unsigned INT/INT5 payload: [rc, value]
 * with rc 0 = fits, 1 = not a number, 2 = too large, 3 = exactly 2^63.
 */
function decOrHexToInt(a: Uint8Array, start: number, end: number): [number, bigint] {
  if (a[start] === 0x30 && (a[start + 1] === 0x78 || a[start + 1] === 0x58)) {
    let i = start + 2;
    while (i < end && a[i] === 0x30) i++;
    let u = 0n;
    let k = i;
    for (; k < end && isXDigitByte(a[k]!); k++) u = (u * 16n + BigInt(hexValue(a[k]!))) & 0xffffffffffffffffn;
    if (k - i > 16) return [2, u];
    return [k < end ? 1 : 0, u];
  }
  const text = fromUtf8(a, start, end);
  if (!/^[0-9]+$/.test(text)) return [1, 0n];
  const value = BigInt(text);
  if (value === INT64_OVERFLOW_MAGNITUDE) return [3, value];
  return value > INT64_MAX ? [2, value] : [0, value];
}

/** The element at i as an SQL value (SQLite's jsonReturnFromBlob, text mode). */
export function sqlValueFromJsonb(p: JsonParse, i: number): SqlValue {
  const { n, sz } = p.payloadSize(i);
  if (n === 0) throw malformed();
  const a = p.aBlob;
  let from = i + n;
  const end = from + sz;
  switch (a[i]! & 0x0f) {
    case JSONB_NULL:
    case JSONB_TRUE:
    case JSONB_FALSE:
      if (sz) throw malformed();
      return a[i] === JSONB_NULL ? null : a[i] === JSONB_TRUE ? 1 : 0;
    case JSONB_INT:
    case JSONB_INT5: {
      if (sz === 0) throw malformed();
      const negative = a[from] === 0x2d;
      if (negative) {
        if (sz < 2) throw malformed();
        from++;
      }
      const [rc, value] = decOrHexToInt(a, from, end);
      if (rc === 0 && value <= INT64_MAX) return intValue(negative ? -value : value);
      if (rc === 3 && negative) return intValue(-value);
      if (rc === 1) throw malformed();
      // Hexadecimal beyond int64 becomes a REAL (SQLite 3.5x); decimal goes through the text.
      if (rc === 0) return realValue(negative ? -Number(value) : Number(value));
      return realFromText(a, i + n, end);
    }
    case JSONB_FLOAT:
    case JSONB_FLOAT5:
      if (sz === 0) throw malformed();
      return realFromText(a, from, end);
    case JSONB_TEXT:
    case JSONB_TEXTRAW:
      return fromUtf8(a, from, end);
    case JSONB_TEXTJ:
    case JSONB_TEXT5:
      return unescapeText(a, from, end);
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
      const out = new ByteString();
      blobToText(new JsonParse(a.subarray(i, end)), 0, out);
      if (out.malformed) throw malformed();
      return out.toString();
    }
    default:
      throw malformed();
  }
}

function realFromText(a: Uint8Array, start: number, end: number): SqlValue {
  const r = parseSqlReal(fromUtf8(a, start, end));
  if (r === null) throw malformed();
  return realValue(r);
}

/** Whether the element at i is an array or object (results then carry the JSON subtype). */
export function isContainer(p: JsonParse, i: number): boolean {
  return p.typeAt(i) >= JSONB_ARRAY;
}

/** Renders a whole parse as JSON text; throws on malformed JSONB. */
export function parseToText(p: JsonParse, i = 0): string {
  const out = new ByteString(p.nBlob + 16);
  blobToText(p, i, out);
  if (out.malformed) throw malformed();
  return out.toString();
}
