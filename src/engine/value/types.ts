// The engine's representation of SQL values: SQLite's five storage classes
// mapped onto JavaScript values so that the common cases (small integers,
// non-integral reals, strings) need no allocation.
//
// Invariant (canonical form), relied upon everywhere values flow:
// - NULL    is `null`.
// - INTEGER is a `number` when it is a safe integer (|v| <= 2^53 - 1), and a
//   `bigint` only outside that range (never a bigint inside it).
// - REAL    is a `number` that is NOT a safe integer (non-integral, ±Infinity,
//   or beyond 2^53); a REAL whose value is a safe integer (1.0, -0.0, 2^52) is
//   boxed in an `IntegralReal` so that it stays REAL (`typeof(1.0)` is real).
//   NaN never appears: SQLite turns NaN results into NULL.
// - TEXT    is a `string`.
// - BLOB    is a `Uint8Array`.

/** A REAL whose value happens to be a safe integer, e.g. 1.0 or -0.0. */
export class IntegralReal {
  constructor(readonly value: number) {}
}

export type SqlValue = null | number | bigint | string | Uint8Array | IntegralReal;

export type StorageClass = "null" | "integer" | "real" | "text" | "blob";

export function storageClass(v: SqlValue): StorageClass {
  switch (typeof v) {
    case "number":
      return Number.isSafeInteger(v) ? "integer" : "real";
    case "string":
      return "text";
    case "bigint":
      return "integer";
    default:
      if (v === null) return "null";
      return v instanceof IntegralReal ? "real" : "blob";
  }
}

/** Canonical REAL for a double; NaN becomes NULL as in SQLite. */
export function realValue(d: number): number | IntegralReal | null {
  if (Number.isNaN(d)) return null;
  return Number.isSafeInteger(d) || Object.is(d, -0) ? new IntegralReal(d) : d;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Canonical INTEGER for a 64-bit value given as bigint. The caller ensures it fits in int64. */
export function intValue(i: bigint): number | bigint {
  return i >= MIN_SAFE && i <= MAX_SAFE ? Number(i) : i;
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function isInteger(v: SqlValue): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
}

export function isReal(v: SqlValue): v is number | IntegralReal {
  return v instanceof IntegralReal || (typeof v === "number" && !Number.isSafeInteger(v));
}

/** The double value of an INTEGER or REAL (bigints may lose precision, as in SQLite). */
export function numericAsDouble(v: number | bigint | IntegralReal): number {
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v.value;
}
