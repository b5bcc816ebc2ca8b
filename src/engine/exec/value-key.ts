// Hash keys for sets of values (DISTINCT, GROUP BY, UNION, IN lists): two
// values get the same key exactly when SQLite would consider them equal under
// the given collation — 1, 1.0 and 1e0 share a key; 'a' and 'A' share one
// under NOCASE; text and blob never collide.
import { blobToHex } from "../value/text.js";
import { IntegralReal, type SqlValue } from "../value/types.js";

export type KeyFold = ((s: string) => string) | null;

const NOCASE_FOLD = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const RTRIM_FOLD = (s: string): string => s.replace(/ +$/, "");

/** The text folding that makes a collation's equal strings identical (null for BINARY). */
export function foldFor(collation: string): KeyFold {
  switch (collation) {
    case "NOCASE":
      return NOCASE_FOLD;
    case "RTRIM":
      return RTRIM_FOLD;
    default:
      return null;
  }
}

/** Key of one value; numbers are keyed by numeric value so INTEGER 1 and REAL 1.0 collide. */
export function valueKey(v: SqlValue, fold: KeyFold): string {
  switch (typeof v) {
    case "number":
      return "n" + v;
    case "bigint":
      // A bigint is beyond 2^53, where doubles are sparse: key by exact integer text.
      return "n" + v.toString();
    case "string":
      return "t" + (fold ? fold(v) : v);
    default:
      if (v === null) return "z";
      if (v instanceof IntegralReal) return "n" + (v.value === 0 ? 0 : v.value);
      return "b" + blobToHex(v);
  }
}

/** Key of a row of values, with one folding per column. */
export function rowKey(values: readonly SqlValue[], folds: readonly KeyFold[]): string {
  if (values.length === 1) return valueKey(values[0], folds[0]);
  let key = "";
  for (let i = 0; i < values.length; i++) key += valueKey(values[i], folds[i]) + "\u0000";
  return key;
}
