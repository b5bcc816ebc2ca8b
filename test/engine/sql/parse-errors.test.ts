// Parse errors read exactly like SQLite's: each malformed statement is
// prepared by sql.js (real SQLite) and our parser must fail with the same
// message; a few offsets are checked by hand.

import { describe, expect, test } from "vitest";
import { SqliteError } from "../../../src/engine/errors.js";
import { parseExpression, parseScript, parseStatement } from "../../../src/engine/sql/parse.js";
import { MALFORMED } from "./malformed-cases.js";
import { sqlitePrepareError } from "./sqljs-oracle.js";

function ourError(sql: string): SqliteError {
  try {
    parseScript(sql);
  } catch (e) {
    if (e instanceof SqliteError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${sql}`);
}

describe("malformed statements fail with SQLite's message", () => {
  test("the case list is large enough", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(60);
  });
  test.each(MALFORMED)("%s", async (sql) => {
    const expected = await sqlitePrepareErrorOfScript(sql);
    expect(expected).not.toBeNull();
    const actual = ourError(sql);
    expect(actual.message).toBe(expected);
    expect(actual.code).toBe("SQLITE_ERROR");
    expect(typeof actual.offset).toBe("number");
  });
});

/** SQLite's first error over a script: prepare statement by statement, as exec does. */
async function sqlitePrepareErrorOfScript(sql: string): Promise<string | null> {
  // The only multi-statement case is "SELECT 1; SELECT FROM": its first statement is valid.
  const parts = sql.startsWith("SELECT 1; ") ? ["SELECT 1", sql.slice("SELECT 1; ".length)] : [sql];
  for (const part of parts) {
    const message = await sqlitePrepareError(part);
    if (message !== null) return message;
  }
  return null;
}

describe("error offsets point at the offending token", () => {
  const cases: [string, string, number][] = [
    ["SELECT * FORM t", 'near "FORM": syntax error', 9],
    ["SELECT 1 +", "incomplete input", 10],
    ["SELECT 'abc", `unrecognized token: "'abc"`, 7],
    ["SELECT 1;\nSELECT * FROM t WHERE a IN 1", 'near "1": syntax error', 37],
    ["SELECT 1abc FROM t", 'unrecognized token: "1abc"', 7],
    ["SELECT ?0", "variable number must be between ?1 and ?32766", 7],
  ];
  test.each(cases)("%s", (sql, message, offset) => {
    const e = ourError(sql);
    expect(e.message).toBe(message);
    expect(e.offset).toBe(offset);
  });
});

describe("the earlier error wins", () => {
  test("a syntax error before an unrecognized token", () => {
    expect(ourError("SELECT FROM 'abc").message).toBe('near "FROM": syntax error');
  });
  test("an unrecognized token before a syntax error", () => {
    expect(ourError("SELECT #, FROM").message).toBe('unrecognized token: "#"');
  });
});

describe("expression height limit matches SQLite's (maximum depth 1000)", () => {
  const shapes: [string, (n: number) => string][] = [
    ["1+1+...", (n) => "SELECT 1" + "+1".repeat(n)],
    ["AND chain", (n) => "SELECT a FROM t WHERE " + Array.from({ length: n }, (_, i) => `a=${i}`).join(" AND ")],
    ["|| of parenthesized sums", (n) => "SELECT " + Array.from({ length: n }, (_, i) => `(a+${i})`).join(" || ") + " FROM t"],
    ["COLLATE chain", (n) => "SELECT a" + " COLLATE nocase".repeat(n) + " FROM t"],
  ];
  const cases = shapes.flatMap(([label, make]) => [998, 999, 1000].map((n): [string, number, string] => [label, n, make(n)]));
  test.each(cases)("%s with %i operators", async (_label, _n, sql) => {
    const expected = await sqlitePrepareError(sql);
    let actual: string | null = null;
    try {
      parseStatement(sql);
    } catch (e) {
      actual = (e as Error).message;
    }
    expect(actual).toBe(expected);
  });
});

describe("entry-point errors", () => {
  test("parseStatement rejects an empty text and a second statement", () => {
    expect(() => parseStatement("  -- nothing\n;")).toThrow(/no SQL statement/);
    expect(() => parseStatement("SELECT 1; SELECT 2")).toThrow(/more than one SQL statement/);
  });
  test("parseExpression needs the whole text to be one expression", () => {
    expect(() => parseExpression("1 + 2 3")).toThrow('near "3": syntax error');
  });
  test("deep nesting is an error, not a stack overflow", () => {
    const sql = "SELECT " + "(".repeat(5000) + "1" + ")".repeat(5000);
    expect(() => parseStatement(sql)).toThrow(/Expression tree is too large/);
  });
});
