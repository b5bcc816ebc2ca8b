// Rendering reals and integers as text, and parsing text as numbers,
// checked against sql.js (CAST(x AS TEXT), quote(), CAST(text AS ...)).
import { beforeAll, expect, it } from "vitest";
import { parseInt64, parseReal, parsedInt, parsedReal, quoteValue, realToText, utf8Length } from "../../../src/engine/value/text.js";
import { literal, openOracle, type Oracle } from "./oracle.js";

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});

it("renders the documented reals exactly as SQLite", () => {
  const cases: Array<[number, string]> = [
    [1, "1.0"], [0.1, "0.1"], [0.1 + 0.2, "0.30000000000000004"], [1e100, "1.0e+100"], [1.5e-7, "1.5e-07"], [Infinity, "Inf"],
    [-Infinity, "-Inf"], [-0, "0.0"], [1e15, "1000000000000000.0"], [1e16, "10000000000000000.0"], [1e17, "1.0e+17"],
    [0.0001, "0.0001"], [1e-5, "1.0e-05"], [1 / 3, "0.33333333333333332"], [2 / 3, "0.66666666666666663"], [123.456, "123.456"],
    [1.7976931348623157e308, "1.7976931348623157e+308"], [-2.5, "-2.5"], [100, "100.0"], [1.25e20, "1.25e+20"],
  ];
  for (const [r, text] of cases) expect([r, realToText(r)]).toEqual([r, text]);
});

it("renders short decimals like SQLite (seeded sample)", () => {
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647);
  const bad: string[] = [];
  for (let i = 0; i < 400; i++) {
    const digits = next() % 1000000;
    const scale = (next() % 40) - 20;
    const r = Number(`${digits}e${scale}`) * (next() % 2 ? -1 : 1);
    if (Number.isInteger(r) && Math.abs(r) < 2 ** 63) continue;
    const expected = oracle.db.exec(`SELECT CAST(${literal(r)} AS TEXT), quote(${literal(r)})`)[0].values[0];
    const mine = [realToText(r), quoteValue(r)];
    if (mine[0] !== expected[0] || mine[1] !== expected[1]) bad.push(`${r}: sqlite ${expected} engine ${mine}`);
  }
  expect(bad).toEqual([]);
});

it("parses numeric prefixes like SQLite's sqlite3AtoF and sqlite3Atoi64", () => {
  parseReal("  -1.5e3xyz");
  expect([parsedReal.value, parsedReal.kind]).toEqual([-1500, -1]);
  parseReal(" 12 ");
  expect([parsedReal.value, parsedReal.kind]).toEqual([12, 1]);
  parseReal("1.");
  expect([parsedReal.value, parsedReal.kind]).toEqual([1, 2]);
  parseReal("inf");
  expect([parsedReal.value, parsedReal.kind]).toEqual([0, 0]);
  parseInt64("9223372036854775808");
  expect([parsedInt.value, parsedInt.status]).toEqual([9223372036854775807n, 3]);
  parseInt64("-9223372036854775808");
  expect([parsedInt.value, parsedInt.status]).toEqual([-9223372036854775808n, 0]);
  parseInt64("00012abc");
  expect([parsedInt.value, parsedInt.status]).toEqual([12, 1]);
  parseInt64("  ");
  expect([parsedInt.value, parsedInt.status]).toEqual([0, -1]);
  parseInt64("123456789012345678901");
  expect([parsedInt.value, parsedInt.status]).toEqual([9223372036854775807n, 2]);
});

it("counts UTF-8 bytes without encoding", () => {
  for (const s of ["", "abc", "é", "€", "\u{1F600}", "a\u{1F600}é€z", "\uD800"]) {
    expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  }
});
