// Built-in aggregates (count, sum, total, avg, min, max, group_concat /
// string_agg) with SQLite's exact numeric behaviour: sum() stays INTEGER
// until a REAL arrives or int64 overflows, then switches to a
// Kahan-Babuska-Neumaier compensated double sum; an INTEGER-only overflow
// raises "integer overflow". All but min/max have `inverse`, so they can run
// as sliding-window aggregates (min/max windows must be recomputed).
import { SqliteError } from "../errors.js";
import { binaryCollation, type Collation } from "../value/collation.js";
import { compareValues } from "../value/compare.js";
import { textToNumericAffinity, toDouble, toInt64 } from "../value/convert.js";
import { valueToText } from "../value/text.js";
import { INT64_MAX, INT64_MIN, intValue, realValue, type SqlValue } from "../value/types.js";
import type { AggregateFunction } from "./types.js";

const TWO_POW_52 = 4503599627370496;

/** Accumulator of sum/total/avg (SQLite's SumCtx). Mutated in place. */
interface SumState {
  /** Compensated double sum: rSum + rErr. */
  rSum: number;
  rErr: number;
  /** Exact integer sum while !approx. */
  iSum: bigint;
  count: number;
  /** A REAL (or an overflow) was seen: the double sum is authoritative. */
  approx: boolean;
  /** The switch to doubles was caused by int64 overflow of integers only. */
  overflow: boolean;
  /**
   * Fast path: safe-integer arguments accumulate here as a plain number, to be
   * added to iSum later. Used only while |iSum| <= FAST_ROOM, so that iSum plus
   * any safe integer stays inside int64 and no overflow can be missed.
   */
  fast: number;
  /** |iSum| <= FAST_ROOM (kept beside iSum so the per-row check compares no bigints). */
  roomy: boolean;
}

const FAST_ROOM = INT64_MAX - BigInt(Number.MAX_SAFE_INTEGER);

function setISum(p: SumState, i: bigint): void {
  p.iSum = i;
  p.roomy = i <= FAST_ROOM && i >= -FAST_ROOM;
}

/** Moves the fast-path partial sum into iSum. */
function foldFast(p: SumState): void {
  if (p.fast !== 0) {
    setISum(p, p.iSum + BigInt(p.fast));
    p.fast = 0;
  }
}

function kbnStep(p: SumState, r: number): void {
  const s = p.rSum;
  const t = s + r;
  if (Math.abs(s) > Math.abs(r)) p.rErr += s - t + r;
  else p.rErr += r - t + s;
  p.rSum = t;
}

/** Adds an int64 in two exactly representable parts when it is beyond 2^52. */
function kbnStepInt(p: SumState, i: bigint): void {
  if (i <= -TWO_POW_52 || i >= TWO_POW_52) {
    const small = i % 16384n;
    kbnStep(p, Number(i - small));
    kbnStep(p, Number(small));
  } else {
    kbnStep(p, Number(i));
  }
}

function kbnInit(p: SumState, i: bigint): void {
  if (i <= -TWO_POW_52 || i >= TWO_POW_52) {
    const small = i % 16384n;
    p.rSum = Number(i - small);
    p.rErr = Number(small);
  } else {
    p.rSum = Number(i);
    p.rErr = 0;
  }
}

/** sqlite3_value_numeric_type as sum() sees it: "null", "integer" or "other" (REAL, non-numeric text, blob). */
function sumArgKind(v: SqlValue): "null" | "integer" | "other" {
  if (v === null) return "null";
  if (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v))) return "integer";
  if (typeof v === "string") {
    const n = textToNumericAffinity(v, false);
    if (typeof n === "bigint" || (typeof n === "number" && Number.isSafeInteger(n))) return "integer";
  }
  return "other";
}

function valueInt(v: SqlValue): bigint {
  const i = toInt64(v);
  return typeof i === "bigint" ? i : BigInt(i);
}

function sumStep(p: SumState, args: readonly SqlValue[]): SumState {
  const v = args[0];
  if (typeof v === "number" && !p.approx && Number.isSafeInteger(v)) {
    const s = p.fast + v;
    if (p.roomy && Number.isSafeInteger(s)) {
      p.fast = s;
      p.count++;
      return p;
    }
  }
  foldFast(p);
  const kind = sumArgKind(v);
  if (kind === "null") return p;
  p.count++;
  if (!p.approx) {
    if (kind !== "integer") {
      kbnInit(p, p.iSum);
      p.approx = true;
      kbnStep(p, toDouble(v));
    } else {
      const i = valueInt(v);
      const next = p.iSum + i;
      if (next >= INT64_MIN && next <= INT64_MAX) {
        setISum(p, next);
      } else {
        p.overflow = true;
        kbnInit(p, p.iSum);
        p.approx = true;
        kbnStepInt(p, i);
      }
    }
  } else if (kind === "integer") {
    kbnStepInt(p, valueInt(v));
  } else {
    p.overflow = false;
    kbnStep(p, toDouble(v));
  }
  return p;
}

