// Window functions against sql.js over a generated matrix: every window
// function and aggregate × frame unit × bounds (literal and bound-parameter
// offsets) × EXCLUDE × partitioning × ORDER BY with NULLs and ties.
import { beforeAll, describe, expect, it } from "vitest";
import { openOracle, seededRandom, type Param, type WindowOracle } from "./window-oracle.js";

const SETUP = [
  "CREATE TABLE t(id INTEGER PRIMARY KEY, p, o, v, s)",
  "INSERT INTO t VALUES " +
    [
      "(1, 1, 3, 10, 'a')",
      "(2, 1, 1, NULL, 'b')",
      "(3, 2, 1, 2.5, 'c')",
      "(4, 1, NULL, 7, NULL)",
      "(5, 2, 2, -3, 'e')",
      "(6, NULL, 2, 4, 'f')",
      "(7, 1, 3, 0, 'g')",
      "(8, 2, 5, 1.5, 'h')",
      "(9, 1, 1.5, 8, 'i')",
      "(10, NULL, NULL, 6, 'j')",
      "(11, 2, 2, 6, 'k')",
      "(12, 1, 4, 9, 'l')",
      "(13, 2, 7, NULL, 'm')",
      "(14, 3, 1, 2, 'n')",
      "(15, 1, 3, 5, 'o')",
      "(16, 2, 2, 11, 'p')",
      "(17, 3, NULL, 3, 'q')",
      "(18, 1, 6, 12, 'r')",
    ].join(", "),
].join(";");

const FUNCTIONS = [
  "count(*)",
  "count(v)",
  "sum(v)",
  "total(v)",
  "avg(v)",
  "min(v)",
  "max(v)",
  "group_concat(v)",
  "group_concat(s, '|')",
  "string_agg(s, ',')",
  "row_number()",
  "rank()",
  "dense_rank()",
  "percent_rank()",
  "cume_dist()",
  "ntile(4)",
  "lag(v)",
  "lag(v, 2, -1)",
  "lead(s)",
  "lead(v, 3, 'none')",
  "first_value(s)",
  "last_value(v)",
  "nth_value(s, 2)",
  "nth_value(v, 4)",
];
const AGGREGATES = new Set(FUNCTIONS.slice(0, 10));
const PARTITIONS = ["", "PARTITION BY p"];
const ORDERS = ["", "ORDER BY o", "ORDER BY o DESC", "ORDER BY o NULLS LAST", "ORDER BY o DESC NULLS FIRST", "ORDER BY o, id DESC"];
const UNITS = ["ROWS", "RANGE", "GROUPS"] as const;
const EXCLUDES = ["", "EXCLUDE NO OTHERS", "EXCLUDE CURRENT ROW", "EXCLUDE GROUP", "EXCLUDE TIES"];
const START_BOUNDS = ["UNBOUNDED PRECEDING", "2 PRECEDING", "0 PRECEDING", "CURRENT ROW", "1 FOLLOWING"];
const END_BOUNDS = ["1 PRECEDING", "CURRENT ROW", "0 FOLLOWING", "2 FOLLOWING", "UNBOUNDED FOLLOWING"];

