// SQLite's JSON SQL functions (json, json_extract, ->, ->>, json_set & co,
// json_array_insert, json_patch, json_object, json_group_array, …) and their jsonb_* twins that
// return JSONB blobs. Results that are JSON text carry the JSON subtype via
// SubtypeContext (see json-value.ts) so that nested calls see JSON, not strings.
import { SqliteError } from "../errors.js";
import { isInteger, isReal, numericAsDouble, type SqlValue } from "../value/types.js";
import type { AggregateFunction, FunctionContext, ScalarFunction, SqlFunction } from "./types.js";
import {
  ByteString,
  JSONB_ARRAY,
  JSONB_OBJECT,
  JSONB_TEXT,
  JSONB_TEXTRAW,
  JSONB_TYPE_NAMES,
  JsonEdit,
  JsonParse,
  arrayCount,
  blobToPrettyText,
  blobToText,
  isAlnumByte,
  jsonbValidityCheck,
  labelsEqual,
  mightBeJsonb,
  parseJsonText,
  utf8,
} from "./json-blob.js";
import { LOOKUP_ERROR, LOOKUP_NOTFOUND, LOOKUP_NOT_ARRAY_ELEMENT, LOOKUP_PATHERROR, lookupStep } from "./json-path.js";
import {
  appendSqlValue,
  argIsJson,
  badPath,
  isContainer,
  jsonArg,
  malformed,
  markJson,
  parseToText,
  sqlTextBytes,
  sqlValueFromJsonb,
  sqlValueToJsonb,
} from "./json-value.js";
import { sqlTextOf } from "./datetime-value-text.js";

/** How a function returns JSON: as text with the JSON subtype, or as a JSONB blob. */
type Output = "text" | "blob";

/** Returns generated JSON text as the function's result. */
function returnText(out: ByteString, output: Output, ctx: FunctionContext): SqlValue {
  if (out.malformed) throw malformed();
  if (output === "blob") {
    const parsed = parseJsonText(out.toBytes());
    return parsed.parse.bytes();
  }
  markJson(ctx);
  return out.toString();
}

/** Returns a (possibly edited) parse as the function's result. */
function returnParse(p: JsonParse, output: Output, ctx: FunctionContext): SqlValue {
  if (output === "blob") return p.bytes();
  const text = parseToText(p);
  markJson(ctx);
  return text;
}

function lookupError(rc: number, path: string): SqliteError {
  if (rc === LOOKUP_NOT_ARRAY_ELEMENT) return new SqliteError(`not an array element: '${path.replace(/'/g, "''")}'`);
  return rc === LOOKUP_PATHERROR ? badPath(path) : malformed();
}

/** Looks up a '$…' path; throws on path errors and malformed JSONB, returns null when not found. */
function lookupPath(p: JsonParse, path: string): number | null {
  if (path[0] !== "$") throw badPath(path);
  const rc = lookupStep(p, 0, utf8(path), 1, 0);
  if (rc === LOOKUP_NOTFOUND) return null;
  if (rc < 0) throw lookupError(rc, path);
  return rc;
}

function scalar(name: string, nArgs: number, call: ScalarFunction["call"]): ScalarFunction {
  return { kind: "scalar", name, nArgs, deterministic: true, call };
}

function jsonFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    const p = jsonArg(args[0]!);
    return p === null ? null : returnParse(p, output, ctx);
  };
}

function jsonArrayFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    const out = new ByteString();
    out.byte(0x5b);
    for (let i = 0; i < args.length; i++) {
      out.separator();
      appendSqlValue(out, args[i]!, argIsJson(ctx, i));
    }
    out.byte(0x5d);
    return returnText(out, output, ctx);
  };
}

function jsonObjectFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    if (args.length & 1) throw new SqliteError("json_object() requires an even number of arguments");
    const out = new ByteString();
    out.byte(0x7b);
    for (let i = 0; i < args.length; i += 2) {
      const label = args[i]!;
      if (typeof label !== "string") throw new SqliteError("json_object() labels must be TEXT");
      out.separator();
      out.quoted(utf8(label));
      out.byte(0x3a);
      appendSqlValue(out, args[i + 1]!, argIsJson(ctx, i + 1));
    }
    out.byte(0x7d);
    return returnText(out, output, ctx);
  };
}

