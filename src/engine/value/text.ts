// Number <-> text conversions with SQLite's exact rules: rendering INTEGER
// and REAL values as text (what CAST(x AS TEXT), `||` and the client see),
// the decimal digit decoder that printf shares, and parsing text as numbers
// (sqlite3AtoF / sqlite3Atoi64: whitespace, prefixes, overflow).
import { realToText } from "./real-text.js";
import { IntegralReal, INT64_MAX, INT64_MIN, type SqlValue } from "./types.js";

const INT64_MAX_AS_DOUBLE = 9223372036854775807; // rounds to 2^63 as a double

// ---------------------------------------------------------------------------
// Decimal digits of a double (SQLite's sqlite3FpDecode).
// ---------------------------------------------------------------------------

/**
 * The significant decimal digits of |r|. The value is 0.d1d2d3... × 10^iDP;
 * `digits` has no trailing zeros (zero itself is "0"). `infinite` is set for
 * ±Infinity, with no digits (NaN never reaches here).
 */
export interface DecodedFloat {
  negative: boolean;
  digits: string;
  iDP: number;
  infinite: boolean;
}

const LOG10_2 = Math.log10(2);
const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Unbiased binary exponent of a positive finite double (floor(log2(r))). */
function binaryExponent(r: number): number {
  float64[0] = r;
  const biased = (float64Words[HIGH_WORD] >>> 20) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  return Math.floor(Math.log2(r));
}

/**
 * SQLite first scales r by a power of ten chosen from its binary exponent so
 * that it has 18 or 19 integer digits and rounds that to an integer; then it
 * rounds that digit string (half up) to `iRound` significant digits (or, if
 * iRound <= 0, to -iRound digits after the decimal point), never keeping more
 * than `maxDigits`. The double rounding is deliberate: it is what SQLite does
 * and what makes e.g. 1/3.0 render as 0.33333333333333332.
 */
export function decodeFloat(r: number, iRound: number, maxDigits: number): DecodedFloat {
  const negative = r < 0;
  if (negative) r = -r;
  if (r === 0) return { negative: false, digits: "0", iDP: 1, infinite: false };
  if (r === Infinity) return { negative, digits: "", iDP: 0, infinite: true };
  const k = 17 - Math.floor(binaryExponent(r) * LOG10_2);
  // toExponential rounds the exact binary value half-up, as the integer
  // rounding of r*10^k does. The decimal exponent is first estimated; if the
  // rendering disagrees (estimate off, or a carry to the next power of ten)
  // it is recomputed exactly.
  let decimalExponent = Math.floor(Math.log10(r));
  let scaled = r.toExponential(Math.max(decimalExponent + k, 0));
  if (exponentOf(scaled) !== decimalExponent) {
    decimalExponent = exponentOf(r.toExponential(24));
    scaled = r.toExponential(Math.max(decimalExponent + k, 0));
  }
  let digits = scaled.charAt(0) + scaled.slice(2, scaled.indexOf("e"));
  if (digits.endsWith(".")) digits = digits.slice(0, -1);
  let iDP = exponentOf(scaled) + 1;
  let n = digits.length;
  if (iRound <= 0) {
    iRound = iDP - iRound;
    if (iRound === 0 && digits.charCodeAt(0) >= 53 /* '5' */) {
      digits = "0" + digits;
      iRound = 1;
      n++;
      iDP++;
    }
  }
  if (iRound > 0 && (iRound < n || n > maxDigits)) {
    if (iRound > maxDigits) iRound = maxDigits;
    const roundUp = digits.charCodeAt(iRound) >= 53;
    digits = digits.slice(0, iRound);
    if (roundUp) {
      const carried = incrementDigits(digits);
      if (carried.length > digits.length) iDP++;
      digits = carried;
    }
  }
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return { negative, digits: digits.slice(0, end), iDP, infinite: false };
}

function exponentOf(exponential: string): number {
  return Number(exponential.slice(exponential.indexOf("e") + 1));
}

/** Adds one unit in the last place of a decimal digit string. */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57 /* '9' */) i--;
  if (i < 0) return "1" + "0".repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + "0".repeat(digits.length - 1 - i);
}

