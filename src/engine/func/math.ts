// SQLite's math functions (SQLITE_ENABLE_MATH_FUNCTIONS): arguments must be
// numeric (numeric-looking text counts; other text, blobs and NULL give
// NULL), results are REAL except ceil/floor/trunc of an INTEGER, and
// out-of-domain inputs (NaN results) give NULL.
import { textToNumericAffinity, toDouble } from "../value/convert.js";
import { IntegralReal, realValue, type SqlValue } from "../value/types.js";
import type { ScalarFunction } from "./types.js";

/** The double of a numeric argument, or undefined when the argument is not numeric. */
function numericDouble(v: SqlValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof IntegralReal) return v.value;
  if (typeof v === "string") {
    const n = textToNumericAffinity(v, false);
    if (typeof n === "number") return n;
    if (typeof n === "bigint") return Number(n);
    if (n instanceof IntegralReal) return n.value;
  }
  return undefined;
}

function isIntegerArg(v: SqlValue): boolean {
  if (typeof v === "bigint") return true;
  if (typeof v === "number") return Number.isSafeInteger(v);
  if (typeof v === "string") {
    const n = textToNumericAffinity(v, false);
    return typeof n === "bigint" || (typeof n === "number" && Number.isSafeInteger(n));
  }
  return false;
}

function unary(name: string, f: (x: number) => number): ScalarFunction {
  return {
    kind: "scalar",
    name,
    nArgs: 1,
    deterministic: true,
    call: ([a]) => {
      const x = numericDouble(a);
      return x === undefined ? null : realValue(f(x));
    },
  };
}

function binary(name: string, f: (x: number, y: number) => number): ScalarFunction {
  return {
    kind: "scalar",
    name,
    nArgs: 2,
    deterministic: true,
    call: ([a, b]) => {
      const x = numericDouble(a);
      const y = numericDouble(b);
      return x === undefined || y === undefined ? null : realValue(f(x, y));
    },
  };
}

/** ceil/floor/trunc: an INTEGER argument is returned as is (text that reads as an integer becomes that INTEGER). */
function rounding(name: string, f: (x: number) => number): ScalarFunction {
  return {
    kind: "scalar",
    name,
    nArgs: 1,
    deterministic: true,
    call: ([a]) => {
      if (isIntegerArg(a)) return typeof a === "string" ? textToNumericAffinity(a, false) : a;
      const x = numericDouble(a);
      return x === undefined ? null : realValue(f(x));
    },
  };
}

/** log(X) is log10; log(B, X) is the base-B logarithm; non-positive X or B <= 1 ... give NULL as in SQLite. */
function logWithArgs(nArgs: number): ScalarFunction {
  return { kind: "scalar", name: "log", nArgs, deterministic: true, call: logCall };
}

function logCall(args: readonly SqlValue[]): SqlValue {
  const first = numericDouble(args[0]);
  if (first === undefined || first <= 0) return null;
  if (args.length === 1) return realValue(Math.log10(first));
  const base = Math.log(first);
  if (base <= 0) return null;
  // The argument itself is read with sqlite3_value_double: no numeric check.
  const x = toDouble(args[1]);
  if (x <= 0) return null;
  return realValue(Math.log(x) / base);
}

function logarithm(name: string, f: (x: number) => number): ScalarFunction {
  return unary(name, (x) => (x <= 0 ? NaN : f(x)));
}

export const mathFunctions: readonly ScalarFunction[] = [
  unary("acos", Math.acos),
  unary("acosh", Math.acosh),
  unary("asin", Math.asin),
  unary("asinh", Math.asinh),
  unary("atan", Math.atan),
  binary("atan2", Math.atan2),
  unary("atanh", Math.atanh),
  rounding("ceil", Math.ceil),
  rounding("ceiling", Math.ceil),
  unary("cos", Math.cos),
  unary("cosh", Math.cosh),
  unary("degrees", (x) => x * (180 / Math.PI)),
  unary("exp", Math.exp),
  rounding("floor", Math.floor),
  logarithm("ln", Math.log),
  logWithArgs(1),
  logWithArgs(2),
  logarithm("log10", Math.log10),
  logarithm("log2", Math.log2),
  binary("mod", (x, y) => x % y),
  { kind: "scalar", name: "pi", nArgs: 0, deterministic: true, call: () => Math.PI },
  binary("pow", Math.pow),
  binary("power", Math.pow),
  unary("radians", (x) => x * (Math.PI / 180)),
  unary("sin", Math.sin),
  unary("sinh", Math.sinh),
  unary("sqrt", Math.sqrt),
  unary("tan", Math.tan),
  unary("tanh", Math.tanh),
  rounding("trunc", Math.trunc),
];
