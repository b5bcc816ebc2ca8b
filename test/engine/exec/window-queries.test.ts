// Window functions against sql.js in hand-picked query shapes: named
// windows and base-window chaining, windows over GROUP BY results, windows in
// ORDER BY and inside larger expressions, several windows in one query,
// joins, subqueries, DISTINCT/LIMIT, collations, JSON aggregates as windows,
// sliding min/max with equal values, and SQLite's error messages.
import { beforeAll, describe, expect, it } from "vitest";
import { openOracle, seededRandom, type Param, type WindowOracle } from "./window-oracle.js";

const SETUP = [
  "CREATE TABLE t(id INTEGER PRIMARY KEY, g TEXT, k, x, y REAL, name TEXT COLLATE NOCASE)",
  "INSERT INTO t VALUES (1, 'a', 1, 10, 1.5, 'Ann'), (2, 'b', 2, 20, NULL, 'bob'), (3, 'a', 2, 30, 2.5, 'ann'), (4, 'c', NULL, 40, 0, 'Cid'), (5, 'b', 1, NULL, 3.5, 'BOB'), (6, 'a', 3, 60, 4, 'dee'), (7, 'c', 3, 70, NULL, 'eve'), (8, 'B', 2, 80, 1, 'Fay')",
  "CREATE TABLE u(gid TEXT, label TEXT)",
  "INSERT INTO u VALUES ('a', 'alpha'), ('b', 'beta'), ('c', 'gamma')",
].join(";");

/** [sql, number of result columns, bound parameters]. */
type Query = [string, number, Param[]?];

const NAMED_WINDOWS: Query[] = [
  ["SELECT id, sum(x) OVER w, count(*) OVER w FROM t WINDOW w AS (PARTITION BY g ORDER BY id) ORDER BY id", 3],
  ["SELECT id, sum(x) OVER (w ROWS 1 PRECEDING) FROM t WINDOW w AS (PARTITION BY g ORDER BY k, id) ORDER BY id", 2],
  ["SELECT id, rank() OVER (w ORDER BY k) FROM t WINDOW w AS (PARTITION BY g) ORDER BY id", 2],
  ["SELECT id, sum(x) OVER w2 FROM t WINDOW w1 AS (PARTITION BY g), w2 AS (w1 ORDER BY id) ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (w1 ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t WINDOW w1 AS (PARTITION BY g), w2 AS (ORDER BY x) ORDER BY id", 2],
  ["SELECT id, first_value(id) OVER w, last_value(id) OVER w FROM t WINDOW w AS (ORDER BY k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) ORDER BY id", 3],
  ["SELECT id, sum(x) OVER (w ORDER BY id) FROM t WINDOW w AS (PARTITION BY g ORDER BY k)", 2],
  ["SELECT id, sum(x) OVER (w PARTITION BY k) FROM t WINDOW w AS (ORDER BY id)", 2],
  ["SELECT id, sum(x) OVER (w ORDER BY id) FROM t WINDOW w AS (ROWS 1 PRECEDING)", 2],
  ["SELECT id, sum(x) OVER nope FROM t", 2],
  ["SELECT id, sum(x) OVER (nope ORDER BY id) FROM t", 2],
  ["SELECT id, sum(x) OVER w FROM t WINDOW w AS (v ORDER BY id)", 2],
  ["SELECT id, sum(x) OVER W FROM t WINDOW w AS (ORDER BY id) ORDER BY id", 2],
  ["SELECT id, sum(x) OVER w2 FROM t WINDOW w2 AS (w1 ORDER BY id), w1 AS (PARTITION BY g)", 2],
  ["SELECT id, sum(x) OVER w FROM t WINDOW w AS (ORDER BY id), w AS (ORDER BY id DESC)", 2],
];

const GROUPED: Query[] = [
  ["SELECT g, sum(x), rank() OVER (ORDER BY sum(x) DESC) FROM t GROUP BY g ORDER BY g", 3],
  ["SELECT g, count(*), row_number() OVER (ORDER BY count(*), g) FROM t GROUP BY g", 3],
  ["SELECT g, sum(x), sum(sum(x)) OVER (ORDER BY g ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t GROUP BY g", 3],
  ["SELECT g, avg(y), lag(avg(y)) OVER (ORDER BY g) FROM t GROUP BY g HAVING count(*) > 1", 3],
  ["SELECT k, max(x), dense_rank() OVER (PARTITION BY max(x) > 40 ORDER BY k) FROM t GROUP BY k ORDER BY k", 3],
  ["SELECT count(*), sum(count(*)) OVER () FROM t", 2],
  ["SELECT rank() OVER (ORDER BY sum(x)) FROM t", 1],
  ["SELECT g, sum(x) * 2 + row_number() OVER (ORDER BY g DESC) FROM t GROUP BY g", 2],
  ["SELECT g, group_concat(g, '-') OVER (ORDER BY g) FROM t GROUP BY g", 2],
  ["SELECT g FROM t GROUP BY g ORDER BY rank() OVER (ORDER BY sum(x)), g", 1],
  ["SELECT g, sum(x) FILTER (WHERE k > 1), count(*) FILTER (WHERE sum(x) > 50) OVER () FROM t GROUP BY g ORDER BY g", 3],
];