interface Case {
  sql: string;
  params: Param[];
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** A frame clause; numeric offsets become bound parameters when `bind` is set. */
function frameClause(rnd: () => number, unit: string, exclude: string, params: Param[], bind: boolean): string {
  const bound = (b: string): string => {
    const m = /^(\d+) (PRECEDING|FOLLOWING)$/.exec(b);
    if (!m || !bind) return b;
    params.push(Number(m[1]));
    return `? ${m[2]}`;
  };
  const start = pick(rnd, START_BOUNDS);
  if (rnd() < 0.15) return `${unit} ${bound(start)} ${exclude}`;
  return `${unit} BETWEEN ${bound(start)} AND ${bound(pick(rnd, END_BOUNDS))} ${exclude}`;
}

/** Every function × unit × EXCLUDE, with random partitioning, ordering and bounds; then fully random cases. */
function generateCases(): Case[] {
  const rnd = seededRandom(20261125);
  const cases: Case[] = [];
  const one = (fn: string, unit: string | null, exclude: string): Case => {
    const params: Param[] = [];
    const frame = unit === null ? "" : frameClause(rnd, unit, exclude, params, rnd() < 0.3);
    const over = [pick(rnd, PARTITIONS), pick(rnd, ORDERS), frame].filter((x) => x).join(" ");
    const filter = AGGREGATES.has(fn) && rnd() < 0.2 ? " FILTER (WHERE v > 2 OR s < 'd')" : "";
    return { sql: `SELECT id, ${fn}${filter} OVER (${over}) FROM t ORDER BY id`, params };
  };
  for (const fn of FUNCTIONS) {
    cases.push(one(fn, null, ""));
    for (const unit of UNITS) for (const exclude of EXCLUDES) cases.push(one(fn, unit, exclude));
  }
  for (let i = 0; i < 400; i++) cases.push(one(pick(rnd, FUNCTIONS), rnd() < 0.1 ? null : pick(rnd, UNITS), pick(rnd, EXCLUDES)));
  return cases;
}

let oracle: WindowOracle;
beforeAll(async () => {
  oracle = await openOracle(SETUP);
});

describe("window function matrix against sql.js", () => {
  const cases = generateCases();
  it(`agrees on ${cases.length} generated queries (results, types and errors)`, () => {
    const mismatches: string[] = [];
    let errors = 0;
    for (const c of cases) {
      const expected = oracle.sqlite(c.sql, 2, c.params);
      const actual = oracle.tessera(c.sql, c.params);
      if ("error" in expected) errors++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${c.sql} [${c.params.join(",")}]\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
    }
    expect(mismatches.slice(0, 5).join("\n")).toBe("");
    // The matrix must exercise the error paths (RANGE offsets without one ORDER BY term, bad frames) but mostly succeed.
    expect(errors).toBeGreaterThan(10);
    expect(errors).toBeLessThan(cases.length / 3);
  });

  it("keeps SQLite's row order without an ORDER BY (single window, ties in input order)", () => {
    const rnd = seededRandom(7);
    const mismatches: string[] = [];
    for (let i = 0; i < 120; i++) {
      const fn = pick(rnd, FUNCTIONS);
      const over = [pick(rnd, PARTITIONS), pick(rnd, ORDERS)].filter((x) => x).join(" ");
      const sql = `SELECT id, ${fn} OVER (${over}) FROM t`;
      const expected = oracle.sqlite(sql, 2);
      const actual = oracle.tessera(sql);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${sql}\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
    }
    expect(mismatches.slice(0, 5).join("\n")).toBe("");
  });

  it("agrees on windows over GROUP BY results (aggregates inside window arguments and definitions)", () => {
    const rnd = seededRandom(11);
    const groupings = ["p", "o", "p, o", "s IS NULL"];
    const aggregates = ["sum(v)", "count(*)", "max(o)", "avg(v)", "total(id)", "min(s)"];
    let errors = 0;
    const windowFns = (agg: string): string[] => ["row_number()", "rank()", "dense_rank()", "percent_rank()", `sum(${agg})`, `lag(${agg})`, `first_value(${agg})`, `group_concat(${agg}, '/')`, `count(${agg})`];
    const mismatches: string[] = [];
    for (let i = 0; i < 150; i++) {
      const agg = pick(rnd, aggregates);
      const by = pick(rnd, groupings);
      const parts = [rnd() < 0.4 ? `PARTITION BY ${pick(rnd, aggregates)} > 2` : "", `ORDER BY ${pick(rnd, aggregates)}${rnd() < 0.5 ? " DESC" : ""}, ${by}`, rnd() < 0.4 ? frameClause(rnd, pick(rnd, UNITS), pick(rnd, EXCLUDES), [], false) : ""];
      const having = rnd() < 0.3 ? " HAVING count(*) > 1" : "";
      const sql = `SELECT ${by}, ${agg}, ${pick(rnd, windowFns(agg))} OVER (${parts.filter((x) => x).join(" ")}) FROM t GROUP BY ${by}${having} ORDER BY ${by}`;
      const width = by.split(",").length + 2;
      const expected = oracle.sqlite(sql, width);
      const actual = oracle.tessera(sql);
      if ("error" in expected) errors++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${sql}\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
    }
    expect(mismatches.slice(0, 3).join("\n")).toBe("");
    expect(errors).toBeLessThan(40);
  });

  it("keeps SQLite's row order and tie handling with several windows and no ORDER BY", () => {
    const rnd = seededRandom(3);
    const windows = ["", "PARTITION BY p", "ORDER BY o", "ORDER BY v DESC", "PARTITION BY p ORDER BY o", "ORDER BY s", "PARTITION BY o ORDER BY id DESC"];
    const functions = ["row_number()", "sum(v)", "rank()", "count(*)", "lag(id)"];
    const mismatches: string[] = [];
    for (let i = 0; i < 200; i++) {
      const n = 2 + Math.floor(rnd() * 3);
      const columns = Array.from({ length: n }, () => `${pick(rnd, functions)} OVER (${pick(rnd, windows)})`);
      const sql = `SELECT id, ${columns.join(", ")} FROM t`;
      const expected = oracle.sqlite(sql, n + 1);
      const actual = oracle.tessera(sql);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${sql}\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
    }
    expect(mismatches.slice(0, 3).join("\n")).toBe("");
  });
});