const jsonQuote: ScalarFunction["call"] = (args, ctx) => {
  const out = new ByteString();
  appendSqlValue(out, args[0]!, argIsJson(ctx, 0));
  return returnText(out, "text", ctx);
};

const jsonArrayLength: ScalarFunction["call"] = (args) => {
  const p = jsonArg(args[0]!);
  if (p === null) return null;
  let i = 0;
  if (args.length === 2) {
    const path = sqlTextOf(args[1]!);
    if (path === null) return null;
    const rc = lookupStep(p, 0, utf8(path[0] === "$" ? path : "$@"), 1, 0);
    if (rc === LOOKUP_NOTFOUND) return null;
    if (rc < 0) throw lookupError(rc, path);
    i = rc;
  }
  return p.typeAt(i) === JSONB_ARRAY ? arrayCount(p, i) : 0;
};

/**
 * The -> and ->> operators' shorthand: an INTEGER n is $[n] (or $[#n] when
 * negative); text "abc" is $.abc, "[2]" is $[2], anything else $."text".
 */
function abbreviatedPath(arg: SqlValue, text: string): string {
  if (isInteger(arg)) return BigInt(arg) >= 0n ? `$[${arg}]` : `$[#${arg}]`;
  const bytes = utf8(text);
  if (bytes.every((c) => isAlnumByte(c) || c === 0x5f)) return `$.${text}`;
  if (text[0] === "[" && bytes.length >= 3 && text.endsWith("]")) return `$${text}`;
  return `$."${text}"`;
}

type ExtractMode = "extract" | "arrow" | "arrow2";

function jsonExtractFunc(mode: ExtractMode, output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    if (args.length < 2) return null;
    const p = jsonArg(args[0]!);
    if (p === null) return null;
    const many = args.length > 2;
    const out = new ByteString();
    if (many) out.byte(0x5b);
    for (let k = 1; k < args.length; k++) {
      const raw = sqlTextOf(args[k]!);
      if (raw === null) return null;
      let path = raw;
      if (raw[0] !== "$") {
        if (mode === "extract") throw badPath(raw);
        path = abbreviatedPath(args[k]!, raw);
      }
      const rc = lookupStep(p, 0, utf8(path), 1, 0);
      if (rc === LOOKUP_NOTFOUND) {
        if (!many) return null;
        out.separator();
        out.ascii("null");
        continue;
      }
      if (rc === LOOKUP_ERROR) throw malformed();
      if (rc < 0) throw badPath(raw);
      if (many) {
        out.separator();
        blobToText(p, rc, out);
        continue;
      }
      if (mode === "arrow") {
        blobToText(p, rc, out);
        return returnText(out, "text", ctx);
      }
      if (output === "blob" && isContainer(p, rc)) {
        const { n, sz } = p.payloadSize(rc);
        return p.aBlob.slice(rc, rc + n + sz);
      }
      const value = sqlValueFromJsonb(p, rc);
      if (mode === "extract" && output === "text" && isContainer(p, rc)) markJson(ctx);
      return value;
    }
    out.byte(0x5d);
    return returnText(out, output, ctx);
  };
}

function jsonEditFunc(name: string, edit: JsonEdit, output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    if (args.length < 1) return null;
    if ((args.length & 1) === 0) throw new SqliteError(`json_${name}() needs an odd number of arguments`);
    const p = jsonArg(args[0]!);
    if (p === null) return null;
    for (let i = 1; i < args.length - 1; i += 2) {
      if (args[i] === null) continue;
      const path = sqlTextOf(args[i]!)!;
      if (path[0] !== "$") throw badPath(path);
      const value = sqlValueToJsonb(args[i + 1]!, argIsJson(ctx, i + 1));
      let rc = 0;
      if (path.length === 1) {
        if (edit === JsonEdit.Replace || edit === JsonEdit.Set) p.edit(0, p.nBlob, value);
      } else {
        p.eEdit = edit;
        p.aIns = value;
        p.delta = 0;
        rc = lookupStep(p, 0, utf8(path), 1, 0);
      }
      if (rc === LOOKUP_NOTFOUND) continue;
      if (rc < 0) throw lookupError(rc, path);
    }
    p.eEdit = JsonEdit.None;
    return returnParse(p, output, ctx);
  };
}

