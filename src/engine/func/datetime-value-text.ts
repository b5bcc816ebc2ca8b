// Provisional text<->number conversions shared by the date/time and JSON
// functions: SQLite's sqlite3AtoF acceptance rules and its rendering of REAL
// values as text. REPLACE with the equivalents from src/engine/value/ once that
// folder exports them (they did not exist when these functions were written).
import { IntegralReal, type SqlValue } from "../value/types.js";

/** SQLite's sqlite3Isspace: space, \t, \n, \v, \f, \r (not other Unicode spaces). */
export function isSqlSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/**
 * The value of `z` when sqlite3AtoF would accept all of it as a number
 * (optional surrounding spaces, sign, digits, optional fraction and exponent;
 * no hex, no "inf"), else null.
 */
export function parseSqlReal(z: string): number | null {
  let i = 0;
  const n = z.length;
  while (i < n && isSqlSpace(z[i])) i++;
  const start = i;
  if (z[i] === "-" || z[i] === "+") i++;
  let digits = 0;
  while (isDigit(z[i])) i++, digits++;
  if (z[i] === ".") {
    i++;
    while (isDigit(z[i])) i++, digits++;
  }
  if (digits === 0) return null;
  if (z[i] === "e" || z[i] === "E") {
    let j = i + 1;
    if (z[j] === "-" || z[j] === "+") j++;
    if (!isDigit(z[j])) return null;
    while (isDigit(z[j])) j++;
    i = j;
  }
  const numberEnd = i;
  while (i < n && isSqlSpace(z[i])) i++;
  if (i !== n) return null;
  // Number() accepts every form that reaches here ("1.", ".5", "+1.e5").
  return Number(z.slice(start, numberEnd));
}

/**
 * A REAL rendered as SQLite 3.5x renders it (quote(), CAST AS TEXT, JSON):
 * 15 significant digits when they round-trip, else 17; exponent form when the
 * decimal exponent is below -4 or at least 17; always a ".0" or an exponent.
 * Infinities render as "Inf"/"-Inf"; -0.0 renders as "0.0".
 */
export function realToText(d: number): string {
  if (d === Infinity) return "Inf";
  if (d === -Infinity) return "-Inf";
  if (d === 0) return "0.0";
  let precise = d.toPrecision(15);
  if (Number(precise) !== d) precise = d.toPrecision(17);
  const [mantissa, expPart] = precise.split("e");
  const negative = mantissa!.startsWith("-");
  const digitsWithDot = negative ? mantissa!.slice(1) : mantissa!;
  // Decimal digits and the exponent of the first one.
  let exponent = expPart === undefined ? 0 : Number(expPart);
  let digits = digitsWithDot.replace(".", "");
  if (expPart === undefined) {
    const dot = digitsWithDot.indexOf(".");
    const intLen = dot < 0 ? digitsWithDot.length : dot;
    const firstNonZero = digits.search(/[1-9]/);
    exponent = intLen - 1 - firstNonZero;
    digits = digits.slice(firstNonZero);
  }
  digits = digits.replace(/0+$/, "");
  if (digits === "") digits = "0";
  let body: string;
  if (exponent < -4 || exponent >= 17) {
    const frac = digits.length > 1 ? digits.slice(1) : "0";
    const expAbs = Math.abs(exponent);
    body = `${digits[0]}.${frac}e${exponent < 0 ? "-" : "+"}${expAbs < 10 ? "0" : ""}${expAbs}`;
  } else if (exponent < 0) {
    body = `0.${"0".repeat(-exponent - 1)}${digits}`;
  } else if (digits.length > exponent + 1) {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    body = `${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  }
  return negative ? `-${body}` : body;
}

const utf8 = new TextDecoder();

/**
 * sqlite3_value_text as a C string: the text form of a value, cut at the
 * first NUL as C code sees it; null for NULL.
 */
export function sqlTextOf(v: SqlValue): string | null {
  let s: string;
  if (v === null) return null;
  if (typeof v === "string") s = v;
  else if (typeof v === "bigint") s = v.toString();
  else if (typeof v === "number") s = Number.isSafeInteger(v) ? String(v) : realToText(v);
  else if (v instanceof IntegralReal) s = realToText(v.value);
  else s = utf8.decode(v);
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}