// ---------------------------------------------------------------------------
// Rendering values as text.
// ---------------------------------------------------------------------------

/** A REAL as SQLite renders it (CAST(r AS TEXT), quote(), `||`, JSON): see real-text.ts. */
export { realToText };

/** TEXT rendering of an INTEGER or REAL value. */
export function numberToText(v: number | bigint | IntegralReal): string {
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : realToText(v);
  if (typeof v === "bigint") return v.toString();
  return realToText(v.value);
}

/**
 * A value as an SQL literal (quote()): NULL, integers, reals as realToText
 * but infinities as 9.0e+999 / -9.0e+999 (which read back as infinite),
 * 'text' with quotes doubled, X'HEX' for blobs.
 */
export function quoteValue(v: SqlValue): string {
  if (v === null) return "NULL";
  if (typeof v === "string") {
    // SQLite reads the text as a C string: it ends at a NUL.
    const nul = v.indexOf("\0");
    return "'" + (nul < 0 ? v : v.slice(0, nul)).replaceAll("'", "''") + "'";
  }
  if (v instanceof Uint8Array) return "X'" + blobToHex(v) + "'";
  const text = numberToText(v);
  return text === "Inf" ? "9.0e+999" : text === "-Inf" ? "-9.0e+999" : text;
}

const HEX_DIGITS = "0123456789ABCDEF";

/** Upper-case hex of a blob's bytes (hex(), quote()). */
export function blobToHex(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i++) out += HEX_DIGITS[b[i] >> 4] + HEX_DIGITS[b[i] & 15];
  return out;
}

const utf8Decoder = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

/** The text value of any non-NULL value, as sqlite3_value_text gives it (blobs decode as UTF-8). */
export function valueToText(v: Exclude<SqlValue, null>): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return blobToText(v);
  return numberToText(v);
}

/**
 * A blob read as UTF-8 text. Embedded NULs are kept, as SQLite keeps them in
 * the value; functions that read text as a C string (length(), quote())
 * stop at the first one themselves.
 */
export function blobToText(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** UTF-8 bytes of a string (TEXT to BLOB). */
export function textToBlob(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Number of bytes of the UTF-8 encoding of s, without encoding it. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const c2 = s.charCodeAt(i + 1);
        if (c2 >= 0xdc00 && c2 <= 0xdfff) {
          n += 2; // 4 bytes for 2 UTF-16 units
          i++;
        } else n += 2;
      } else n += 2;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------
// Parsing text as numbers.
// ---------------------------------------------------------------------------

/** sqlite3Isspace: space, \t, \n, \v, \f, \r. */
export function isSqlSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * How a text reads as a real number (sqlite3AtoF):
 *  1  pure integer ("12", " -3 ")
 *  2  pure real (has "." or an exponent: "1.5", "1e3", " .5 ")
 *  0  not a number, though a prefix without "." or exponent may be ("12abc", "abc", "")
 * -1  not a number, but a prefix with "." or exponent is ("1.5x", "1e3x")
 */
export type AtofKind = 1 | 2 | 0 | -1;

/** Result slots of the last `parseReal` call (module-level so parsing allocates nothing). */
export const parsedReal = { value: 0, kind: 0 as AtofKind };

/** Parses the numeric prefix of s as a double into `parsedReal` (value 0 when there is none). */
export function parseReal(s: string): void {
  const n = s.length;
  let i = 0;
  while (i < n && isSqlSpace(s.charCodeAt(i))) i++;
  const start = i;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) c = s.charCodeAt(++i);
  let mantissaDigits = 0;
  let integerPart = 0;
  while (c >= 48 && c <= 57) {
    if (mantissaDigits < 15) integerPart = integerPart * 10 + (c - 48);
    mantissaDigits++;
    c = s.charCodeAt(++i);
  }
  let hasPointOrExp = false;
  if (c === 46 /* . */) {
    let j = i + 1;
    c = s.charCodeAt(j);
    let fractionDigits = 0;
    while (c >= 48 && c <= 57) {
      fractionDigits++;
      c = s.charCodeAt(++j);
    }
    if (mantissaDigits + fractionDigits > 0) {
      i = j;
      mantissaDigits += fractionDigits;
      hasPointOrExp = true;
    }
  }
  if (mantissaDigits === 0) {
    parsedReal.value = 0;
    parsedReal.kind = 0;
    return;
  }
  c = s.charCodeAt(i);
  if (c === 101 || c === 69 /* e E */) {
    let j = i + 1;
    c = s.charCodeAt(j);
    if (c === 43 || c === 45) c = s.charCodeAt(++j);
    if (c >= 48 && c <= 57) {
      while (c >= 48 && c <= 57) c = s.charCodeAt(++j);
      i = j;
      hasPointOrExp = true;
    }
  }
  const end = i;
  while (i < n && isSqlSpace(s.charCodeAt(i))) i++;
  const complete = i === n;
  if (!hasPointOrExp && mantissaDigits <= 15) {
    // An integer of up to 15 digits is exact as a double: no need to call the parser.
    parsedReal.value = s.charCodeAt(start) === 45 ? -integerPart : integerPart;
  } else {
    const text = s.slice(start, end);
    parsedReal.value = Number(text.endsWith(".") ? text + "0" : text);
  }
  parsedReal.kind = complete ? (hasPointOrExp ? 2 : 1) : hasPointOrExp ? -1 : 0;
}