/** json_array_insert(J, P, V, …): inserts V into an array before the element P names ([#] appends). */
function jsonArrayInsertFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    if (args.length < 1) return null;
    if ((args.length & 1) === 0) throw new SqliteError("json_array_insert() needs an odd number of arguments");
    const p = jsonArg(args[0]!);
    if (p === null) return null;
    for (let i = 1; i < args.length - 1; i += 2) {
      if (args[i] === null) continue;
      const path = sqlTextOf(args[i]!)!;
      if (path[0] !== "$") throw badPath(path);
      p.eEdit = JsonEdit.ArrayInsert;
      p.aIns = sqlValueToJsonb(args[i + 1]!, argIsJson(ctx, i + 1));
      p.delta = 0;
      const rc = lookupStep(p, 0, utf8(path), 1, 0);
      if (rc === LOOKUP_NOTFOUND) continue;
      if (rc < 0) throw lookupError(rc, path);
    }
    p.eEdit = JsonEdit.None;
    return returnParse(p, output, ctx);
  };
}

function jsonRemoveFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    if (args.length < 1) return null;
    const p = jsonArg(args[0]!);
    if (p === null) return null;
    for (let i = 1; i < args.length; i++) {
      const path = sqlTextOf(args[i]!);
      if (path === null) return null;
      if (path[0] !== "$") throw badPath(path);
      if (path.length === 1) return null;
      p.eEdit = JsonEdit.Delete;
      p.delta = 0;
      const rc = lookupStep(p, 0, utf8(path), 1, 0);
      if (rc === LOOKUP_NOTFOUND) continue;
      if (rc < 0) throw lookupError(rc, path);
    }
    p.eEdit = JsonEdit.None;
    return returnParse(p, output, ctx);
  };
}

const jsonType: ScalarFunction["call"] = (args) => {
  const p = jsonArg(args[0]!);
  if (p === null) return null;
  let i = 0;
  if (args.length === 2) {
    const path = sqlTextOf(args[1]!);
    if (path === null) return null;
    const found = lookupPath(p, path);
    if (found === null) return null;
    i = found;
  }
  return JSONB_TYPE_NAMES[p.typeAt(i)]!;
};

/** sqlite3_value_int64 for the small flag arguments. */
function int64Of(v: SqlValue): number {
  if (isInteger(v)) return Number(v);
  if (isReal(v)) return Math.trunc(numericAsDouble(v));
  const m = /^\s*([+-]?\d+)/.exec(sqlTextOf(v) ?? "");
  return m ? Number(m[1]) : 0;
}

const jsonValid: ScalarFunction["call"] = (args) => {
  let flags = 1;
  if (args.length === 2) {
    const f = int64Of(args[1]!);
    if (f < 1 || f > 15) throw new SqliteError("FLAGS parameter to json_valid() must be between 1 and 15");
    flags = f & 0x0f;
  }
  const v = args[0]!;
  if (v === null) return null;
  if (v instanceof Uint8Array && mightBeJsonb(v)) {
    if (flags & 0x04) return 1;
    if (flags & 0x08) return jsonbValidityCheck(new JsonParse(v), 0, v.length, 1) === 0 ? 1 : 0;
    return 0;
  }
  if ((flags & 0x03) === 0) return 0;
  const parsed = jsonArg(v, true)!;
  if (!parsed.ok) return 0;
  return flags & 0x02 || !parsed.parse.hasNonstd ? 1 : 0;
};

