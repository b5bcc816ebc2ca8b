// Randomized differential test: seeded random schemas (declared types of
// every affinity, collations, indexes), data (NULLs, integers, reals, text,
// blobs mixed in every column) and queries (filters, joins, grouping,
// DISTINCT, LIMIT), run on Tessera and on SQLite; results must be identical.
// Every query orders by all its output columns, so row order is determined.
import { describe, expect, it } from "vitest";
import { Oracle, show } from "./oracle.js";
import { seededRandom as rng } from "../../helpers/random.js";

class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const TYPES = ["INTEGER", "INT", "TEXT", "REAL", "BLOB", "NUMERIC", "", "VARCHAR(10)", "TEXT COLLATE NOCASE", "TEXT COLLATE RTRIM"];
const LITERALS = ["NULL", "0", "1", "-2", "3", "10", "1.5", "2.0", "-0.5", "'a'", "'B'", "'ab'", "'10'", "'2.0'", "''", "'a '", "x'00'", "x'41'"];

interface TableSpec {
  name: string;
  columns: string[];
  /** Columns declared with NOCASE/RTRIM: distinct values may group together, and which one a group shows is unspecified. */
  collated: string[];
}

function makeSchema(g: Gen): { script: string; tables: TableSpec[] } {
  const tables: TableSpec[] = [];
  let script = "";
  const count = 1 + g.int(3);
  for (let t = 0; t < count; t++) {
    const name = `t${t}`;
    const ncol = 2 + g.int(4);
    const columns = Array.from({ length: ncol }, (_, i) => `c${i}`);
    const defs = columns.map((c, i) => (i === 0 && g.chance(0.3) ? `${c} INTEGER PRIMARY KEY` : `${c} ${g.pick(TYPES)}`));
    script += `CREATE TABLE ${name}(${defs.join(", ")});\n`;
    for (let k = 0; k < g.int(3); k++) {
      const cols = [g.pick(columns), g.pick(columns)].slice(0, 1 + g.int(2));
      const unique = g.chance(0.2) ? "UNIQUE " : "";
      script += `CREATE ${unique}INDEX ${name}_i${k} ON ${name}(${[...new Set(cols)].join(", ")});\n`;
    }
    const rows = g.int(30);
    for (let r = 0; r < rows; r++) {
      const values = columns.map((_, i) => (i === 0 && defs[0].includes("PRIMARY") ? (g.chance(0.8) ? String(r + 1) : "NULL") : g.pick(LITERALS)));
      script += `INSERT OR IGNORE INTO ${name} VALUES (${values.join(", ")});\n`;
    }
    tables.push({ name, columns, collated: columns.filter((_, i) => defs[i].includes("COLLATE")) });
  }
  return { script, tables };
}

function column(g: Gen, table: TableSpec, alias: string): string {
  return `${alias}.${g.pick(table.columns)}`;
}

function predicate(g: Gen, cols: () => string, depth = 0): string {
  const r = g.int(depth > 1 ? 7 : 10);
  switch (r) {
    case 0:
      return `${cols()} ${g.pick(["=", "<", "<=", ">", ">=", "!=", "IS", "IS NOT"])} ${g.pick(LITERALS)}`;
    case 1:
      return `${cols()} ${g.pick(["=", "<", ">", "<>"])} ${cols()}`;
    case 2:
      return `${cols()} IS ${g.chance(0.5) ? "" : "NOT "}NULL`;
    case 3:
      return `${cols()} ${g.chance(0.3) ? "NOT " : ""}IN (${[g.pick(LITERALS), g.pick(LITERALS), g.pick(LITERALS)].join(", ")})`;
    case 4:
      return `${cols()} ${g.chance(0.3) ? "NOT " : ""}BETWEEN ${g.pick(LITERALS)} AND ${g.pick(LITERALS)}`;
    case 5:
      return `${cols()} LIKE ${g.pick(["'a%'", "'%b'", "'_'", "'1%'"])}`;
    case 6:
      return `${cols()} ${g.pick(["+", "*", "-", "||"])} ${g.pick(LITERALS)} ${g.pick(["=", ">", "<"])} ${g.pick(LITERALS)}`;
    case 7:
      return `(${predicate(g, cols, depth + 1)}) AND (${predicate(g, cols, depth + 1)})`;
    case 8:
      return `(${predicate(g, cols, depth + 1)}) OR (${predicate(g, cols, depth + 1)})`;
    default:
      return `NOT (${predicate(g, cols, depth + 1)})`;
  }
}

