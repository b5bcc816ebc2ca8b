// Randomized differential test of ALTER TABLE against SQLite (sql.js):
// seeded random schemas (tables with quoted and mixed-case names, indexes,
// views, triggers, foreign keys) take random sequences of RENAME TO, RENAME
// COLUMN, ADD COLUMN, DROP COLUMN and the constraint forms, some of them invalid; after each one
// the outcome, sqlite_schema and every table's rows must match SQLite's.
import { describe, expect, it } from "vitest";
import { Oracle, show, type Outcome } from "./oracle.js";
import { seededRandom as rng } from "../../helpers/random.js";

const NAMES = ["a", "b", "C", "d_1", "x y", "Sel", "k"];
const TABLES = ["t", "U", "v w", "tt"];
const DEFAULTS = ["", " REFERENCES o(id)", " REFERENCES o DEFAULT 3", " DEFAULT 1", " DEFAULT 'z'", " DEFAULT -2.5", " DEFAULT NULL", " DEFAULT (1+1)", " NOT NULL DEFAULT 0", " NOT NULL", " UNIQUE", " CHECK (length(1) > 0)"];

function q(name: string, r: () => number): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
  if (plain && r() < 0.6) return name;
  return r() < 0.8 ? `"${name}"` : `[${name}]`;
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

function setupScript(r: () => number): string {
  const cols = NAMES.filter(() => r() < 0.6).slice(0, 4);
  if (cols.length < 2) cols.push("p", "q");
  const t = q("t", r);
  const parts = [
    `CREATE TABLE ${t}(id INTEGER PRIMARY KEY, ${cols.map((c, i) => q(c, r) + (i === 1 && r() < 0.5 ? " CONSTRAINT nn NOT NULL DEFAULT 0" : "")).join(", ")}, CONSTRAINT ck CHECK (${q(cols[0], r)} IS NOT 'bad')${r() < 0.3 ? `, CONSTRAINT uq UNIQUE (${q(cols[0], r)})` : ""})`,
    `CREATE TABLE o(id INTEGER PRIMARY KEY, ref REFERENCES t(id), ${q(cols[1], r)})`,
    `CREATE INDEX ti ON t(${q(cols[1], r)}, ${q(cols[0], r)}) WHERE ${q(cols[0], r)} IS NOT NULL`,
    `CREATE VIEW tv AS SELECT t.${q(cols[0], r)}, o.id AS oid FROM t LEFT JOIN o ON o.ref = t.id WHERE t.${q(cols[1], r)} IS NOT 0`,
    `CREATE TRIGGER tg AFTER INSERT ON o BEGIN UPDATE t SET ${q(cols[0], r)} = new.id WHERE id = new.ref; END`,
  ];
  if (r() < 0.5) parts.push(`CREATE VIEW tw AS SELECT ${q(pick(r, cols), r)} AS k, x.${q(cols[0], r)} FROM t AS x WHERE ${q(pick(r, cols), r)} > 0 ORDER BY k`);
  if (r() < 0.5) parts.push(`CREATE TRIGGER tu BEFORE UPDATE OF ${q(pick(r, cols), r)} ON t WHEN new.${q(pick(r, cols), r)} IS NOT NULL BEGIN SELECT old.${q(pick(r, cols), r)}; END`);
  if (r() < 0.3) parts.push(`CREATE INDEX te ON t(${q(pick(r, cols), r)} COLLATE nocase DESC, abs(${q(pick(r, cols), r)}))`);
  for (let i = 1; i <= 6; i++) {
    parts.push(`INSERT INTO t(id, ${cols.map((c) => q(c, r)).join(", ")}) VALUES (${i}, ${cols.map((_, j) => (j !== 1 && r() < 0.2 ? "NULL" : String(i * 10 + j))).join(", ")})`);
  }
  parts.push("INSERT INTO o(ref) VALUES (1), (2)");
  return parts.join(";\n") + ";";
}

function randomAlter(r: () => number, table: string, columns: string[]): string {
  const col = r() < 0.85 && columns.length > 0 ? pick(r, columns) : "nope";
  switch (Math.floor(r() * 7)) {
    case 4:
      return `ALTER TABLE ${q(table, r)} ADD ${r() < 0.5 ? `CONSTRAINT ${pick(r, ["ck", "c2", "CK"])} ` : ""}CHECK (${q(col, r)} ${pick(r, ["IS NOT 'zz'", "> 0", "< 1000"])})`;
    case 5:
      return `ALTER TABLE ${q(table, r)} DROP CONSTRAINT ${pick(r, ["ck", "c2", "nn", "uq", "nope"])}`;
    case 6:
      return `ALTER TABLE ${q(table, r)} ALTER COLUMN ${q(col, r)} ${r() < 0.5 ? "DROP NOT NULL" : `SET NOT NULL${r() < 0.3 ? " ON CONFLICT IGNORE" : ""}`}`;
    case 0:
      return `ALTER TABLE ${q(table, r)} RENAME TO ${q(pick(r, TABLES), r)}`;
    case 1:
      return `ALTER TABLE ${q(table, r)} RENAME COLUMN ${q(col, r)} TO ${q(pick(r, NAMES) + (r() < 0.5 ? "2" : ""), r)}`;
    case 2:
      return `ALTER TABLE ${q(table, r)} ADD COLUMN ${q(pick(r, NAMES) + "n", r)}${r() < 0.5 ? " INT" : ""}${pick(r, DEFAULTS)}`;
    default:
      return `ALTER TABLE ${q(table, r)} DROP COLUMN ${q(col, r)}`;
  }
}

function rows(o: Outcome): string[][] {
  if ("error" in o) throw new Error(o.error);
  return o.rows.map((row) => row.map(String));
}

const SEEDS = 80;
const STEPS = 8;

describe("ALTER TABLE, randomized against SQLite", () => {
  it(`${SEEDS} random schemas x ${STEPS} ALTER statements`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = rng(seed);
      const o = new Oracle();
      try {
        o.setup(setupScript(r));
        for (let step = 0; step < STEPS; step++) {
          // Alter the table SQLite currently has under the main table's rootpage (it may have been renamed).
          const [[table]] = rows(o.runSqlite("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'o' ORDER BY rootpage LIMIT 1"));
          const columns = rows(o.runSqlite(`SELECT name FROM pragma_table_info('${table.replace(/'/g, "''")}') WHERE name <> 'id'`)).map((x) => x[0]);
          const sql = randomAlter(r, table, columns);
          const { sqlite, tessera } = o.run(sql);
          const where = `seed ${seed} step ${step}: ${sql}`;
          expect(`${where} -> ${show(tessera)}`).toBe(`${where} -> ${show(sqlite)}`);
          const schema = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid";
          expect(`${where} -> ${show(o.runTessera(schema))}`).toBe(`${where} -> ${show(o.runSqlite(schema))}`);
          const renamed = rows(o.runSqlite(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'o' ORDER BY rootpage LIMIT 1`))[0][0];
          const now = `SELECT * FROM "${renamed.replace(/"/g, '""')}" ORDER BY id`;
          expect(`${where} -> ${show(o.runTessera(now))}`).toBe(`${where} -> ${show(o.runSqlite(now))}`);
          expect(`${where} -> ${show(o.runTessera("SELECT * FROM tv ORDER BY 1, 2"))}`).toBe(`${where} -> ${show(o.runSqlite("SELECT * FROM tv ORDER BY 1, 2"))}`);
        }
        expect(show(o.runTessera("PRAGMA integrity_check"))).toBe('[["ok"]]');
      } finally {
        o.close();
      }
    }
  });
});