/**
 * sqlite3Atoi64 outcome: -1 no digits at all (value 0); 0 a well-formed
 * integer in range; 1 extra non-space text after the digits (value is the
 * digit prefix); 2 out of range (value clamped to int64 min/max); 3 exactly
 * "9223372036854775808" without a minus sign (value clamped; fits only negated).
 */
export type Atoi64Status = -1 | 0 | 1 | 2 | 3;

/** Result slots of the last `parseInt64` call. `value` is canonical (number or bigint). */
export const parsedInt = { value: 0 as number | bigint, status: 0 as Atoi64Status };

const INT64_MAX_DIGITS = "9223372036854775807";
const TWO_POW_63_DIGITS = "9223372036854775808";

/** Parses the integer prefix of s as SQLite's sqlite3Atoi64 does, into `parsedInt`. */
export function parseInt64(s: string): void {
  const n = s.length;
  let i = 0;
  while (i < n && isSqlSpace(s.charCodeAt(i))) i++;
  let negative = false;
  let c = s.charCodeAt(i);
  if (c === 45) {
    negative = true;
    i++;
  } else if (c === 43) i++;
  const beforeZeros = i;
  while (s.charCodeAt(i) === 48) i++;
  const digitsStart = i;
  c = s.charCodeAt(i);
  let small = 0;
  while (c >= 48 && c <= 57) {
    if (i - digitsStart < 15) small = small * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  const nDigits = i - digitsStart;
  let status: Atoi64Status = 0;
  if (nDigits === 0 && digitsStart === beforeZeros) status = -1;
  else {
    while (i < n && isSqlSpace(s.charCodeAt(i))) i++;
    if (i < n) status = 1;
  }
  if (nDigits <= 15) {
    parsedInt.value = negative && small !== 0 ? -small : small;
    parsedInt.status = status;
    return;
  }
  const digits = s.slice(digitsStart, digitsStart + nDigits);
  const vsMax = nDigits > 19 ? 1 : nDigits < 19 ? -1 : digits <= INT64_MAX_DIGITS ? -1 : 1;
  if (vsMax < 0) {
    const big = negative ? -BigInt(digits) : BigInt(digits);
    parsedInt.value = big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
    parsedInt.status = status;
    return;
  }
  parsedInt.value = negative ? INT64_MIN : INT64_MAX;
  if (digits === TWO_POW_63_DIGITS) parsedInt.status = negative ? status : 3;
  else parsedInt.status = 2;
}

/** Double to int64 with SQLite's saturation (sqlite3RealToI64 / doubleToInt64). */
export function realToInt64(r: number): number | bigint {
  if (Number.isNaN(r)) return 0;
  if (r <= -INT64_MAX_AS_DOUBLE) return INT64_MIN;
  if (r >= INT64_MAX_AS_DOUBLE) return INT64_MAX;
  const t = Math.trunc(r);
  return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : BigInt(t);
}
