// Aggregates against sql.js (whole-group results, sum() overflow, KBN
// compensation) and sliding windows driven through step/inverse/value,
// checked both against recomputation from scratch and against SQLite's
// ROWS-frame window results.
import { beforeAll, expect, it } from "vitest";
import { lookupFunction } from "../../../src/engine/func/registry.js";
import type { AggregateFunction } from "../../../src/engine/func/types.js";
import { IntegralReal, type SqlValue } from "../../../src/engine/value/types.js";
import { describe, literal, openOracle, type Described, type Oracle } from "../value/oracle.js";
import { fixedContext } from "./fixed-context.js";

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});

const ctx = fixedContext(1);

function aggregate(name: string, nArgs: number): AggregateFunction {
  const f = lookupFunction(name, nArgs);
  if (!f || f.kind !== "aggregate") throw new Error(`no aggregate ${name}/${nArgs}`);
  return f;
}

function runAggregate(name: string, rows: SqlValue[][]): Described | { error: string } {
  const f = aggregate(name, rows[0]?.length ?? 1);
  let state = f.init();
  try {
    for (const r of rows) state = f.step(state, r, ctx);
    return describe(f.result(state));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function sqliteAggregate(call: string, rows: SqlValue[][]): Described | { error: string } {
  const values = rows.map((r) => `(${r.map(literal).join(", ")})`).join(", ");
  const cols = rows[0].map((_, i) => `column${i + 1}`);
  return oracle.evaluate(`(SELECT ${call.replace(/\$(\d)/g, (_m, d) => cols[Number(d) - 1])} FROM (VALUES ${values}))`);
}

const GROUPS: SqlValue[][] = [
  [1, 2, 3],
  [1, null, 3],
  [null, null],
  [1, 2.5, -3],
  [9223372036854775807n, 1],
  [9223372036854775807n, 1, -1],
  [9223372036854775807n, 1, 0.5],
  [9223372036854775807n, 9223372036854775807n, -9223372036854775807n, -9223372036854775807n],
  [0.1, 0.2, 0.3],
  [1e100, 1, -1e100],
  [1e308, 1e308],
  ["12", " 3 ", "abc", "1.5", new Uint8Array([0x35])],
  ["a", "b", "c"],
  [new IntegralReal(1), 2, "x"],
  [-9223372036854775808n, -1],
  [Infinity, -Infinity],
];

it("count, sum, total, avg, min, max, group_concat match SQLite per group", () => {
  const bad: string[] = [];
  for (const g of GROUPS) {
    const rows = g.map((v) => [v]);
    for (const name of ["count", "sum", "total", "avg", "min", "max", "group_concat"]) {
      const expected = sqliteAggregate(`${name}($1)`, rows);
      const actual = runAggregate(name, rows);
      if (JSON.stringify(expected) !== JSON.stringify(actual)) bad.push(`${name}(${g.map(literal)}): sqlite ${JSON.stringify(expected)} engine ${JSON.stringify(actual)}`);
    }
    const expectedRows = sqliteAggregate("count(*)", rows);
    const actualRows = runAggregate("count", rows.map(() => []));
    if (JSON.stringify(expectedRows) !== JSON.stringify(actualRows)) bad.push(`count(*): ${JSON.stringify(expectedRows)} vs ${JSON.stringify(actualRows)}`);
  }
  expect(bad).toEqual([]);
});

it("sum() of integers that overflow int64 raises 'integer overflow'", () => {
  expect(runAggregate("sum", [[9223372036854775807n], [1]])).toEqual({ error: "integer overflow" });
  expect(sqliteAggregate("sum($1)", [[9223372036854775807n], [1]])).toEqual({ error: "integer overflow" });
});

it("group_concat and string_agg with separators match SQLite", () => {
  const rows: SqlValue[][] = [["a", "-"], [null, "+"], ["b", null], [1.5, "; "], [new Uint8Array([0x78]), "|"]];
  for (const [name, call] of [["group_concat", "group_concat($1, $2)"], ["string_agg", "string_agg($1, $2)"]]) {
    expect(runAggregate(name, rows)).toEqual(sqliteAggregate(call, rows));
  }
});

/** Drives a sliding ROWS frame of `width` rows ending at each row with step/inverse, as the executor will. */
function slidingWithInverse(f: AggregateFunction, values: SqlValue[], width: number): Described[] {
  let state = f.init();
  const out: Described[] = [];
  values.forEach((v, i) => {
    state = f.step(state, [v], ctx);
    if (i - width >= 0) state = f.inverse!(state, [values[i - width]], ctx);
    out.push(describe(f.value(state)));
  });
  return out;
}

function slidingFromScratch(f: AggregateFunction, values: SqlValue[], width: number): Described[] {
  return values.map((_, i) => {
    let state = f.init();
    for (let j = Math.max(0, i - width + 1); j <= i; j++) state = f.step(state, [values[j]], ctx);
    return describe(f.result(state));
  });
}

it("sliding windows with inverse agree with recomputation and with SQLite's window results", () => {
  let seed = 42;
  const next = () => (seed = (seed * 48271) % 2147483647);
  const values: SqlValue[] = [];
  for (let i = 0; i < 60; i++) {
    const k = next() % 6;
    values.push(k === 0 ? null : k === 1 ? (next() % 1000) - 500 : k === 2 ? ((next() % 10000) - 5000) / 8 : k === 3 ? String(next() % 50) : k === 4 ? next() % 7 : 2 ** 52 + (next() % 5));
  }
  const rows = values.map((v, i) => `(${i}, ${literal(v)})`).join(", ");
  const bad: string[] = [];
  for (const name of ["count", "sum", "total", "avg", "group_concat"]) {
    const f = aggregate(name, 1);
    for (const width of [1, 3, 7]) {
      const incremental = slidingWithInverse(f, values, width);
      const scratch = slidingFromScratch(f, values, width);
      const sqlite = oracle.db
        .exec(`SELECT typeof(r), quote(r) FROM (SELECT ${name}(column2) OVER (ORDER BY column1 ROWS BETWEEN ${width - 1} PRECEDING AND CURRENT ROW) AS r FROM (VALUES ${rows})) `)[0]
        .values.map(([type, quote]) => ({ type: String(type), quote: String(quote) }));
      // sum() keeps its REAL mode once a REAL has been in the frame (SQLite does the
      // same), so against recomputation it can only be compared by numeric value.
      const comparable = (d: Described[]) => (name === "sum" ? d.map((x) => (x.type === "null" ? null : Number(x.quote))) : d);
      if (JSON.stringify(comparable(incremental)) !== JSON.stringify(comparable(scratch))) bad.push(`${name} width ${width}: inverse differs from recomputation`);
      if (JSON.stringify(incremental) !== JSON.stringify(sqlite)) bad.push(`${name} width ${width}: differs from SQLite\n${JSON.stringify(incremental)}\n${JSON.stringify(sqlite)}`);
    }
  }
  expect(bad).toEqual([]);
});

it("min/max with a collation match SQLite's COLLATE NOCASE results", async () => {
  const { minMaxAggregate } = await import("../../../src/engine/func/aggregate.js");
  const { minMaxScalar } = await import("../../../src/engine/func/core.js");
  const { nocaseCollation } = await import("../../../src/engine/value/collation.js");
  const texts: SqlValue[] = ["b", "A", "a", "B", null, "c"];
  for (const kind of ["min", "max"] as const) {
    const f = minMaxAggregate(kind, nocaseCollation);
    let s = f.init();
    for (const t of texts) s = f.step(s, [t], ctx);
    const expected = sqliteAggregate(`${kind}($1 COLLATE NOCASE)`, texts.map((t) => [t]));
    expect(describe(f.result(s))).toEqual(expected);
    const scalarArgs = ["b", "A", "a", "B"];
    const sqlScalar = oracle.evaluate(`${kind}(${scalarArgs.map((t) => `'${t}' COLLATE NOCASE`).join(", ")})`);
    expect(describe(minMaxScalar(kind, nocaseCollation).call(scalarArgs, ctx))).toEqual(sqlScalar);
  }
});

it("seeded random groups: sum, total, avg, min, max, count match SQLite (incl. overflow and compensation)", () => {
  let seed = 77n;
  const next = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
  const pick = (): SqlValue => {
    const r = next();
    switch (Number(r % 7n)) {
      case 0:
        return null;
      case 1:
        return Number(BigInt.asIntN(20, next()));
      case 2:
        return BigInt.asIntN(64, next()) / 2n ** BigInt(Number(r % 64n));
      case 3:
        return Number(BigInt.asIntN(40, next())) / 1024 + 0.1;
      case 4:
        return Number(BigInt.asIntN(64, next())) * 1e-10;
      case 5:
        return String(Number(BigInt.asIntN(16, next())));
      default:
        return (r & 1n ? 1 : -1) * 1e16 + Number(r % 100n);
    }
  };
  const canonical = (v: SqlValue): SqlValue => (typeof v === "bigint" && v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v);
  const bad: string[] = [];
  let digitOnly = 0;
  for (let g = 0; g < 120; g++) {
    const rows = Array.from({ length: 1 + Number(next() % 12n) }, () => [canonical(pick())]);
    for (const name of ["sum", "total", "avg", "min", "max", "count"]) {
      const expected = sqliteAggregate(`${name}($1)`, rows);
      const actual = runAggregate(name, rows);
      if (JSON.stringify(expected) === JSON.stringify(actual)) continue;
      // The known 15-vs-17-digit REAL rendering gap (same double, different digit count) is counted, not hidden.
      if ("type" in expected && "type" in actual && expected.type === actual.type && Number(expected.quote) === Number(actual.quote)) digitOnly++;
      else bad.push(`${name}(${rows.map((r) => literal(r[0]))}): sqlite ${JSON.stringify(expected)} engine ${JSON.stringify(actual)}`);
    }
  }
  expect(bad).toEqual([]);
  expect(digitOnly).toBeLessThanOrEqual(5);
});
