// Prints one result value the way the reference sqllogictest runner does:
// by the column's type letter, not by the value's storage class.
//   I: sqlite3_column_int64 printed with %lld
//   R: sqlite3_column_double printed with SQLite's %.3f
//   T: sqlite3_column_text, "(empty)" for '', every byte outside ' '..'~' as '@'
// NULL prints as "NULL" whatever the letter.
import { IntegralReal, type SqlValue } from "../../../src/engine/value/types.js";
import { doubleToInt64, formatFixed, realToText, textToDouble, textToInt64 } from "./sqlite-numbers.js";

export type SltColumnType = "I" | "R" | "T";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextEncoder();

/** A blob read as text for numeric parsing: only its ASCII bytes matter. */
function blobAsLatin1(blob: Uint8Array): string {
  return latin1.decode(blob);
}

function isRealNumber(v: number): boolean {
  return !Number.isSafeInteger(v);
}

function asInt64(v: Exclude<SqlValue, null>): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return isRealNumber(v) ? doubleToInt64(v) : BigInt(v);
  if (v instanceof IntegralReal) return doubleToInt64(v.value);
  if (typeof v === "string") return textToInt64(v);
  return textToInt64(blobAsLatin1(v));
}

function asDouble(v: Exclude<SqlValue, null>): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof IntegralReal) return v.value;
  if (typeof v === "string") return textToDouble(v);
  return textToDouble(blobAsLatin1(v));
}

const PRINTABLE = /^[\x20-\x7e]+$/;

/** Bytes of the C string (cut at the first NUL), '@' for every byte outside ' '..'~'. */
function printableBytes(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0) break;
    out += b < 0x20 || b > 0x7e ? "@" : String.fromCharCode(b);
  }
  return out === "" ? "(empty)" : out;
}

function asText(v: Exclude<SqlValue, null>): string {
  if (typeof v === "string") {
    if (PRINTABLE.test(v)) return v;
    return printableBytes(utf8.encode(v));
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return isRealNumber(v) ? realToText(v) : String(v);
  if (v instanceof IntegralReal) return realToText(v.value);
  return printableBytes(v);
}

/** One printed value, as the reference runner would print it. */
export function formatValue(v: SqlValue, type: SltColumnType): string {
  if (v === null) return "NULL";
  switch (type) {
    case "I":
      return asInt64(v).toString();
    case "R":
      return formatFixed(asDouble(v), 3);
    case "T":
      return asText(v);
  }
}

/** All values of a result, row by row, each printed by its column's letter. */
export function formatRows(rows: readonly (readonly SqlValue[])[], types: readonly SltColumnType[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (let i = 0; i < types.length; i++) out.push(formatValue(row[i], types[i]));
  }
  return out;
}