function expression(g: Gen, cols: () => string): string {
  switch (g.int(8)) {
    case 0:
      return `${cols()} + ${g.pick(["1", "1.5", "'2'"])}`;
    case 1:
      return `${cols()} || ${cols()}`;
    case 2:
      return `typeof(${cols()})`;
    case 3:
      return `coalesce(${cols()}, ${g.pick(LITERALS)})`;
    case 4:
      return `CAST(${cols()} AS ${g.pick(["INTEGER", "TEXT", "REAL", "NUMERIC"])})`;
    case 5:
      return `length(${cols()})`;
    default:
      return cols();
  }
}

/**
 * A random query. Its ORDER BY lists every output column and then their
 * quote() forms: values that differ but compare equal (2 and 2.0, 'a' and
 * 'A' under NOCASE) would otherwise come out in an order SQLite leaves open.
 */
function query(g: Gen, tables: TableSpec[]): string {
  const join = tables.length > 1 && g.chance(0.4);
  const t1 = g.pick(tables);
  const t2 = join ? g.pick(tables) : null;
  const from = t2 ? `${t1.name} AS a ${g.pick(["JOIN", "LEFT JOIN", ","])} ${t2.name} AS b` : `${t1.name} AS a`;
  const on = t2 && !from.includes(",") ? ` ON ${column(g, t1, "a")} = ${column(g, t2, "b")}` : "";
  const cols = (): string => (t2 && g.chance(0.5) ? column(g, t2, "b") : column(g, t1, "a"));
  const where = g.chance(0.8) ? ` WHERE ${predicate(g, cols)}` : "";
  const tieBreak = (exprs: string[]): string => exprs.map((e) => `quote(${e})`).join(", ");
  const plainColumns = t1.columns.filter((c) => !t1.collated.includes(c));
  if (plainColumns.length > 0 && g.chance(0.3)) {
    // Group keys and min()/max() arguments avoid NOCASE/RTRIM columns: there SQLite may show either of two "equal" values.
    const plain = (): string => `a.${g.pick(plainColumns)}`;
    const key = plain();
    const aggs = [`count(*)`, `count(${cols()})`, `min(${plain()})`, `max(${plain()})`, `sum(length(${cols()}))`];
    const select = [key, g.pick(aggs), g.pick(aggs)];
    const having = g.chance(0.3) ? ` HAVING count(*) > 1` : "";
    return `SELECT ${select.join(", ")} FROM ${from}${on}${where} GROUP BY ${key}${having} ORDER BY 1, 2, 3, ${tieBreak(select)}`;
  }
  const n = 1 + g.int(3);
  const distinct = g.chance(0.2) ? "DISTINCT " : "";
  // DISTINCT keeps one of several equal values (2 and 2.0) without saying which: make values distinct by their text.
  const exprs = Array.from({ length: n }, () => (distinct ? `quote(${expression(g, cols)})` : expression(g, cols)));
  const order = exprs.map((_, i) => `${i + 1}${g.chance(0.3) ? " DESC" : ""}`).join(", ");
  const limit = g.chance(0.2) ? ` LIMIT ${g.int(5)} OFFSET ${g.int(3)}` : "";
  return `SELECT ${distinct}${exprs.join(", ")} FROM ${from}${on}${where} ORDER BY ${order}, ${tieBreak(exprs)}${limit}`;
}

describe("random queries give SQLite's results", () => {
  // DIFF_SCHEMAS raises the count for longer local runs; CI uses the default.
  const SCHEMAS = Number(process.env.DIFF_SCHEMAS ?? 60);
  const QUERIES = 40;
  it(`${SCHEMAS} random schemas x ${QUERIES} queries`, { timeout: 120_000 }, () => {
    let compared = 0;
    for (let seed = 1; seed <= SCHEMAS; seed++) {
      const g = new Gen(rng(seed));
      const { script, tables } = makeSchema(g);
      const oracle = new Oracle();
      try {
        oracle.setup(script);
        for (let q = 0; q < QUERIES; q++) {
          const sql = query(g, tables);
          const { sqlite, tessera } = oracle.run(sql);
          expect(show(tessera), `seed ${seed}: ${sql}\n-- schema:\n${script}`).toBe(show(sqlite));
          compared++;
        }
      } finally {
        oracle.close();
      }
    }
    expect(compared).toBe(SCHEMAS * QUERIES);
  });
});
