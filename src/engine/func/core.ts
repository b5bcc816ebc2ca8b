// Core scalar functions (SQLite's func.c): text and blob functions, type and
// null handling, abs/round/sign, random, quote/hex/unhex, printf/format,
// LIKE/GLOB, version and connection-state functions.
import { SqliteError } from "../errors.js";
import { truthValue } from "../value/arith.js";
import { binaryCollation, type Collation } from "../value/collation.js";
import { compareValues } from "../value/compare.js";
import { textToNumericAffinity, toDouble, toInt64 } from "../value/convert.js";
import { globMatch, likeMatch } from "../value/pattern.js";
import { blobToHex, parseReal, parsedReal, quoteValue, textToBlob, utf8Length, valueToText } from "../value/text.js";
import { IntegralReal, intValue, realValue, storageClass, type SqlValue } from "../value/types.js";
import { formatFloat, sqlPrintf, type FormatSpec } from "./printf.js";
import type { FunctionContext, ScalarFunction } from "./types.js";

export const SQLITE_VERSION = "3.54.1";
export const SQLITE_SOURCE_ID = "2026-10-16 14:45:20 555e07ef33f69a0957d24d8e555b702464a131d6f1607f4c3c1e4551e8e6ca76";

/** SQLITE_MAX_LENGTH: the largest string or blob a function may return. */
const MAX_LENGTH = 1_000_000_000;

type Call = (args: readonly SqlValue[], ctx: FunctionContext) => SqlValue;

function scalar(name: string, nArgs: number, call: Call, deterministic = true): ScalarFunction {
  return { kind: "scalar", name, nArgs, deterministic, call };
}

/** sqlite3_value_text: the text of a value, or null for NULL. */
function text(v: SqlValue): string | null {
  return v === null ? null : valueToText(v);
}

/** sqlite3_value_numeric_type: the number a value stands for, or undefined if it is not numeric. */
function numericOf(v: SqlValue): number | bigint | IntegralReal | undefined {
  if (typeof v === "number" || typeof v === "bigint" || v instanceof IntegralReal) return v;
  if (typeof v === "string") {
    const n = textToNumericAffinity(v, false);
    return typeof n === "string" ? undefined : (n as number | bigint | IntegralReal);
  }
  return undefined;
}

function tooBig(): never {
  throw new SqliteError("string or blob too big", "SQLITE_TOOBIG");
}

/** Character count of text up to the first NUL (SQLite's C strings end there). */
function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) break;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** Code point offsets: index in UTF-16 units of the k-th character. */
function unitIndexOfChar(s: string, k: number): number {
  let i = 0;
  while (k > 0 && i < s.length) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    k--;
  }
  return i;
}

/** abs(): INTEGER and REAL keep their class (abs(-2^63) overflows); anything else is the REAL |double|. */
const abs: Call = ([x]) => {
  if (x === null) return null;
  if (typeof x === "bigint") {
    if (x === -9223372036854775808n) throw new SqliteError("integer overflow");
    return x < 0n ? intValue(-x) : x;
  }
  if (typeof x === "number") return Math.abs(x);
  if (x instanceof IntegralReal) return new IntegralReal(Math.abs(x.value));
  return realValue(Math.abs(toDouble(x)));
};

const charFn: Call = (args) => {
  let out = "";
  for (const a of args) {
    const x = toInt64(a);
    const cp = typeof x === "bigint" || x < 0 || x > 0x10ffff ? 0xfffd : x;
    out += String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  return out;
};

const coalesce: Call = (args) => {
  for (const a of args) if (a !== null) return a;
  return null;
};

const concatFn: Call = (args) => {
  let out = "";
  for (const a of args) if (a !== null) out += valueToText(a);
  return out;
};

const concatWs: Call = (args) => {
  const sep = text(args[0]);
  if (sep === null) return null;
  let out = "";
  let first = true;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === null) continue;
    if (!first) out += sep;
    out += valueToText(a);
    first = false;
  }
  return out;
};

const printf: Call = (args) => {
  const fmt = args.length > 0 ? text(args[0]) : null;
  if (fmt === null) return null;
  return sqlPrintf(fmt, args.slice(1));
};