const jsonErrorPosition: ScalarFunction["call"] = (args) => {
  const v = args[0]!;
  if (v === null) return null;
  if (v instanceof Uint8Array && mightBeJsonb(v)) return jsonbValidityCheck(new JsonParse(v), 0, v.length, 1);
  const text = sqlTextBytes(v);
  const parsed = parseJsonText(text);
  if (parsed.ok) return 0;
  // 1-based character (not byte) offset of the error.
  let position = 0;
  for (let k = 0; k < parsed.parse.iErr && k < text.length; k++) if ((text[k]! & 0xc0) !== 0x80) position++;
  return position + 1;
};

const jsonPretty: ScalarFunction["call"] = (args) => {
  const p = jsonArg(args[0]!);
  if (p === null) return null;
  const indentText = args.length === 2 ? sqlTextOf(args[1]!) : null;
  const out = new ByteString();
  blobToPrettyText(p, 0, out, utf8(indentText ?? "    "), 0);
  if (out.malformed) throw malformed();
  return out.toString();
};

/** RFC 7396 MergePatch of the patch element at iPatch into the target element at iTarget, in place. */
function mergePatch(target: JsonParse, iTarget: number, patch: JsonParse, iPatch: number): void {
  if (patch.typeAt(iPatch) !== JSONB_OBJECT) {
    const ps = patch.payloadSize(iPatch);
    const ts = target.payloadSize(iTarget);
    target.edit(iTarget, ts.n + ts.sz, patch.aBlob.subarray(iPatch, iPatch + ps.n + ps.sz));
    return;
  }
  if (target.typeAt(iTarget) !== JSONB_OBJECT) {
    const ts = target.payloadSize(iTarget);
    target.edit(iTarget + ts.n, ts.sz, null);
    target.aBlob[iTarget] = (target.aBlob[iTarget]! & 0xf0) | JSONB_OBJECT;
  }
  const pRoot = patch.payloadSize(iPatch);
  if (pRoot.n === 0) throw malformed();
  let iPCursor = iPatch + pRoot.n;
  const iPEnd = iPCursor + pRoot.sz;
  const tRoot = target.payloadSize(iTarget);
  if (tRoot.n === 0) throw malformed();
  const iTStart = iTarget + tRoot.n;
  const iTEndBE = iTStart + tRoot.sz;
  while (iPCursor < iPEnd) {
    const iPLabel = iPCursor;
    const ePLabel = patch.typeAt(iPCursor);
    if (ePLabel < JSONB_TEXT || ePLabel > JSONB_TEXTRAW) throw malformed();
    const pl = patch.payloadSize(iPCursor);
    if (pl.n === 0) throw malformed();
    const iPValue = iPCursor + pl.n + pl.sz;
    if (iPValue >= iPEnd) throw malformed();
    const pv = patch.payloadSize(iPValue);
    if (pv.n === 0) throw malformed();
    iPCursor = iPValue + pv.n + pv.sz;
    if (iPCursor > iPEnd) throw malformed();

    let iTCursor = iTStart;
    const iTEnd = iTEndBE + target.delta;
    let iTLabel = 0;
    let tl = { n: 0, sz: 0 };
    let tv = { n: 0, sz: 0 };
    let iTValue = 0;
    while (iTCursor < iTEnd) {
      iTLabel = iTCursor;
      const eTLabel = target.typeAt(iTCursor);
      if (eTLabel < JSONB_TEXT || eTLabel > JSONB_TEXTRAW) throw malformed();
      tl = target.payloadSize(iTCursor);
      if (tl.n === 0) throw malformed();
      iTValue = iTLabel + tl.n + tl.sz;
      if (iTValue >= iTEnd) throw malformed();
      tv = target.payloadSize(iTValue);
      if (tv.n === 0 || iTValue + tv.n + tv.sz > iTEnd) throw malformed();
      const equal = labelsEqual(
        patch.aBlob, iPLabel + pl.n, iPLabel + pl.n + pl.sz, ePLabel === JSONB_TEXT || ePLabel === JSONB_TEXTRAW,
        target.aBlob, iTLabel + tl.n, iTLabel + tl.n + tl.sz, eTLabel === JSONB_TEXT || eTLabel === JSONB_TEXTRAW,
      );
      if (equal) break;
      iTCursor = iTValue + tv.n + tv.sz;
    }
    const x = patch.typeAt(iPValue);
    if (iTCursor < iTEnd) {
      if (x === 0) {
        target.edit(iTLabel, tl.n + tl.sz + tv.n + tv.sz, null);
      } else {
        const savedDelta = target.delta;
        target.delta = 0;
        mergePatch(target, iTValue, patch, iPValue);
        target.delta += savedDelta;
      }
    } else if (x > 0) {
      const szNew = pl.sz + pl.n;
      if (x !== JSONB_OBJECT) {
        target.edit(iTEnd, 0, null, pv.sz + pv.n + szNew);
        target.aBlob.set(patch.aBlob.subarray(iPLabel, iPLabel + szNew), iTEnd);
        target.aBlob.set(patch.aBlob.subarray(iPValue, iPValue + pv.sz + pv.n), iTEnd + szNew);
      } else {
        target.edit(iTEnd, 0, null, szNew + 1);
        target.aBlob.set(patch.aBlob.subarray(iPLabel, iPLabel + szNew), iTEnd);
        target.aBlob[iTEnd + szNew] = 0x00;
        const savedDelta = target.delta;
        target.delta = 0;
        mergePatch(target, iTEnd + szNew, patch, iPValue);
        target.delta += savedDelta;
      }
    }
  }
  if (target.delta) {
    const { sz } = target.payloadSize(iTarget, true);
    target.delta += target.changePayloadSize(iTarget, sz + target.delta);
  }
}

