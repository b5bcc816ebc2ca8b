// Differential tests of value ordering, collations, affinity application and
// the comparison operators' affinity rules against sql.js.
import { beforeAll, describe as group, expect, it } from "vitest";
import { affinityOfTypeName, applyAffinity, strictValue, type Affinity } from "../../../src/engine/value/affinity.js";
import { binaryCollation, findCollation, nocaseCollation, rtrimCollation } from "../../../src/engine/value/collation.js";
import { compareForExpr, compareValues, comparisonAffinity } from "../../../src/engine/value/compare.js";
import { IntegralReal, type SqlValue } from "../../../src/engine/value/types.js";
import { SAMPLE_VALUES, describe, literal, openOracle, type Oracle } from "./oracle.js";

let oracle: Oracle;
beforeAll(async () => {
  oracle = await openOracle();
});

const TEXTS = ["", "a", "A", "b", "B", "ab", "aB", "a ", "a  ", "a\t", " a", "é", "É", "z", "\u{1F600}", "\uE000", "\uFFFF", "ä", "abc", "ABC", "abd"];

function sign(n: number | null): number | null {
  return n === null ? null : Math.sign(n);
}

group("ordering", () => {
  it("compareValues orders the samples as SQLite's ORDER BY does", () => {
    const rows = SAMPLE_VALUES.map((v) => `(${literal(v)})`).join(",");
    const expected = oracle.column(`SELECT quote(column1) FROM (VALUES ${rows}) ORDER BY column1, quote(column1)`);
    const sorted = [...SAMPLE_VALUES].sort((a, b) => compareValues(a, b) || (describe(a).quote < describe(b).quote ? -1 : 1));
    expect(sorted.map((v) => describe(v).quote)).toEqual(expected);
  });

  it("a < b and a = b without affinity match SQLite for every pair", () => {
    const bad: string[] = [];
    for (const a of SAMPLE_VALUES)
      for (const b of SAMPLE_VALUES) {
        const [lt, eq] = oracle.db.exec(`SELECT ${literal(a)} < ${literal(b)}, ${literal(a)} = ${literal(b)}`)[0].values[0];
        const c = sign(compareForExpr(a, b, "none"));
        const mine = c === null ? [null, null] : [c < 0 ? 1 : 0, c === 0 ? 1 : 0];
        if (mine[0] !== lt || mine[1] !== eq) bad.push(`${literal(a)} vs ${literal(b)}: sqlite ${lt},${eq} engine ${mine}`);
      }
    expect(bad).toEqual([]);
  });

  it("int64 versus double comparisons are exact at the 2^53 and 2^63 boundaries", () => {
    const values: SqlValue[] = [
      2n ** 53n + 1n, 9007199254740992, 9007199254740992.0 + 2, new IntegralReal(9007199254740991), 9223372036854775807n,
      9223372036854775808, -9223372036854775808n, -9223372036854775808, 9223372036854774784, 9223372036854774785n, -0.5, 0.5,
    ];
    const bad: string[] = [];
    for (const a of values)
      for (const b of values) {
        const lt = oracle.db.exec(`SELECT (${literal(a)} < ${literal(b)}) - (${literal(a)} > ${literal(b)})`)[0].values[0][0];
        if (sign(compareValues(a, b)) !== -(lt as number) && !(lt === 0 && compareValues(a, b) === 0)) bad.push(`${literal(a)} vs ${literal(b)}`);
      }
    expect(bad).toEqual([]);
  });
});

