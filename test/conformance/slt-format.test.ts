// The value formatter: I/R/T printing as the reference runner does, checked
// against values the corpus expects and against SQLite itself (sql.js) for
// printf('%.3f'), REAL -> TEXT and TEXT -> INTEGER/REAL conversions.
import fc from "fast-check";
import initSqlJs, { type Database } from "sql.js";
import { beforeAll, describe, expect, it } from "vitest";
import { IntegralReal, type SqlValue } from "../../src/engine/value/types.js";
import { formatValue } from "./slt/format.js";
import { formatFixed, realToText, textToDouble, textToInt64 } from "./slt/sqlite-numbers.js";

let db: Database;
beforeAll(async () => {
  const SQL = await initSqlJs();
  db = new SQL.Database();
});

/** One row of SQLite's answer to `sql` with `params`, INTEGERs as bigint. */
function sqlite(sql: string, params: (number | string)[]): (number | bigint | string | null)[] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    statement.step();
    // sql.js supports { useBigInt }, @types/sql.js does not declare it.
    const reader = statement as unknown as { get(p: null, c: { useBigInt: true }): (number | bigint | string | null)[] };
    return reader.get(null, { useBigInt: true });
  } finally {
    statement.free();
  }
}

const SEED = 20261125;
const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const decimalDouble = fc
  .tuple(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: 0, max: 6 }))
  .map(([n, scale]) => n / 10 ** scale);

describe("formatValue by column type", () => {
  it("prints NULL as NULL for every type letter", () => {
    for (const type of ["I", "R", "T"] as const) expect(formatValue(null, type)).toBe("NULL");
  });

  it("I: integers as %lld, reals truncated toward zero and saturated, text by its integer prefix", () => {
    const cases: [SqlValue, string][] = [
      [42, "42"],
      [-(2n ** 63n), "-9223372036854775808"],
      [2n ** 63n - 1n, "9223372036854775807"],
      [-3.9, "-3"],
      [new IntegralReal(7), "7"],
      [1e300, "9223372036854775807"],
      [-1e300, "-9223372036854775808"],
      ["  12abc", "12"],
      ["abc", "0"],
      ["99999999999999999999", "9223372036854775807"],
      [new Uint8Array([0x35, 0x36, 0x78]), "56"],
    ];
    for (const [value, printed] of cases) expect(formatValue(value, "I")).toBe(printed);
  });

  it("R: SQLite's %.3f with at most 16 significant digits, as the corpus expects", () => {
    const cases: [SqlValue, string][] = [
      [-18446744073709551616, "-18446744073709550000.000"], // the corpus README's example
      [2n ** 63n - 1n, "9223372036854776000.000"],
      [1, "1.000"],
      [new IntegralReal(-0), "0.000"],
      [-0.0001, "-0.000"],
      [0.0005, "0.001"],
      [0.125, "0.125"],
      [0.0625, "0.063"],
      [2 / 3, "0.667"],
      ["3.25xyz", "3.250"],
      ["abc", "0.000"],
      [Infinity, "Inf"],
      [-Infinity, "-Inf"],
    ];
    for (const [value, printed] of cases) expect(formatValue(value, "R")).toBe(printed);
  });

  it("T: text as is, '' as (empty), every byte outside ' '..'~' as @, numbers as SQLite renders them", () => {
    const cases: [SqlValue, string][] = [
      ["hello world", "hello world"],
      ["", "(empty)"],
      ["tab\there", "tab@here"],
      ["é", "@@"],
      ["€~", "@@@~"],
      ["cut\0after", "cut"],
      ["\0", "(empty)"],
      [new Uint8Array([0x41, 0x00, 0x42]), "A"],
      [new Uint8Array([0x41, 0xff, 0x7f]), "A@@"],
      [new Uint8Array([]), "(empty)"],
      [-12, "-12"],
      [2n ** 62n, "4611686018427387904"],
      [new IntegralReal(100), "100.0"],
      [0.1, "0.1"],
      [1e20, "1.0e+20"],
      [1.5e-7, "1.5e-07"],
      [1 / 3, "0.33333333333333332"], // SQLite 3.54: 17 digits from its own 18-digit decode
    ];
    for (const [value, printed] of cases) expect(formatValue(value, "T")).toBe(printed);
  });
});

describe("SQLite numeric conversions against sql.js", () => {
  it("formatFixed(r, 3) is printf('%.3f', r) for any double", () => {
    fc.assert(
      fc.property(fc.oneof(anyDouble, decimalDouble), (r) => {
        expect(formatFixed(r, 3)).toBe(sqlite("SELECT printf('%.3f', CAST(? AS REAL))", [r])[0]);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("formatFixed rounds half-way cases exactly as SQLite's digit generation decides", () => {
    for (const r of [114.5505, 126.6815, 313.3005, 308.8005, 2.675, 1.0005, -0.0005, 999.9995]) {
      expect(formatFixed(r, 3)).toBe(sqlite("SELECT printf('%.3f', ?)", [r])[0]);
    }
  });

  it("realToText(r) is CAST(r AS TEXT) for any double", () => {
    fc.assert(
      fc.property(fc.oneof(anyDouble, decimalDouble), (r) => {
        expect(realToText(r)).toBe(sqlite("SELECT CAST(CAST(? AS REAL) AS TEXT)", [r])[0]);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  const numericText = fc.oneof(
    fc.stringMatching(/^[ \t]{0,2}[+-]?\d{0,22}(\.\d{0,5})?([eE][+-]?\d{0,3})?[a-z ]{0,2}$/),
    fc.string({ maxLength: 8 }),
    anyDouble.map(String),
  );

  it("textToInt64(s) is CAST(s AS INTEGER)", () => {
    fc.assert(
      fc.property(numericText, (s) => {
        expect(textToInt64(s)).toBe(sqlite("SELECT CAST(CAST(? AS TEXT) AS INTEGER)", [s])[0]);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("textToDouble(s) printed with %.3f is CAST(s AS REAL) printed the same way", () => {
    fc.assert(
      fc.property(numericText, (s) => {
        expect(formatFixed(textToDouble(s), 3)).toBe(sqlite("SELECT printf('%.3f', CAST(CAST(? AS TEXT) AS REAL))", [s])[0]);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