function sumInverse(p: SumState, [v]: readonly SqlValue[]): SumState {
  foldFast(p);
  const kind = sumArgKind(v);
  if (kind === "null") return p;
  p.count--;
  if (!p.approx) {
    const next = p.iSum - valueInt(v);
    if (next >= INT64_MIN && next <= INT64_MAX) setISum(p, next);
    else {
      p.overflow = true;
      p.approx = true;
    }
  } else if (kind === "integer") {
    const i = valueInt(v);
    if (i !== INT64_MIN) kbnStepInt(p, -i);
    else {
      kbnStepInt(p, INT64_MAX);
      kbnStepInt(p, 1n);
    }
  } else {
    kbnStep(p, -toDouble(v));
  }
  return p;
}

function compensated(p: SumState): number {
  return Number.isFinite(p.rErr) ? p.rSum + p.rErr : p.rSum;
}

function sumResult(p: SumState): SqlValue {
  if (p.count === 0) return null;
  if (!p.approx) return intValue(p.iSum);
  if (p.overflow) throw new SqliteError("integer overflow");
  return realValue(compensated(p));
}

function newSum(): SumState {
  return { rSum: 0, rErr: 0, iSum: 0n, count: 0, approx: false, overflow: false, fast: 0, roomy: true };
}

function sumLike(name: string, compute: (p: SumState) => SqlValue): AggregateFunction<SumState> {
  const result = (p: SumState): SqlValue => {
    foldFast(p);
    return compute(p);
  };
  return { kind: "aggregate", name, nArgs: 1, init: newSum, step: sumStep, inverse: sumInverse, value: result, result };
}

const sum = sumLike("sum", sumResult);
const total = sumLike("total", (p) => realValue(p.approx ? compensated(p) : Number(p.iSum)));
const avg = sumLike("avg", (p) => (p.count === 0 ? null : realValue((p.approx ? compensated(p) : Number(p.iSum)) / p.count)));

interface CountState {
  n: number;
}

const countRows: AggregateFunction<CountState> = {
  kind: "aggregate",
  name: "count",
  nArgs: 0,
  init: () => ({ n: 0 }),
  step: (s) => {
    s.n++;
    return s;
  },
  inverse: (s) => {
    s.n--;
    return s;
  },
  value: (s) => s.n,
  result: (s) => s.n,
};

const countValues: AggregateFunction<CountState> = {
  ...countRows,
  nArgs: 1,
  step: (s, [v]) => {
    if (v !== null) s.n++;
    return s;
  },
  inverse: (s, [v]) => {
    if (v !== null) s.n--;
    return s;
  },
};

interface ExtremeState {
  best: SqlValue;
  seen: boolean;
}

/**
 * min()/max() aggregate comparing with `collation` (the argument's collating
 * sequence; BINARY for the registered built-ins). NULLs are ignored; among
 * equal values the first is kept.
 */
export function minMaxAggregate(kind: "min" | "max", collation: Collation = binaryCollation): AggregateFunction<ExtremeState> {
  const sign = kind === "max" ? 1 : -1;
  return {
    kind: "aggregate",
    name: kind,
    nArgs: 1,
    init: () => ({ best: null, seen: false }),
    step: (s, [v]) => {
      if (v === null) return s;
      if (!s.seen || compareValues(v, s.best, collation) * sign > 0) {
        s.best = v;
        s.seen = true;
      }
      return s;
    },
    value: (s) => s.best,
    result: (s) => s.best,
  };
}

/**
 * group_concat state: the texts and the separators that precede them
 * (each row brings its own separator), with a start index so `inverse` can
 * drop rows from the front in O(1).
 */
interface ConcatState {
  texts: string[];
  separators: string[];
  start: number;
}

function concatStep(s: ConcatState, args: readonly SqlValue[]): ConcatState {
  const v = args[0];
  if (v === null) return s;
  const sep = args.length > 1 ? (args[1] === null ? "" : valueToText(args[1])) : ",";
  s.texts.push(valueToText(v));
  s.separators.push(sep);
  return s;
}

function concatInverse(s: ConcatState, [v]: readonly SqlValue[]): ConcatState {
  if (v === null) return s;
  s.start++;
  if (s.start > 1024 && s.start * 2 > s.texts.length) {
    s.texts = s.texts.slice(s.start);
    s.separators = s.separators.slice(s.start);
    s.start = 0;
  }
  return s;
}

function concatValue(s: ConcatState): SqlValue {
  if (s.start >= s.texts.length) return null;
  let out = s.texts[s.start];
  for (let i = s.start + 1; i < s.texts.length; i++) out += s.separators[i] + s.texts[i];
  return out;
}

function groupConcat(name: string, nArgs: number): AggregateFunction<ConcatState> {
  return {
    kind: "aggregate",
    name,
    nArgs,
    init: () => ({ texts: [], separators: [], start: 0 }),
    step: concatStep,
    inverse: concatInverse,
    value: concatValue,
    result: concatValue,
  };
}

export const aggregateFunctions: readonly AggregateFunction[] = [
  avg,
  countRows,
  countValues,
  groupConcat("group_concat", 1),
  groupConcat("group_concat", 2),
  groupConcat("string_agg", 2),
  minMaxAggregate("max"),
  minMaxAggregate("min"),
  sum,
  total,
];
