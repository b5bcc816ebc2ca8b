// SQL operators on values with SQLite's rules: + - * / % (int64 with overflow
// to REAL, division by zero -> NULL, % through integers), unary minus and
// plus, bit operators & | ~ << >>, || concatenation, NOT, and the truth
// value of a value (WHERE, AND, OR, CASE WHEN).
import { toDouble, toInt64, toNumeric } from "./convert.js";
import { valueToText } from "./text.js";
import { INT64_MAX, INT64_MIN, IntegralReal, intValue, realValue, type SqlValue } from "./types.js";

type Num = number | bigint | IntegralReal;

export type ArithOp = "+" | "-" | "*" | "/" | "%";

function isInt(v: Num): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
}

function numDouble(v: Num): number {
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v.value;
}

/** Canonical INTEGER for a bigint result, or undefined when it overflows int64. */
function checkedInt(r: bigint): number | bigint | undefined {
  return r < INT64_MIN || r > INT64_MAX ? undefined : intValue(r);
}

function realResult(r: number): SqlValue {
  return realValue(r);
}

/** Integer arithmetic; undefined means "redo in floating point" (overflow). Null for x/0, x%0. */
function intArith(op: ArithOp, a: number | bigint, b: number | bigint): number | bigint | null | undefined {
  if (typeof a === "number" && typeof b === "number") {
    switch (op) {
      case "+": {
        const r = a + b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case "-": {
        const r = a - b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case "*": {
        const r = a * b;
        if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
        break;
      }
      case "/":
        if (b === 0) return null;
        return Math.trunc(a / b) || 0;
      case "%": {
        if (b === 0) return null;
        return a % b || 0;
      }
    }
  }
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case "+":
      return checkedInt(x + y);
    case "-":
      return checkedInt(x - y);
    case "*":
      return checkedInt(x * y);
    case "/":
      if (y === 0n) return null;
      if (y === -1n && x === INT64_MIN) return undefined;
      return intValue(x / y);
    default:
      if (y === 0n) return null;
      return intValue(y === -1n ? 0n : x % y);
  }
}

/**
 * `a op b` for + - * / %. NULL if either is NULL; text and blobs are used as
 * numbers (textToNumber). Two INTEGERs give an INTEGER unless + - * overflow
 * int64 (then REAL) — "/" truncates; x/0 and x%0 are NULL. Otherwise REAL,
 * except % which works on the integer values and returns them as REAL.
 */
export function arith(op: ArithOp, a: SqlValue, b: SqlValue): SqlValue {
  const x = toNumeric(a);
  const y = toNumeric(b);
  if (x === null || y === null) return null;
  if (isInt(x) && isInt(y)) {
    const r = intArith(op, x, y);
    if (r !== undefined) return r;
  }
  if (op === "%") {
    const ix = toInt64(a);
    const iy = toInt64(b);
    const r = intArith("%", ix, iy);
    return r === null || r === undefined ? null : realResult(Number(r));
  }
  const dx = numDouble(x);
  const dy = numDouble(y);
  switch (op) {
    case "+":
      return realResult(dx + dy);
    case "-":
      return realResult(dx - dy);
    case "*":
      return realResult(dx * dy);
    default:
      return dy === 0 ? null : realResult(dx / dy);
  }
}

/** Unary minus, which SQLite evaluates as `0 - a` (so -(-2^63) is REAL and -'abc' is 0). */
export function negate(a: SqlValue): SqlValue {
  return arith("-", 0, a);
}

export type BitOp = "&" | "|" | "<<" | ">>";

const INT64_BITS = 64;

function shiftLeft(x: bigint, n: bigint): bigint {
  return n >= BigInt(INT64_BITS) ? 0n : BigInt.asIntN(INT64_BITS, x << n);
}

function shiftRight(x: bigint, n: bigint): bigint {
  return n >= BigInt(INT64_BITS) ? (x < 0n ? -1n : 0n) : x >> n;
}

/**
 * & | << >> on the int64 values of the operands (NULL if either is NULL).
 * A negative shift count shifts the other way; shifting by 64 or more gives
 * 0 (or -1 for >> of a negative number).
 */
export function bitwise(op: BitOp, a: SqlValue, b: SqlValue): SqlValue {
  if (a === null || b === null) return null;
  const x = toInt64(a);
  const y = toInt64(b);
  if (typeof x === "number" && typeof y === "number" && x >= -0x80000000 && x <= 0x7fffffff && y >= -0x80000000 && y <= 0x7fffffff) {
    if (op === "&") return x & y;
    if (op === "|") return x | y;
  }
  const bx = BigInt(x);
  let by = BigInt(y);
  switch (op) {
    case "&":
      return intValue(bx & by);
    case "|":
      return intValue(bx | by);
    default: {
      let left = op === "<<";
      if (by < 0n) {
        left = !left;
        by = by > -64n ? -by : 64n;
      }
      return intValue(left ? shiftLeft(bx, by) : shiftRight(bx, by));
    }
  }
}

/** ~x on the int64 value. */
export function bitNot(a: SqlValue): SqlValue {
  if (a === null) return null;
  const x = toInt64(a);
  return typeof x === "number" ? (Number.isSafeInteger(-x - 1) ? -x - 1 : intValue(~BigInt(x))) : intValue(~x);
}

/** `a || b`: text of both (numbers rendered as SQLite does, blobs as UTF-8); NULL if either is NULL. */
export function concat(a: SqlValue, b: SqlValue): SqlValue {
  if (a === null || b === null) return null;
  return valueToText(a) + valueToText(b);
}

/**
 * Truth value for WHERE / AND / OR / NOT / CASE WHEN (sqlite3VdbeBooleanValue):
 * null for NULL, else whether the numeric value is non-zero ('1abc' is true,
 * 'abc' and '' are false, 0.5 is true).
 */
export function truthValue(a: SqlValue): boolean | null {
  if (a === null) return null;
  if (typeof a === "number") return a !== 0;
  if (typeof a === "bigint") return true;
  if (a instanceof IntegralReal) return a.value !== 0;
  return toDouble(a) !== 0;
}

/** NOT a: 1, 0 or NULL. */
export function logicalNot(a: SqlValue): SqlValue {
  const t = truthValue(a);
  return t === null ? null : t ? 0 : 1;
}
