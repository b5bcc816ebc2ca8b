// Conversions between storage classes as the VDBE performs them: a value's
// integer value (sqlite3VdbeIntValue), real value (sqlite3VdbeRealValue),
// its numeric form for arithmetic (numericType), and the text-to-number
// conversion of NUMERIC affinity (applyNumericAffinity).
import { blobToText, parseInt64, parseReal, parsedInt, parsedReal, realToInt64 } from "./text.js";
import { IntegralReal, realValue, type SqlValue } from "./types.js";

const TWO_POW_63 = 9223372036854775808;
const TWO_POW_51 = 2251799813685248;

/** The text a TEXT or BLOB value is parsed from when used as a number. */
function textOf(v: string | Uint8Array): string {
  return typeof v === "string" ? v : blobToText(v);
}

/** sqlite3VdbeIntValue: INTEGER as is, REAL truncated with saturation, text by its integer prefix, NULL 0. */
export function toInt64(v: SqlValue): number | bigint {
  switch (typeof v) {
    case "number":
      return Number.isSafeInteger(v) ? v : realToInt64(v);
    case "bigint":
      return v;
    case "string":
      parseInt64(v);
      return parsedInt.value;
    default:
      if (v === null) return 0;
      if (v instanceof IntegralReal) return v.value === 0 ? 0 : v.value;
      parseInt64(blobToText(v));
      return parsedInt.value;
  }
}

/** sqlite3VdbeRealValue: the double of a value (text by its numeric prefix, NULL 0.0). */
export function toDouble(v: SqlValue): number {
  switch (typeof v) {
    case "number":
      return v;
    case "bigint":
      return Number(v);
    case "string":
      parseReal(v);
      return parsedReal.value;
    default:
      if (v === null) return 0;
      if (v instanceof IntegralReal) return v.value;
      parseReal(blobToText(v));
      return parsedReal.value;
  }
}

/**
 * The number a TEXT or BLOB stands for in arithmetic (computeNumericType):
 * an INTEGER when the text is an integer that fits in int64 (or has a bare
 * integer prefix, "12abc" -> 12, "abc" -> 0), otherwise the REAL of its
 * numeric prefix ("1.5x" -> 1.5, "1e3" -> 1000.0).
 */
export function textToNumber(v: string | Uint8Array): number | bigint | IntegralReal {
  const s = textOf(v);
  parseReal(s);
  const kind = parsedReal.kind;
  if (kind === 0 || kind === 1) {
    parseInt64(s);
    const st = parsedInt.status;
    if (kind === 0 ? st <= 1 : st === 0) return parsedInt.value;
  }
  return realValue(parsedReal.value) ?? 0;
}

/** A value as a number for arithmetic: numbers as they are, NULL stays NULL, text/blob via textToNumber. */
export function toNumeric(v: SqlValue): number | bigint | IntegralReal | null {
  if (typeof v === "number" || typeof v === "bigint" || v === null || v instanceof IntegralReal) return v;
  return textToNumber(v);
}

/** A double as an INTEGER if it is integral and strictly inside int64 range (sqlite3VdbeIntegerAffinity). */
export function exactIntegerOf(r: number): number | bigint | undefined {
  if (!Number.isInteger(r) || r <= -TWO_POW_63 || r >= TWO_POW_63) return undefined;
  return Number.isSafeInteger(r) ? (r === 0 ? 0 : r) : BigInt(r);
}

/**
 * NUMERIC affinity applied to text (applyNumericAffinity): a well-formed
 * number (surrounding spaces allowed) becomes INTEGER or REAL; anything
 * else, including hex and "inf", stays TEXT. With `preferInteger` an
 * integral REAL in int64 range becomes INTEGER (NUMERIC/INTEGER affinity).
 */
export function textToNumericAffinity(s: string, preferInteger: boolean): SqlValue {
  parseReal(s);
  const kind = parsedReal.kind;
  if (kind <= 0) return s;
  const r = parsedReal.value;
  if (kind === 1) {
    // sqlite3RealSameAsInt trusts the double only below 2^51; larger
    // integers must parse exactly as int64.
    if (Number.isInteger(r) && r > -TWO_POW_51 && r < TWO_POW_51) return r === 0 ? 0 : r;
    parseInt64(s);
    if (parsedInt.status === 0) return parsedInt.value;
  }
  if (preferInteger) {
    const exact = exactIntegerOf(r);
    if (exact !== undefined) return exact;
  }
  return realValue(r) ?? s;
}
