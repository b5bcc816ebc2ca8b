// Text<->number helpers for the date/time and JSON functions: sqlite3AtoF
// acceptance and sqlite3_value_text, over value/text.ts.
import { isSqlSpace as isSqlSpaceCode, parseReal, parsedReal, realToText } from "../value/text.js";
import { IntegralReal, type SqlValue } from "../value/types.js";

/** sqlite3Isspace for one character of a string (undefined past the end). */
export function isSqlSpace(c: string | undefined): boolean {
  return c !== undefined && isSqlSpaceCode(c.charCodeAt(0));
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** The value of `z` when sqlite3AtoF accepts all of it as a number (surrounding spaces allowed), else null. */
export function parseSqlReal(z: string): number | null {
  parseReal(z);
  return parsedReal.kind > 0 ? parsedReal.value : null;
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
