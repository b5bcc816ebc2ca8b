// Constraint-level ON CONFLICT clauses (NOT NULL, UNIQUE, PRIMARY KEY on
// rowid and WITHOUT ROWID tables, and the clause a table CHECK accepts but
// SQLite ignores), compared with real SQLite (sql.js): each of ROLLBACK,
// ABORT, FAIL, IGNORE and REPLACE (NOT NULL of generated columns too) in
// single-row, multi-row and INSERT ... SELECT inserts and in UPDATE, in and
// out of an explicit transaction (a following COMMIT shows whether it is
// still open), with changes() and the resulting rows; a statement's OR
// clause overrides it.
import { describe } from "vitest";
import { itRunsLikeSqlite, type ScriptCase } from "./oracle.js";

const ACTIONS = ["ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"] as const;

/** Tables whose constraint on `k` carries `action`; each starts with the rows k = 1 and k = 2, v = 'old'. */
const TABLES: readonly { kind: string; create: (action: string) => string }[] = [
  { kind: "column UNIQUE", create: (a) => `CREATE TABLE t(id INTEGER PRIMARY KEY, k UNIQUE ON CONFLICT ${a}, v)` },
  { kind: "INTEGER PRIMARY KEY", create: (a) => `CREATE TABLE t(k INTEGER PRIMARY KEY ON CONFLICT ${a}, v)` },
  { kind: "text PRIMARY KEY", create: (a) => `CREATE TABLE t(k TEXT PRIMARY KEY ON CONFLICT ${a}, v)` },
  { kind: "WITHOUT ROWID PRIMARY KEY", create: (a) => `CREATE TABLE t(k, v, PRIMARY KEY(k) ON CONFLICT ${a}) WITHOUT ROWID` },
  { kind: "WITHOUT ROWID UNIQUE", create: (a) => `CREATE TABLE t(id PRIMARY KEY, k, v, UNIQUE(k, id) ON CONFLICT ${a}, UNIQUE(k) ON CONFLICT ${a}) WITHOUT ROWID` },
];

/** The statements that run into the constraint on `k` (values 1 and 2 are taken), then show the outcome; `hasId`: the table has an id column too. */
function uniqueStatements(hasId: boolean): string[] {
  const cols = hasId ? "(id, k, v)" : "(k, v)";
  const row = (id: number, k: number, v: string): string => (hasId ? `(${id}, ${k}, '${v}')` : `(${k}, '${v}')`);
  return [
    `INSERT INTO t${cols} VALUES ${row(10, 1, "single")}`,
    "SELECT changes()",
    `INSERT INTO t${cols} VALUES ${row(11, 5, "a")}, ${row(12, 2, "b")}, ${row(13, 6, "c")}`,
    "SELECT changes()",
    "SELECT * FROM t ORDER BY k",
    "BEGIN",
    `INSERT INTO t${cols} VALUES ${row(20, 7, "in tx")}`,
    `INSERT INTO t${cols} SELECT ${hasId ? "k + 30, " : ""}k + 7, 'sel' FROM t WHERE k IN (1, 5) ORDER BY k`,
    "SELECT changes()",
    "UPDATE t SET k = k + 1 WHERE k IN (1, 5, 6)",
    "SELECT changes()",
    "COMMIT",
    "SELECT * FROM t ORDER BY k",
    `INSERT OR ABORT INTO t${cols} VALUES ${row(40, 100, "x")}, ${row(41, 2, "y")}`,
    `INSERT OR IGNORE INTO t${cols} VALUES ${row(42, 101, "x")}, ${row(43, 2, "y")}`,
    "SELECT changes()",
    "SELECT * FROM t ORDER BY k",
  ];
}

const uniqueCases: ScriptCase[] = TABLES.flatMap(({ kind, create }) =>
  ACTIONS.map((action) => {
    const ddl = create(action);
    const hasId = ddl.includes("(id");
    return {
      name: `${kind} ON CONFLICT ${action}`,
      setup: `${ddl}; INSERT INTO t${hasId ? "(id, k, v) VALUES (1, 1, 'old'), (2, 2, 'old')" : "(k, v) VALUES (1, 'old'), (2, 'old')"};`,
      statements: uniqueStatements(hasId),
    };
  }),
);

