// Window-only functions driven through WindowRowView (as the executor will)
// and compared with SQLite's results for the same partition, ORDER BY and frame.
import { beforeAll, expect, it } from "vitest";
import { lookupFunction } from "../../../src/engine/func/registry.js";
import type { WindowFunction, WindowRowView } from "../../../src/engine/func/types.js";
import { compareValues } from "../../../src/engine/value/compare.js";
import type { SqlValue } from "../../../src/engine/value/types.js";
import { describe, literal, openOracle, type Described, type Oracle } from "../value/oracle.js";

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});

/** One partition, already sorted by `key`; `value` is what functions take as their first argument. */
const KEYS: SqlValue[] = [1, 1, 2, 3, 3, 3, 4, 5, 5, 6, null, null];
const sorted = [...KEYS].sort((a, b) => compareValues(a, b));
const VALUES: SqlValue[] = sorted.map((_key, i) => (i % 4 === 3 ? null : `v${i}`));

interface FrameSpec {
  sql: string;
  /** [start, end) of the frame of row i. */
  bounds(i: number, peers: [number, number]): [number, number];
}

const FRAMES: FrameSpec[] = [
  { sql: "", bounds: (_i, [, pe]) => [0, pe] },
  { sql: "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", bounds: (i) => [Math.max(0, i - 1), Math.min(sorted.length, i + 2)] },
  { sql: "ROWS BETWEEN 2 FOLLOWING AND 4 FOLLOWING", bounds: (i) => [Math.min(sorted.length, i + 2), Math.min(sorted.length, i + 5)] },
  { sql: "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", bounds: () => [0, sorted.length] },
];

function peersOf(i: number): [number, number] {
  let s = i;
  while (s > 0 && compareValues(sorted[s - 1], sorted[i]) === 0) s--;
  let e = i + 1;
  while (e < sorted.length && compareValues(sorted[e], sorted[i]) === 0) e++;
  return [s, e];
}

function groupIndex(i: number): number {
  let g = 0;
  for (let k = 1; k <= i; k++) if (compareValues(sorted[k - 1], sorted[k]) !== 0) g++;
  return g;
}

function engine(name: string, extraArgs: SqlValue[], frame: FrameSpec, withValue: boolean): Described[] {
  const nArgs = (withValue ? 1 : 0) + extraArgs.length;
  const f = lookupFunction(name, nArgs) as WindowFunction;
  return sorted.map((_, i) => {
    const peers = peersOf(i);
    const [frameStart, frameEnd] = frame.bounds(i, peers);
    const view: WindowRowView = {
      partitionSize: sorted.length,
      row: i,
      frameStart,
      frameEnd,
      peerStart: peers[0],
      peerEnd: peers[1],
      peerGroupIndex: groupIndex(i),
      argsAt: (j) => (withValue ? [VALUES[j], ...extraArgs] : extraArgs),
    };
    return describe(f.compute(view));
  });
}

function sqlite(call: string, frame: FrameSpec): Described[] {
  const rows = sorted.map((k, i) => `(${literal(k)}, ${literal(VALUES[i])}, ${i})`).join(", ");
  const res = oracle.db.exec(
    `SELECT typeof(r), quote(r) FROM (SELECT ${call} OVER (ORDER BY column1, column3 ${frame.sql}) AS r, column3 FROM (VALUES ${rows})) ORDER BY column3`,
  );
  return res[0].values.map(([t, q]) => ({ type: String(t), quote: String(q) }));
}

it("ranking functions match SQLite", () => {
  // Ranking uses peers by the key only, so SQLite must order by the key alone.
  const rows = sorted.map((k, i) => `(${literal(k)}, ${i})`).join(", ");
  for (const name of ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist"]) {
    const expected = oracle.db
      .exec(`SELECT typeof(r), quote(r) FROM (SELECT ${name}() OVER (ORDER BY column1) AS r, column2 FROM (VALUES ${rows})) ORDER BY column2`)[0]
      .values.map(([t, q]) => ({ type: String(t), quote: String(q) }));
    expect([name, engine(name, [], FRAMES[0], false)]).toEqual([name, expected]);
  }
});

it("ntile matches SQLite for several bucket counts and rejects non-positive counts", () => {
  for (const n of [1, 2, 3, 5, 7, 12, 20]) {
    const expected = sqlite(`ntile(${n})`, FRAMES[0]);
    expect([n, engine("ntile", [n], FRAMES[0], false)]).toEqual([n, expected]);
  }
  expect(() => engine("ntile", [0], FRAMES[0], false)).toThrow("argument of ntile must be a positive integer");
});

it("lag, lead, first_value, last_value and nth_value match SQLite for several frames", () => {
  const calls: Array<[string, SqlValue[], string]> = [
    ["lag", [], "lag(column2)"],
    ["lag", [2], "lag(column2, 2)"],
    ["lag", [3, "dflt"], "lag(column2, 3, 'dflt')"],
    ["lead", [], "lead(column2)"],
    ["lead", [2, 0], "lead(column2, 2, 0)"],
    ["first_value", [], "first_value(column2)"],
    ["last_value", [], "last_value(column2)"],
    ["nth_value", [2], "nth_value(column2, 2)"],
    ["nth_value", [5], "nth_value(column2, 5)"],
  ];
  const bad: string[] = [];
  for (const frame of FRAMES.slice(1)) {
    for (const [name, extra, call] of calls) {
      const expected = sqlite(call, frame);
      const actual = engine(name, extra, frame, true);
      if (JSON.stringify(expected) !== JSON.stringify(actual)) bad.push(`${call} ${frame.sql}`);
    }
  }
  expect(bad).toEqual([]);
  expect(() => engine("nth_value", [0], FRAMES[1], true)).toThrow("second argument to nth_value must be a positive integer");
});
