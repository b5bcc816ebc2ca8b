// Differential tests of LIKE (with and without ESCAPE) and GLOB against sql.js.
import { beforeAll, expect, it } from "vitest";
import { globMatch, likeMatch } from "../../../src/engine/value/pattern.js";
import { literal, openOracle, type Oracle } from "./oracle.js";

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});

const STRINGS = ["", "a", "A", "abc", "ABC", "aXc", "a_c", "a%c", "abcabc", "é", "É", "x\u{1F600}y", "[a]", "a]b", "a-b", "^", "ab\\c", "aaa", "ba", "a*c", "a?c", "zebra"];

function check(sqlOp: string, patterns: string[], mine: (p: string, s: string) => boolean, escape?: string): string[] {
  const bad: string[] = [];
  for (const p of patterns)
    for (const s of STRINGS) {
      const esc = escape === undefined ? "" : ` ESCAPE ${literal(escape)}`;
      const expected = oracle.db.exec(`SELECT ${literal(s)} ${sqlOp} ${literal(p)}${esc}`)[0].values[0][0];
      const got = mine(p, s) ? 1 : 0;
      if (got !== expected) bad.push(`${JSON.stringify(s)} ${sqlOp} ${JSON.stringify(p)}${esc}: sqlite ${expected} engine ${got}`);
    }
  return bad;
}

it("LIKE matches SQLite (ASCII case folding only)", () => {
  const patterns = ["", "%", "_", "a%", "%c", "A_C", "%b%", "a%c%", "%%", "_%_", "___", "é", "É", "x_y", "x%y", "%a", "a", "abc%abc", "%B%C", "%_c"];
  expect(check("LIKE", patterns, (p, s) => likeMatch(p, s))).toEqual([]);
});

it("LIKE with ESCAPE matches SQLite", () => {
  const patterns = ["a\\_c", "a\\%c", "%\\%%", "\\a%", "a%\\", "ab\\\\c", "%\\_%"];
  expect(check("LIKE", patterns, (p, s) => likeMatch(p, s, 92), "\\")).toEqual([]);
  const underscoreEscape = ["a__c", "a_%", "%__%", "_a%"];
  expect(check("LIKE", underscoreEscape, (p, s) => likeMatch(p, s, 95), "_")).toEqual([]);
});

it("GLOB matches SQLite", () => {
  const patterns = ["", "*", "?", "a*", "*c", "a?c", "[a]*", "[^a]*", "[]]*", "*[]]*", "[a-c]*", "*[-]*", "a[*]c", "a[?]c", "*[x]*", "[", "a[b", "*é", "x?y", "A*", "[^]]*", "[a-]*", "*[b-a]*"];
  expect(check("GLOB", patterns, globMatch)).toEqual([]);
});