const notNullCases: ScriptCase[] = ACTIONS.flatMap((action) =>
  ["", " WITHOUT ROWID"].map((storage) => ({
    name: `NOT NULL ON CONFLICT ${action}${storage}`,
    setup: `CREATE TABLE t(id PRIMARY KEY, a NOT NULL ON CONFLICT ${action} DEFAULT 'dflt', b NOT NULL ON CONFLICT ${action})${storage};
      INSERT INTO t VALUES (1, 'x', 'y');`,
    statements: [
      "INSERT INTO t VALUES (2, NULL, 'y')",
      "SELECT changes()",
      "INSERT INTO t VALUES (3, 'x', 'y'), (4, 'x', NULL), (5, 'x', 'y')",
      "SELECT changes()",
      "SELECT * FROM t ORDER BY id",
      "BEGIN",
      "INSERT INTO t VALUES (6, 'x', 'y')",
      "INSERT INTO t SELECT id + 10, CASE WHEN id = 3 THEN NULL ELSE a END, b FROM t WHERE id <= 3 ORDER BY id",
      "SELECT changes()",
      "UPDATE t SET b = CASE WHEN id = 6 THEN NULL ELSE b || '!' END WHERE id >= 5",
      "SELECT changes()",
      "COMMIT",
      "SELECT * FROM t ORDER BY id",
      "UPDATE OR FAIL t SET b = NULL WHERE id = 1",
      "INSERT OR IGNORE INTO t VALUES (30, 'x', NULL), (31, 'x', 'y')",
      "SELECT changes()",
      "SELECT * FROM t ORDER BY id",
    ],
  })),
);

describe("constraint-level ON CONFLICT resolves as in SQLite", () =>
  itRunsLikeSqlite([
    ...uniqueCases,
    ...notNullCases,
    {
      name: "UNIQUE(x, y) ON CONFLICT ROLLBACK, overridden by the statement's OR clause",
      setup: "CREATE TABLE t(x, y, z, UNIQUE(x, y) ON CONFLICT ROLLBACK); INSERT INTO t VALUES (1, 1, 0);",
      statements: [
        "BEGIN",
        "INSERT INTO t VALUES (2, 2, 0)",
        "INSERT OR FAIL INTO t VALUES (3, 3, 0), (1, 1, 0), (4, 4, 0)",
        "SELECT changes()",
        "INSERT OR REPLACE INTO t VALUES (1, 1, 9)",
        "INSERT INTO t VALUES (5, 5, 0), (1, 1, 0)",
        "COMMIT",
        "SELECT * FROM t ORDER BY x",
      ],
    },
    {
      name: "a table CHECK's ON CONFLICT is accepted and ignored; a statement's OR clause applies",
      setup: "CREATE TABLE t(a, CHECK (a > 0) ON CONFLICT FAIL); INSERT INTO t VALUES (1);",
      statements: [
        "INSERT INTO t VALUES (2), (-1), (3)",
        "SELECT * FROM t ORDER BY a",
        "BEGIN",
        "INSERT OR FAIL INTO t VALUES (4), (-1)",
        "INSERT OR ROLLBACK INTO t VALUES (5), (-1)",
        "COMMIT",
        "INSERT OR IGNORE INTO t VALUES (6), (-1), (7)",
        "SELECT * FROM t ORDER BY a",
        "CREATE TABLE c(a CHECK (a > 0) ON CONFLICT FAIL)",
      ],
    },
    {
      name: "a generated column's NOT NULL ON CONFLICT FAIL and ROLLBACK",
      setup: "CREATE TABLE g(a, b AS (a * 2) NOT NULL ON CONFLICT FAIL, c AS (a + 1) STORED NOT NULL ON CONFLICT ROLLBACK); INSERT INTO g(a) VALUES (1);",
      statements: [
        "INSERT INTO g(a) VALUES (2), (NULL), (3)",
        "SELECT changes()",
        "BEGIN",
        "UPDATE g SET a = CASE a WHEN 2 THEN NULL ELSE a + 10 END",
        "SELECT changes()",
        "INSERT INTO g(a) SELECT 5 UNION ALL SELECT NULL",
        "COMMIT",
        "SELECT * FROM g ORDER BY a",
      ],
    },
    {
      name: "different constraints of one row with different clauses",
      setup: "CREATE TABLE t(a UNIQUE ON CONFLICT FAIL, b NOT NULL ON CONFLICT IGNORE, c PRIMARY KEY ON CONFLICT REPLACE, x, y, UNIQUE(x, y) ON CONFLICT ROLLBACK); INSERT INTO t VALUES (1, 1, 1, 1, 1);",
      statements: [
        "INSERT INTO t VALUES (2, NULL, 2, 2, 2), (3, 3, 1, 3, 3)",
        "SELECT changes()",
        "SELECT * FROM t ORDER BY c",
        "BEGIN",
        "INSERT INTO t VALUES (4, 4, 4, 4, 4), (3, 5, 5, 5, 5), (6, 6, 6, 6, 6)",
        "SELECT changes()",
        "INSERT INTO t VALUES (7, 7, 7, 3, 3)",
        "COMMIT",
        "SELECT * FROM t ORDER BY c",
      ],
    },
  ]));