group("collations", () => {
  for (const name of ["BINARY", "NOCASE", "RTRIM"]) {
    it(`${name} orders text as SQLite does`, () => {
      const collation = findCollation(name)!;
      const bad: string[] = [];
      for (const a of TEXTS)
        for (const b of TEXTS) {
          const r = oracle.db.exec(`SELECT (${literal(a)} < ${literal(b)} COLLATE ${name}) - (${literal(a)} > ${literal(b)} COLLATE ${name})`)[0]
            .values[0][0] as number;
          if (Math.sign(collation(a, b)) !== -r) bad.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`);
        }
      expect(bad).toEqual([]);
    });
  }
  it("the registry finds collations case-insensitively", () => {
    expect(findCollation("binary")).toBe(binaryCollation);
    expect(findCollation("NoCase")).toBe(nocaseCollation);
    expect(findCollation("rtrim")).toBe(rtrimCollation);
    expect(findCollation("nope")).toBeUndefined();
  });
});

const COLUMNS: Array<[string, string]> = [
  ["ci", "INTEGER"],
  ["cr", "REAL"],
  ["ct", "TEXT"],
  ["cb", "BLOB"],
  ["cn", "NUMERIC"],
  ["cv", "VARCHAR(5)"],
  ["cf", "FLOATING POINT"],
  ["cd", "DECIMAL"],
];

group("affinity", () => {
  it("declared type names map to SQLite's affinities", () => {
    const cases: Array<[string | null, Affinity]> = [
      ["INTEGER", "integer"], ["BIGINT", "integer"], ["POINT", "integer"], ["TINYINT", "integer"], ["VARCHAR(10)", "text"],
      ["CLOB", "text"], ["CHARINT", "integer"], ["BLOB", "blob"], [null, "blob"], ["", "blob"], ["REAL", "real"],
      ["DOUBLE PRECISION", "real"], ["FLOAT", "real"], ["FLOATING POINT", "integer"], ["NUMERIC", "numeric"],
      ["DECIMAL(10,5)", "numeric"], ["BOOLEAN", "numeric"], ["DATETIME", "numeric"], ["STRING", "numeric"],
    ];
    for (const [name, aff] of cases) expect([name, affinityOfTypeName(name)]).toEqual([name, aff]);
  });

  it("storing each sample value in columns of each affinity matches SQLite", () => {
    oracle.db.run(`CREATE TABLE aff(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")})`);
    const bad: string[] = [];
    for (const v of SAMPLE_VALUES) {
      oracle.db.run("DELETE FROM aff");
      oracle.db.run(`INSERT INTO aff VALUES (${COLUMNS.map(() => literal(v)).join(", ")})`);
      const row = oracle.db.exec(`SELECT ${COLUMNS.map(([c]) => `typeof(${c}), quote(${c})`).join(", ")} FROM aff`)[0].values[0];
      COLUMNS.forEach(([, type], i) => {
        const mine = describe(applyAffinity(v, affinityOfTypeName(type)));
        if (mine.type !== row[2 * i] || mine.quote !== row[2 * i + 1]) {
          bad.push(`${literal(v)} into ${type}: sqlite ${row[2 * i]} ${row[2 * i + 1]} engine ${mine.type} ${mine.quote}`);
        }
      });
    }
    expect(bad).toEqual([]);
  });

  it("column-versus-literal and column-versus-column comparisons apply affinity as SQLite does", () => {
    oracle.db.run(`CREATE TABLE cmp(${COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")})`);
    const probes: SqlValue[] = [1, 12, new IntegralReal(12), 1.5, "12", " 12 ", "1.5", "abc", "12abc", new Uint8Array([0x31, 0x32]), 1e100, "1e3", 1000];
    const bad: string[] = [];
    for (const v of probes) {
      oracle.db.run("DELETE FROM cmp");
      oracle.db.run(`INSERT INTO cmp VALUES (${COLUMNS.map(() => literal(v)).join(", ")})`);
      for (const w of probes) {
        for (const [col, type] of COLUMNS) {
          const aff = affinityOfTypeName(type);
          const stored = applyAffinity(v, aff);
          const [lt, eq, ltCol] = oracle.db.exec(`SELECT ${col} < ${literal(w)}, ${col} = ${literal(w)}, ${col} < ct FROM cmp`)[0].values[0];
          const c = compareForExpr(stored, w, comparisonAffinity(aff, "none"));
          const cc = compareForExpr(stored, applyAffinity(v, "text"), comparisonAffinity(aff, "text"));
          const mine = [c! < 0 ? 1 : 0, c === 0 ? 1 : 0, cc! < 0 ? 1 : 0];
          if (mine[0] !== lt || mine[1] !== eq || mine[2] !== ltCol) {
            bad.push(`${col} ${type} holding ${literal(v)} vs ${literal(w)}: sqlite ${lt},${eq},${ltCol} engine ${mine}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("STRICT tables convert or reject values as SQLite does", () => {
    oracle.db.run("CREATE TABLE st(i INTEGER, r REAL, t TEXT, b BLOB, a ANY) STRICT");
    const types = ["INTEGER", "REAL", "TEXT", "BLOB", "ANY"] as const;
    const cols = ["i", "r", "t", "b", "a"];
    const bad: string[] = [];
    for (const v of SAMPLE_VALUES) {
      types.forEach((type, k) => {
        let expected: string;
        try {
          oracle.db.run("DELETE FROM st");
          oracle.db.run(`INSERT INTO st(${cols[k]}) VALUES (${literal(v)})`);
          const r = oracle.db.exec(`SELECT typeof(${cols[k]}), quote(${cols[k]}) FROM st`)[0].values[0];
          expected = `${r[0]} ${r[1]}`;
        } catch (e) {
          expected = (e as Error).message;
        }
        let mine: string;
        try {
          const d = describe(strictValue(v, type, "st", cols[k]));
          mine = `${d.type} ${d.quote}`;
        } catch (e) {
          mine = (e as Error).message;
        }
        if (mine !== expected) bad.push(`${literal(v)} into ${type}: sqlite ${expected} engine ${mine}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
