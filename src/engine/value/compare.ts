// Ordering of SQL values (sqlite3MemCompare): NULL < INTEGER/REAL < TEXT <
// BLOB, numbers compared exactly across int64 and double, text by
// collation, blobs by memcmp; and the comparison operators' affinity rules
// (which operand gets converted before comparing).
import { isNumericAffinity, type Affinity } from "./affinity.js";
import { binaryCollation, type Collation } from "./collation.js";
import { textToNumericAffinity } from "./convert.js";
import { numberToText } from "./text.js";
import { IntegralReal, type SqlValue } from "./types.js";

const TWO_POW_63 = 9223372036854775808;

/** Rank of the storage class in the cross-class order. */
function classRank(v: SqlValue): number {
  switch (typeof v) {
    case "number":
    case "bigint":
      return 1;
    case "string":
      return 2;
    default:
      return v === null ? 0 : v instanceof IntegralReal ? 1 : 3;
  }
}

/** Exact comparison of an int64 (as bigint) with a double (sqlite3IntFloatCompare). */
function compareBigIntToDouble(i: bigint, r: number): number {
  if (r < -TWO_POW_63) return 1;
  if (r >= TWO_POW_63) return -1;
  const y = BigInt(Math.trunc(r));
  if (i < y) return -1;
  if (i > y) return 1;
  const frac = r - Math.trunc(r);
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/** Compares two INTEGER/REAL values exactly. */
export function compareNumbers(a: number | bigint | IntegralReal, b: number | bigint | IntegralReal): number {
  const x = a instanceof IntegralReal ? a.value : a;
  const y = b instanceof IntegralReal ? b.value : b;
  if (typeof x === "number" && typeof y === "number") return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  // One bigint: a safe-integer number converts exactly; a REAL needs care.
  if (typeof x === "bigint") {
    const yn = y as number;
    return Number.isSafeInteger(yn) ? (x < BigInt(yn) ? -1 : 1) : compareBigIntToDouble(x, yn);
  }
  const xn = x;
  const yb = y as bigint;
  return Number.isSafeInteger(xn) ? (BigInt(xn) < yb ? -1 : 1) : -compareBigIntToDouble(yb, xn);
}

/** memcmp of two blobs, then length. */
export function compareBlobs(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * Total order of values for ORDER BY, DISTINCT, indexes, min/max:
 * NULL < numbers < TEXT (by `collation`) < BLOB.
 */
export function compareValues(a: SqlValue, b: SqlValue, collation: Collation = binaryCollation): number {
  // Fast paths: two JS numbers (INTEGER or REAL) compare exactly as doubles; two strings by collation.
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return collation(a, b);
  const ra = classRank(a);
  const rb = classRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return compareNumbers(a as number | bigint | IntegralReal, b as number | bigint | IntegralReal);
    case 2:
      return collation(a as string, b as string);
    default:
      return compareBlobs(a as Uint8Array, b as Uint8Array);
  }
}

/**
 * The affinity a comparison applies to its operands, from the affinities of
 * the two operand expressions (sqlite3CompareAffinity). An expression's
 * affinity is its column's affinity or a CAST's type; literals and other
 * expressions have "none". Both with affinity: NUMERIC if either is
 * numeric, else no conversion ("blob"). One with affinity: that one's.
 */
export function comparisonAffinity(left: Affinity, right: Affinity): Affinity {
  if (left !== "none" && right !== "none") {
    return isNumericAffinity(left) || isNumericAffinity(right) ? "numeric" : "blob";
  }
  return left === "none" ? right : left;
}

function isNumber(v: SqlValue): v is number | bigint | IntegralReal {
  return typeof v === "number" || typeof v === "bigint" || v instanceof IntegralReal;
}

/**
 * A comparison operator's three-way result (OP_Eq/OP_Lt/...): the
 * comparison affinity is applied to both operands first (numeric affinity
 * turns numeric-looking text into numbers; text affinity turns numbers into
 * text), then they are ordered as by compareValues. Returns null when either
 * operand is NULL (the SQL result is NULL; IS / IS NOT handle NULL themselves).
 */
export function compareForExpr(
  a: SqlValue,
  b: SqlValue,
  affinity: Affinity,
  collation: Collation = binaryCollation,
): number | null {
  if (a === null || b === null) return null;
  if (isNumericAffinity(affinity)) {
    if (typeof a === "string") a = textToNumericAffinity(a, false);
    if (typeof b === "string") b = textToNumericAffinity(b, false);
  } else if (affinity === "text") {
    if (isNumber(a)) a = numberToText(a);
    if (isNumber(b)) b = numberToText(b);
  }
  return compareValues(a, b, collation);
}
