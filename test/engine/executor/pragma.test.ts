// Schema-introspection pragmas compared with real SQLite (sql.js): the
// foreign key and table lists, table_info's types, and the pragmas' table-
// valued forms (pragma_table_info('t') ...), rows in SQLite's order.
import { describe } from "vitest";
import { itRunsLikeSqlite, type ScriptCase } from "./oracle.js";

const FOREIGN_KEYS = `CREATE TABLE p(a PRIMARY KEY, b, c, UNIQUE(b, c));
  CREATE TABLE c(x REFERENCES p ON DELETE CASCADE, y, z,
    w REFERENCES p(a) MATCH FULL ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY(y, z) REFERENCES p(b, c) ON DELETE SET DEFAULT ON UPDATE RESTRICT,
    FOREIGN KEY(y) REFERENCES missing);`;

/** `count` tables named so that SQLite's table hash reorders them (it lists in hash order, not creation order). */
function manyTables(count: number): string {
  return Array.from({ length: count }, (_, i) => `CREATE TABLE t_${i + 1}x(a${i % 3 === 0 ? ", b" : ""});`).join("\n");
}

const cases: ScriptCase[] = [
  {
    name: "foreign_key_list numbers the last declared key 0, one row per column",
    setup: FOREIGN_KEYS,
    statements: [
      "PRAGMA foreign_key_list(c)",
      "PRAGMA foreign_key_list('C')",
      "PRAGMA main.foreign_key_list(c)",
      "PRAGMA foreign_key_list(p)",
      "PRAGMA foreign_key_list(nosuch)",
      "PRAGMA foreign_key_list",
      "SELECT * FROM pragma_foreign_key_list('c')",
      "SELECT id, seq, arg, schema FROM pragma_foreign_key_list('c', 'main') WHERE \"table\" = 'p' ORDER BY id DESC, seq",
      "SELECT * FROM pragma_foreign_key_list('c', 'nosuch')",
      "SELECT * FROM pragma_foreign_key_list('c', 'main', 1)",
    ],
  },
  {
    name: "table_list with a schema or table argument",
    setup: `${FOREIGN_KEYS} CREATE VIEW v AS SELECT 1 AS one, 2; CREATE TABLE s(k INTEGER PRIMARY KEY, v TEXT) STRICT; CREATE TABLE w(k PRIMARY KEY) WITHOUT ROWID;`,
    statements: [
      "PRAGMA table_list",
      "PRAGMA main.table_list",
      "PRAGMA temp.table_list",
      "PRAGMA table_list(c)",
      "PRAGMA table_list('V')",
      "PRAGMA main.table_list(s)",
      "PRAGMA temp.table_list(s)",
      "PRAGMA table_list(w)",
      "PRAGMA table_list(nosuch)",
      "PRAGMA table_list(sqlite_master)",
      "PRAGMA table_list(sqlite_schema)",
      "PRAGMA table_list(sqlite_temp_master)",
      "SELECT * FROM pragma_table_list",
      "SELECT *, arg FROM pragma_table_list('s')",
      "SELECT * FROM pragma_table_list('s', 'main')",
    ],
  },
  {
    name: "table_list follows SQLite's hash order past a few tables",
    setup: `${manyTables(24)} CREATE VIEW v1 AS SELECT 1; DROP TABLE t_7x;`,
    statements: ["PRAGMA table_list", "SELECT name, ncol FROM pragma_table_list WHERE schema = 'main'"],
  },
  {
    name: "table_info shows standard type names in upper case, unquoted",
    setup: `CREATE TABLE x(a Text, b [int], c "integer", d integer, e text(3), f any, g [my type], h VARCHAR(10), i);`,
    statements: ["PRAGMA table_info(x)", "PRAGMA table_xinfo(x)", "SELECT name, type FROM pragma_table_info('x') WHERE type <> ''"],
  },
  {
    name: "pragma table-valued functions",
    setup: `${FOREIGN_KEYS} CREATE INDEX pb ON p(b DESC, a);`,
    statements: [
      "SELECT *, arg, schema FROM pragma_table_info('p')",
      "SELECT * FROM pragma_table_info('p', 'main')",
      "SELECT * FROM pragma_table_info('p', NULL)",
      "SELECT * FROM pragma_table_info('p', 'nosuch')",
      "SELECT * FROM pragma_table_info",
      "SELECT * FROM pragma_table_info(NULL)",
      "SELECT * FROM pragma_table_xinfo('c')",
      "SELECT *, arg FROM pragma_index_list('p')",
      "SELECT * FROM pragma_index_info('pb')",
      "SELECT * FROM pragma_index_xinfo('pb')",
      "SELECT seq, name FROM pragma_database_list WHERE name = 'main'",
      "SELECT * FROM pragma_database_list('x')",
      "SELECT t.name, i.cid, i.name FROM pragma_table_list t, pragma_table_info(t.name) i WHERE t.schema = 'main' AND t.name <> 'sqlite_schema' ORDER BY 1, 2",
      "SELECT c.name FROM pragma_table_info('c') c JOIN pragma_foreign_key_list('c') f ON f.\"from\" = c.name GROUP BY c.name ORDER BY 1",
      "SELECT * FROM pragma_nosuch",
    ],
  },
];

describe("introspection pragmas answer as in SQLite", () => itRunsLikeSqlite(cases));