const glob: Call = ([pattern, s]) => {
  const p = text(pattern);
  const t = text(s);
  if (p === null || t === null) return null;
  return globMatch(p, t) ? 1 : 0;
};

const like: Call = (args, ctx) => {
  const p = text(args[0]);
  const t = text(args[1]);
  if (p === null || t === null) return null;
  let escape = 0;
  if (args.length === 3) {
    const e = text(args[2]);
    if (e === null) return null;
    if ([...e].length !== 1) throw new SqliteError("ESCAPE expression must be a single character");
    escape = e.codePointAt(0) as number;
  }
  if (utf8Length(p) > 50000) throw new SqliteError("LIKE or GLOB pattern too complex");
  return likeMatch(p, t, escape, ctx.caseSensitiveLike()) ? 1 : 0;
};

const hex: Call = ([x]) => {
  if (x === null) return "";
  return blobToHex(x instanceof Uint8Array ? x : textToBlob(valueToText(x)));
};

const iif: Call = (args) => {
  let i = 0;
  for (; i + 1 < args.length; i += 2) if (truthValue(args[i]) === true) return args[i + 1];
  return i < args.length ? args[i] : null;
};

const instr: Call = ([haystack, needle]) => {
  if (haystack === null || needle === null) return null;
  if (haystack instanceof Uint8Array && needle instanceof Uint8Array) {
    if (needle.length === 0) return 1;
    outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
      for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
      return i + 1;
    }
    return 0;
  }
  const h = valueToText(haystack);
  const n = valueToText(needle);
  const at = h.indexOf(n);
  return at < 0 ? 0 : charLength(h.slice(0, at)) + 1;
};

const length: Call = ([x]) => {
  if (x === null) return null;
  if (x instanceof Uint8Array) return x.length;
  return charLength(valueToText(x));
};

const octetLength: Call = ([x]) => {
  if (x === null) return null;
  if (x instanceof Uint8Array) return x.length;
  return utf8Length(valueToText(x));
};