function jsonPatchFunc(output: Output): ScalarFunction["call"] {
  return (args, ctx) => {
    const target = jsonArg(args[0]!);
    if (target === null) return null;
    const patch = jsonArg(args[1]!);
    if (patch === null) return null;
    mergePatch(target, 0, patch, 0);
    target.delta = 0;
    return returnParse(target, output, ctx);
  };
}

/**
 * json_group_array / json_group_object state: the JSON text so far without
 * its closing bracket (SQLite keeps the same and edits it for `inverse`).
 */
interface GroupState {
  text: ByteString | null;
}

/** Removes the first element of a group's text (SQLite's jsonGroupInverse). */
function groupInverse(state: GroupState): GroupState {
  const s = state.text!;
  const z = s.bytes;
  let inString = false;
  let nest = 0;
  let i = 1;
  for (; i < s.length; i++) {
    const c = z[i]!;
    if (c === 0x2c && !inString && nest === 0) break;
    if (c === 0x22) inString = !inString;
    else if (c === 0x5c) i++;
    else if (!inString) {
      if (c === 0x7b || c === 0x5b) nest++;
      if (c === 0x7d || c === 0x5d) nest--;
    }
  }
  if (i < s.length) {
    z.copyWithin(1, i + 1, s.length);
    s.length -= i;
  } else {
    s.length = 1;
  }
  return state;
}

/**
 * The aggregate contract has no context for value()/result(), so these
 * results cannot mark themselves: the executor must treat the results of the
 * aggregates named in JSON_SUBTYPE_AGGREGATES as carrying the JSON subtype.
 */
function groupResult(state: GroupState, open: number, close: number, output: Output): SqlValue {
  const out = new ByteString();
  if (state.text === null) out.byte(open);
  else out.append(state.text.bytes, 0, state.text.length);
  out.byte(close);
  if (output === "blob") return parseJsonText(out.toBytes()).parse.bytes();
  return out.toString();
}

function groupArray(name: string, output: Output): AggregateFunction<GroupState> {
  return {
    kind: "aggregate",
    name,
    nArgs: 1,
    init: () => ({ text: null }),
    step(state, args, ctx) {
      if (state.text === null) {
        state.text = new ByteString();
        state.text.byte(0x5b);
      } else if (state.text.length > 1) {
        state.text.byte(0x2c);
      }
      appendSqlValue(state.text, args[0]!, argIsJson(ctx, 0));
      return state;
    },
    inverse: groupInverse,
    value: (state) => groupResult(state, 0x5b, 0x5d, output),
    result: (state) => groupResult(state, 0x5b, 0x5d, output),
  };
}