const SHAPES: Query[] = [
  ["SELECT id, row_number() OVER () * 2, 100 - rank() OVER (ORDER BY k) FROM t ORDER BY id", 3],
  ["SELECT id FROM t ORDER BY row_number() OVER (ORDER BY x DESC)", 1],
  ["SELECT id, ntile(3) OVER (ORDER BY id) AS n FROM t ORDER BY n DESC, id", 2],
  ["SELECT id, k, row_number() OVER (ORDER BY k, id), sum(x) OVER (PARTITION BY g), rank() OVER (ORDER BY y) FROM t ORDER BY id", 5],
  ["SELECT id, row_number() OVER (ORDER BY id DESC) FROM t", 2],
  ["SELECT g, k, id, rank() OVER (PARTITION BY g ORDER BY k) FROM t", 4],
  ["SELECT DISTINCT g, count(*) OVER (PARTITION BY g) FROM t ORDER BY 1", 2],
  ["SELECT id, sum(x) OVER (ORDER BY id) FROM t ORDER BY id LIMIT 3 OFFSET 2", 2],
  ["SELECT id, rank() OVER (ORDER BY name) FROM t ORDER BY id", 2],
  ["SELECT id, rank() OVER (ORDER BY name COLLATE BINARY) FROM t ORDER BY id", 2],
  ["SELECT id, count(*) OVER (PARTITION BY name) FROM t ORDER BY id", 2],
  ["SELECT id, count(*) OVER (PARTITION BY g COLLATE NOCASE) FROM t ORDER BY id", 2],
  ["SELECT t.id, u.label, row_number() OVER (PARTITION BY u.label ORDER BY t.id DESC) FROM t JOIN u ON u.gid = t.g ORDER BY t.id", 3],
  ["SELECT t.id, u.label, count(*) OVER (PARTITION BY u.label) FROM t LEFT JOIN u ON u.gid = t.g ORDER BY t.id", 3],
  ["SELECT id, (SELECT count(*) FROM u WHERE u.gid = t.g) + row_number() OVER (ORDER BY id) FROM t ORDER BY id", 2],
  ["SELECT * FROM (SELECT id, rank() OVER (ORDER BY k) AS r FROM t) WHERE r > 2 ORDER BY id", 2],
  ["SELECT label, (SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY id) AS r FROM t WHERE t.g = u.gid)) FROM u ORDER BY label", 2],
  ["WITH c AS (SELECT id, lead(id) OVER (ORDER BY id) AS nxt FROM t) SELECT id, nxt FROM c ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k RANGE BETWEEN ? PRECEDING AND ? FOLLOWING) FROM t ORDER BY id", 2, [1, 0]],
  ["SELECT id, sum(x) OVER (ORDER BY y RANGE BETWEEN 1.5 PRECEDING AND 0.5 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY y DESC RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY name RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS BETWEEN '1' PRECEDING AND 1.0 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k RANGE '2' PRECEDING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, sum(x) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING) FROM t ORDER BY id", 2],
  ["SELECT id, total(x) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 0 FOLLOWING) FROM t ORDER BY id", 2],
  ["SELECT id, min(x) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING), max(name) OVER (ORDER BY id ROWS 2 PRECEDING) FROM t ORDER BY id", 3],
  ["SELECT id, nth_value(x, 2) OVER (PARTITION BY g ORDER BY id EXCLUDE CURRENT ROW) FROM t ORDER BY id", 2],
  ["SELECT id, lag(x, 2) OVER (), lead(x, -1) OVER (ORDER BY id), lag(x, NULL) OVER (ORDER BY id) FROM t ORDER BY id", 4],
  ["SELECT id, sum(x) OVER (PARTITION BY g) FROM t WHERE 0", 2],
  ["SELECT row_number() OVER (), count(*) OVER () FROM (SELECT 1 UNION ALL SELECT 2)", 2],
  ["SELECT id, row_number() OVER (ORDER BY 1) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY id ROWS -1 PRECEDING) FROM t WHERE 0", 2],
  ["SELECT id AS z FROM t ORDER BY sum(x) OVER (ORDER BY z DESC), z", 1],
  ["SELECT id, json_array(json_group_array(x) OVER (ORDER BY id)) FROM t ORDER BY id", 2],
  ["SELECT id, json_array(json_group_object(g, y) OVER (ORDER BY id ROWS 1 PRECEDING)) FROM t ORDER BY id", 2],
  ["SELECT id, json_group_array(json_array(x, name)) FILTER (WHERE k > 1) OVER (PARTITION BY g) FROM t ORDER BY id", 2],
  ["SELECT row_number() OVER ()", 1],
  ["SELECT sum(x), rank() OVER () FROM t WHERE 0", 2],
  ["SELECT g, count(*) OVER () FROM t WHERE 0 GROUP BY g", 2],
];