function mapAscii(s: string, from: number, to: number, delta: number): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= from && c <= to) {
      out += s.slice(start, i) + String.fromCharCode(c + delta);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

const lower: Call = ([x]) => (x === null ? null : mapAscii(valueToText(x), 65, 90, 32));
const upper: Call = ([x]) => (x === null ? null : mapAscii(valueToText(x), 97, 122, -32));

/** trim/ltrim/rtrim: remove characters of the set (default a space) from the chosen ends. */
function trimmer(left: boolean, right: boolean): Call {
  return (args) => {
    const s = text(args[0]);
    if (s === null) return null;
    let set = " ";
    if (args.length > 1) {
      const t = text(args[1]);
      if (t === null) return null;
      set = t;
    }
    const chars = [...s];
    const remove = new Set([...set]);
    let start = 0;
    let end = chars.length;
    if (left) while (start < end && remove.has(chars[start])) start++;
    if (right) while (end > start && remove.has(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  };
}

/**
 * Multi-argument max()/min() comparing with `collation` (that of the first
 * argument with one; BINARY for the registered built-ins): NULL if any
 * argument is NULL, else the extreme value. Among equal values max() keeps
 * the first and min() the last, as SQLite's minmaxFunc does.
 */
export function minMaxScalar(kind: "min" | "max", collation: Collation = binaryCollation): ScalarFunction {
  const sign = kind === "max" ? 1 : -1;
  return scalar(kind, -1, (args) => {
    let best: SqlValue = args[0];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === null) return null;
      const c = compareValues(a, best, collation) * sign;
      if (c > 0 || (sign < 0 && c === 0)) best = a;
    }
    return best;
  });
}

/** nullif(a, b) comparing with `collation` (that of the first argument with one, as for min/max). */
export function nullifWith(collation: Collation = binaryCollation): ScalarFunction {
  return scalar("nullif", 2, ([a, b]) => (a !== null && b !== null && compareValues(a, b, collation) === 0 ? null : a));
}

const random: Call = (_args, ctx) => {
  const bytes = new Uint8Array(8);
  ctx.randomBytes(bytes);
  const v = new DataView(bytes.buffer).getBigInt64(0, true);
  return intValue(v);
};

const randomblob: Call = ([n], ctx) => {
  const size = toInt64(n);
  const count = typeof size === "bigint" ? (size > 0n ? MAX_LENGTH + 1 : 1) : size < 1 ? 1 : size;
  if (count > MAX_LENGTH) tooBig();
  const bytes = new Uint8Array(count);
  ctx.randomBytes(bytes);
  return bytes;
};

const replace: Call = ([x, from, to]) => {
  const s = text(x);
  const f = text(from);
  if (s === null || f === null) return null;
  if (f === "") return s;
  const t = text(to);
  if (t === null) return null;
  return s.split(f).join(t);
};

/** round(X, N): N clamped to 0..30; through "%!.*f" for a fractional N, as SQLite does. */
const round: Call = (args) => {
  let digits = 0;
  if (args.length === 2) {
    if (args[1] === null) return null;
    const n = toInt64(args[1]);
    digits = typeof n === "bigint" ? (n > 0n ? 30 : 0) : Math.min(Math.max(n, 0), 30);
  }
  if (args[0] === null) return null;
  let r = toDouble(args[0]);
  if (r < -4503599627370496 || r > 4503599627370496) {
    // Already integral: nothing to round.
  } else if (digits === 0) {
    r = Math.trunc(r + (r < 0 ? -0.5 : 0.5));
  } else {
    const spec: FormatSpec = { leftJustify: false, prefix: "", alternate: false, altform2: true, zeroPad: false, thousands: false, width: 0, precision: digits };
    parseReal(formatFloat(r, "f", spec));
    r = parsedReal.value;
  }
  return realValue(r);
};

const sign: Call = ([x]) => {
  const n = numericOf(x);
  if (n === undefined) return null;
  const d = typeof n === "number" ? n : typeof n === "bigint" ? Number(n) : n.value;
  return d < 0 ? -1 : d > 0 ? 1 : 0;
};

/** Output of substrBounds (module-level so substr() allocates no tuple per call). */
const substrRange = { start: 0, length: 0 };

/**
 * SQLite's substr index arithmetic: 0-based start and length from the SQL
 * arguments Y and Z of a value of `len` characters (or bytes). Y = 0 behaves
 * like 1 but eats one of Z, negative Y counts from the end, negative Z takes
 * characters before Y.
 */
function substrBounds(p1: number, p2: number, len: number): void {
  let negP2 = false;
  if (p2 < 0) {
    p2 = -p2;
    negP2 = true;
  }
  if (p1 < 0) {
    p1 += len;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    p1--;
  } else if (p2 > 0) {
    p2--;
  }
  if (negP2) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  substrRange.start = p1;
  substrRange.length = p2;
}

/** substrBounds with int64 wrap-around, for arguments near the int64 limits (SQLite does this arithmetic in i64). */
function substrBoundsInt64(p1: bigint, p2: bigint, len: bigint): void {
  const wrap = (v: bigint) => BigInt.asIntN(64, v);
  let negP2 = false;
  if (p2 < 0n) {
    p2 = wrap(-p2);
    negP2 = true;
  }
  if (p1 < 0n) {
    p1 = wrap(p1 + len);
    if (p1 < 0n) {
      p2 = wrap(p2 + p1);
      if (p2 < 0n) p2 = 0n;
      p1 = 0n;
    }
  } else if (p1 > 0n) {
    p1--;
  } else if (p2 > 0n) {
    p2--;
  }
  if (negP2) {
    p1 = wrap(p1 - p2);
    if (p1 < 0n) {
      p2 = wrap(p2 + p1);
      p1 = 0n;
    }
  }
  const clamp = (v: bigint) => (v > BigInt(MAX_LENGTH) ? MAX_LENGTH : v < 0n ? 0 : Number(v));
  substrRange.start = clamp(p1);
  substrRange.length = clamp(p2);
}

/**
 * substr(X, Y[, Z]) with SQLite's index rules: 1-based, Y = 0 behaves like
 * 1 but eats one of Z, negative Y counts from the end, negative Z takes
 * characters before Y. Characters for text, bytes for blobs.
 */
const substr: Call = (args) => {
  const [x, y] = args;
  if (y === null || (args.length === 3 && args[2] === null)) return null;
  if (x === null) return null;
  const isBlob = x instanceof Uint8Array;
  const s = isBlob ? "" : valueToText(x);
  const len = isBlob ? x.length : charLength(s);
  const start = toInt64(y);
  const count = args.length === 3 ? toInt64(args[2]) : MAX_LENGTH;
  if (typeof start === "number" && typeof count === "number" && Math.abs(start) < 2 ** 52 && Math.abs(count) < 2 ** 52) {
    substrBounds(start, count, len);
  } else {
    substrBoundsInt64(BigInt(start), BigInt(count), BigInt(len));
  }
  const p1 = substrRange.start;
  const p2 = substrRange.length;
  if (isBlob) {
    if (p1 >= len) return new Uint8Array(0);
    return x.slice(p1, p1 + Math.min(p2, len - p1));
  }
  const from = unitIndexOfChar(s, p1);
  return s.slice(from, from + unitIndexOfChar(s.slice(from), p2));
};

const typeofFn: Call = ([x]) => storageClass(x);

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** unhex(X[, Y]): hex pairs to bytes; characters of Y may appear between pairs; anything else gives NULL. */
const unhex: Call = (args) => {
  const s = text(args[0]);
  if (s === null) return null;
  let ignore = "";
  if (args.length === 2) {
    const t = text(args[1]);
    if (t === null) return null;
    ignore = t;
  }
  const out: number[] = [];
  const chars = [...s];
  for (let i = 0; i < chars.length; ) {
    const hi = chars[i].length === 1 ? hexDigit(chars[i].charCodeAt(0)) : -1;
    if (hi < 0) {
      if (ignore.includes(chars[i])) {
        i++;
        continue;
      }
      return null;
    }
    const lo = i + 1 < chars.length && chars[i + 1].length === 1 ? hexDigit(chars[i + 1].charCodeAt(0)) : -1;
    if (lo < 0) return null;
    out.push(hi * 16 + lo);
    i += 2;
  }
  return new Uint8Array(out);
};

const unicode: Call = ([x]) => {
  const s = text(x);
  if (s === null || s.length === 0) return null;
  return s.codePointAt(0) as number;
};

const zeroblob: Call = ([n]) => {
  const size = toInt64(n);
  if (typeof size === "bigint" ? size > 0n : size > MAX_LENGTH) tooBig();
  return new Uint8Array(typeof size === "number" && size > 0 ? size : 0);
};

const quote: Call = ([x]) => quoteValue(x);

/** Escapes unistr() understands: \\, \XXXX, \uXXXX, \+XXXXXX, \UXXXXXXXX (hex digit counts fixed). */
const unistr: Call = ([x]) => {
  const s = text(x);
  if (s === null) return null;
  let out = "";
  let start = 0;
  for (let i = s.indexOf("\\"); i >= 0; i = s.indexOf("\\", start)) {
    out += s.slice(start, i);
    const kind = s[i + 1];
    let digits = 4;
    let at = i + 1;
    if (kind === "\\") {
      out += "\\";
      start = i + 2;
      continue;
    }
    if (kind === "u") at++;
    else if (kind === "+") {
      digits = 6;
      at++;
    } else if (kind === "U") {
      digits = 8;
      at++;
    }
    let cp = 0;
    for (let k = 0; k < digits; k++) {
      const d = hexDigit(s.charCodeAt(at + k));
      if (d < 0) throw new SqliteError("invalid Unicode escape");
      cp = cp * 16 + d;
    }
    // Beyond U+10FFFF SQLite writes 4 bytes that are not valid UTF-8.
    out += cp > 0x10ffff ? "\uFFFD".repeat(4) : String.fromCodePoint(cp);
    start = at + digits;
  }
  return out + s.slice(start);
};

/** unistr_quote(): quote(), except text with control characters becomes unistr('...') with \u00XX escapes. */
const unistrQuote: Call = ([x]) => {
  if (typeof x !== "string" || !/[\x01-\x1f]/.test(x)) return quoteValue(x);
  const escaped = x
    .replaceAll("\\", "\\\\")
    .replaceAll("'", "''")
    .replace(/[\x01-\x1f]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  return "unistr('" + escaped + "')";
};

/** Soundex codes of A..Z (0: vowels and H, W, Y, which are not coded). */
const SOUNDEX_CODES = "01230120022455012623010202";

/**
 * soundex(X) as SQLite's (SQLITE_SOUNDEX) version: first letter, then the
 * codes of following letters with repeats collapsed; an uncoded letter
 * (including H and W) separates repeats. "?000" when X has no ASCII letter.
 */
const soundex: Call = ([x]) => {
  const s = x === null ? "" : valueToText(x);
  const codeOf = (c: number) => {
    const upperCase = c & 0x5f;
    return upperCase >= 65 && upperCase <= 90 && (c & 0x7f) === c ? SOUNDEX_CODES.charCodeAt(upperCase - 65) - 48 : 0;
  };
  const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let i = 0;
  while (i < s.length && !isAlpha(s.charCodeAt(i))) i++;
  if (i >= s.length) return "?000";
  let prev = codeOf(s.charCodeAt(i));
  let out = s[i].toUpperCase();
  for (; out.length < 4 && i < s.length; i++) {
    const code = codeOf(s.charCodeAt(i));
    if (code > 0) {
      if (code !== prev) {
        prev = code;
        out += String(code);
      }
    } else {
      prev = 0;
    }
  }
  return out.padEnd(4, "0");
};

const identity: Call = ([x]) => x;

const likelihood: Call = ([x, p]) => {
  const prob = typeof p === "number" || p instanceof IntegralReal ? toDouble(p) : -1;
  if (!(prob >= 0 && prob <= 1)) {
    throw new SqliteError("second argument to likelihood() must be a constant between 0.0 and 1.0");
  }
  return x;
};

export const coreScalarFunctions: readonly ScalarFunction[] = [
  scalar("abs", 1, abs),
  scalar("char", -1, charFn),
  scalar("coalesce", -1, coalesce),
  scalar("concat", -1, concatFn),
  scalar("concat_ws", -1, concatWs),
  scalar("format", -1, printf),
  scalar("printf", -1, printf),
  scalar("glob", 2, glob),
  scalar("hex", 1, hex),
  scalar("ifnull", 2, coalesce),
  scalar("iif", -1, iif),
  scalar("if", -1, iif),
  scalar("instr", 2, instr),
  scalar("length", 1, length),
  scalar("like", 2, like),
  scalar("like", 3, like),
  scalar("likelihood", 2, likelihood),
  scalar("likely", 1, identity),
  scalar("unlikely", 1, identity),
  scalar("lower", 1, lower),
  scalar("upper", 1, upper),
  scalar("ltrim", 1, trimmer(true, false)),
  scalar("ltrim", 2, trimmer(true, false)),
  scalar("rtrim", 1, trimmer(false, true)),
  scalar("rtrim", 2, trimmer(false, true)),
  scalar("trim", 1, trimmer(true, true)),
  scalar("trim", 2, trimmer(true, true)),
  minMaxScalar("max"),
  minMaxScalar("min"),
  nullifWith(),
  scalar("octet_length", 1, octetLength),
  scalar("quote", 1, quote),
  scalar("random", 0, random, false),
  scalar("randomblob", 1, randomblob, false),
  scalar("replace", 3, replace),
  scalar("round", 1, round),
  scalar("round", 2, round),
  scalar("sign", 1, sign),
  scalar("soundex", 1, soundex),
  scalar("substr", 2, substr),
  scalar("substr", 3, substr),
  scalar("substring", 2, substr),
  scalar("substring", 3, substr),
  scalar("typeof", 1, typeofFn),
  scalar("unhex", 1, unhex),
  scalar("unhex", 2, unhex),
  scalar("unicode", 1, unicode),
  scalar("unistr", 1, unistr),
  scalar("unistr_quote", 1, unistrQuote),
  scalar("zeroblob", 1, zeroblob),
  scalar("sqlite_version", 0, () => SQLITE_VERSION),
  scalar("sqlite_source_id", 0, () => SQLITE_SOURCE_ID),
  scalar("changes", 0, (_a, ctx) => ctx.changes(), false),
  scalar("total_changes", 0, (_a, ctx) => ctx.totalChanges(), false),
  scalar("last_insert_rowid", 0, (_a, ctx) => ctx.lastInsertRowid(), false),
];