function groupObject(name: string, output: Output): AggregateFunction<GroupState> {
  return {
    kind: "aggregate",
    name,
    nArgs: 2,
    init: () => ({ text: null }),
    step(state, args, ctx) {
      if (state.text === null) {
        state.text = new ByteString();
        state.text.byte(0x7b);
      } else if (state.text.length > 1) {
        state.text.byte(0x2c);
      }
      // A NULL label contributes nothing before the ':' (as in SQLite).
      const label = sqlTextOf(args[0]!);
      if (label !== null) state.text.quoted(utf8(label));
      state.text.byte(0x3a);
      appendSqlValue(state.text, args[1]!, argIsJson(ctx, 1));
      return state;
    },
    inverse: groupInverse,
    value: (state) => groupResult(state, 0x7b, 0x7d, output),
    result: (state) => groupResult(state, 0x7b, 0x7d, output),
  };
}

/**
 * The -> operator: JSON text of the element at `path` (a '$…' path, a label,
 * or an integer index as SQLite's shorthand allows); NULL when absent.
 */
export const jsonArrow: ScalarFunction = scalar("->", 2, jsonExtractFunc("arrow", "text"));
/** The ->> operator: the element at `path` as an SQL value. */
export const jsonArrow2: ScalarFunction = scalar("->>", 2, jsonExtractFunc("arrow2", "text"));

/** Aggregates whose results are JSON text (the executor gives them the JSON subtype). */
export const JSON_SUBTYPE_AGGREGATES: ReadonlySet<string> = new Set(["json_group_array", "json_group_object"]);

export const jsonFunctions: readonly SqlFunction[] = [
  scalar("json", 1, jsonFunc("text")),
  scalar("jsonb", 1, jsonFunc("blob")),
  scalar("json_array", -1, jsonArrayFunc("text")),
  scalar("jsonb_array", -1, jsonArrayFunc("blob")),
  scalar("json_array_insert", -1, jsonArrayInsertFunc("text")),
  scalar("jsonb_array_insert", -1, jsonArrayInsertFunc("blob")),
  scalar("json_array_length", 1, jsonArrayLength),
  scalar("json_array_length", 2, jsonArrayLength),
  scalar("json_error_position", 1, jsonErrorPosition),
  scalar("json_extract", -1, jsonExtractFunc("extract", "text")),
  scalar("jsonb_extract", -1, jsonExtractFunc("extract", "blob")),
  jsonArrow,
  jsonArrow2,
  scalar("json_insert", -1, jsonEditFunc("insert", JsonEdit.Insert, "text")),
  scalar("jsonb_insert", -1, jsonEditFunc("insert", JsonEdit.Insert, "blob")),
  scalar("json_object", -1, jsonObjectFunc("text")),
  scalar("jsonb_object", -1, jsonObjectFunc("blob")),
  scalar("json_patch", 2, jsonPatchFunc("text")),
  scalar("jsonb_patch", 2, jsonPatchFunc("blob")),
  scalar("json_pretty", 1, jsonPretty),
  scalar("json_pretty", 2, jsonPretty),
  scalar("json_quote", 1, jsonQuote),
  scalar("json_remove", -1, jsonRemoveFunc("text")),
  scalar("jsonb_remove", -1, jsonRemoveFunc("blob")),
  scalar("json_replace", -1, jsonEditFunc("replace", JsonEdit.Replace, "text")),
  scalar("jsonb_replace", -1, jsonEditFunc("replace", JsonEdit.Replace, "blob")),
  scalar("json_set", -1, jsonEditFunc("set", JsonEdit.Set, "text")),
  scalar("jsonb_set", -1, jsonEditFunc("set", JsonEdit.Set, "blob")),
  scalar("json_type", 1, jsonType),
  scalar("json_type", 2, jsonType),
  scalar("json_valid", 1, jsonValid),
  scalar("json_valid", 2, jsonValid),
  groupArray("json_group_array", "text"),
  groupArray("jsonb_group_array", "blob"),
  groupObject("json_group_object", "text"),
  groupObject("jsonb_group_object", "blob"),
];