const ERRORS: Query[] = [
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS -1 PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND 1.5 FOLLOWING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k GROUPS NULL PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k RANGE 'abc' PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k RANGE BETWEEN 1 PRECEDING AND -2 FOLLOWING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS ? PRECEDING) FROM t", 2, [-3]],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS x PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (RANGE 1 PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k, id RANGE BETWEEN CURRENT ROW AND 1 FOLLOWING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING) FROM t", 2],
  ["SELECT id, sum(DISTINCT x) OVER () FROM t", 2],
  ["SELECT id, rank() FILTER (WHERE x > 1) OVER () FROM t", 2],
  ["SELECT id, upper(g) OVER () FROM t", 2],
  ["SELECT id, nosuch(x) OVER () FROM t", 2],
  ["SELECT id, rank(x) OVER () FROM t", 2],
  ["SELECT id, ntile(0) OVER (ORDER BY id) FROM t", 2],
  ["SELECT id, nth_value(x, 0) OVER (ORDER BY id) FROM t", 2],
  ["SELECT id FROM t WHERE row_number() OVER () > 1", 1],
  ["SELECT g FROM t GROUP BY g HAVING rank() OVER () > 1", 1],
  ["SELECT g, count(*) FROM t GROUP BY row_number() OVER ()", 2],
  ["SELECT id, sum(row_number() OVER ()) OVER () FROM t", 2],
  ["SELECT id, sum(x) OVER (ORDER BY k RANGE BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM t", 2],
  ["SELECT id AS z, sum(x) OVER (ORDER BY z) FROM t", 2],
  ["SELECT id AS z, sum(z) OVER () FROM t", 2],
];

describe("sliding min()/max() against sql.js, with values that compare equal (1 and 1.0, 'a' and 'A' under NOCASE)", () => {
  it("agrees on 300 generated frames", async () => {
    const minMax = await openOracle(
      "CREATE TABLE m(id INTEGER PRIMARY KEY, v, w TEXT COLLATE NOCASE); INSERT INTO m VALUES (1, 1.0, 'a'), (2, 1, 'A'), (3, 2, 'b'), (4, 1.0, NULL), (5, 'a', 'B'), (6, 'A', 'a'), (7, 0, 'b'), (8, 1, 'A'), (9, NULL, 'c'), (10, 2.0, 'C'), (11, 2, 'c')",
    );
    const rnd = seededRandom(5);
    const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)];
    const mismatches: string[] = [];
    for (let i = 0; i < 300; i++) {
      const fn = pick(["min(v)", "max(v)", "min(w)", "max(w)", "max(v COLLATE NOCASE)"]);
      const start = pick(["UNBOUNDED PRECEDING", "2 PRECEDING", "1 PRECEDING", "CURRENT ROW", "1 FOLLOWING"]);
      const end = pick(["CURRENT ROW", "1 FOLLOWING", "3 FOLLOWING", "UNBOUNDED FOLLOWING"]);
      const over = `${pick(["ORDER BY id", "ORDER BY v", "ORDER BY w DESC", "PARTITION BY id % 2 ORDER BY id"])} ${pick(["ROWS", "GROUPS", "RANGE"])} BETWEEN ${start} AND ${end}`;
      const filter = rnd() < 0.2 ? " FILTER (WHERE id <> 4)" : "";
      const sql = `SELECT id, ${fn}${filter} OVER (${over}) FROM m ORDER BY id`;
      const expected = minMax.sqlite(sql, 2);
      const actual = minMax.tessera(sql);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${sql}\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
    }
    expect(mismatches.slice(0, 3).join("\n")).toBe("");
  });
});

let oracle: WindowOracle;
beforeAll(async () => {
  oracle = await openOracle(SETUP);
});

function agree(queries: Query[]): string[] {
  const mismatches: string[] = [];
  for (const [sql, width, params = []] of queries) {
    const expected = oracle.sqlite(sql, width, params);
    const actual = oracle.tessera(sql, params);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${sql}\n  sqlite:  ${JSON.stringify(expected)}\n  tessera: ${JSON.stringify(actual)}`);
  }
  return mismatches;
}

describe("window queries against sql.js", () => {
  it("named windows and base-window chaining", () => {
    expect(agree(NAMED_WINDOWS).join("\n")).toBe("");
  });
  it("windows over GROUP BY results", () => {
    expect(agree(GROUPED).join("\n")).toBe("");
  });
  it("query shapes: expressions, ORDER BY, several windows, joins, subqueries, DISTINCT, LIMIT, collations, RANGE offsets", () => {
    expect(agree(SHAPES).join("\n")).toBe("");
  });
  it("errors with SQLite's messages", () => {
    for (const [sql, width, params = []] of ERRORS) expect("error" in oracle.sqlite(sql, width, params), sql).toBe(true);
    expect(agree(ERRORS).join("\n")).toBe("");
  });
});
