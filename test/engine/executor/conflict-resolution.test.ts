// How constraint errors end statements, compared with real SQLite (sql.js):
// OR FAIL and RAISE(FAIL) keep the rows written before the failing one,
// OR ROLLBACK and RAISE(ROLLBACK) end the whole transaction, and among
// several violated UNIQUE constraints the one SQLite checks first (the
// newest index, REPLACE ones last) is reported.
import { describe } from "vitest";
import { itRunsLikeSqlite } from "./oracle.js";

describe("constraint errors end statements as in SQLite", () =>
  itRunsLikeSqlite([
    {
      name: "OR FAIL keeps earlier rows, autocommit and in a transaction",
      setup: "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c UNIQUE); INSERT INTO t VALUES (1, 1, 1);",
      statements: [
        "INSERT OR FAIL INTO t VALUES (2, 2, 2), (3, 1, 3), (4, 4, 4)",
        "SELECT * FROM t",
        "SELECT changes()",
        "BEGIN",
        "INSERT OR FAIL INTO t VALUES (5, 5, 5), (6, 2, 6)",
        "UPDATE OR FAIL t SET b = b + 100 WHERE a >= 5 OR a = 1",
        "INSERT OR ABORT INTO t VALUES (7, 7, 7), (8, 5, 8)",
        "COMMIT",
        "SELECT * FROM t",
        "INSERT INTO t VALUES (9, 9, 9), (10, 9, 10)",
        "SELECT count(*) FROM t",
      ],
    },
    {
      name: "OR ROLLBACK ends the transaction",
      setup: "CREATE TABLE t(a UNIQUE); INSERT INTO t VALUES (0);",
      statements: ["BEGIN", "INSERT INTO t VALUES (1)", "INSERT OR ROLLBACK INTO t VALUES (2), (1)", "COMMIT", "SELECT * FROM t", "INSERT OR ROLLBACK INTO t VALUES (3), (0)", "SELECT * FROM t"],
    },
    {
      name: "RAISE(FAIL) and RAISE(ROLLBACK) in triggers",
      setup: `CREATE TABLE l(x);
        CREATE TRIGGER tf BEFORE INSERT ON l BEGIN SELECT RAISE(FAIL, 'no twos') WHERE new.x = 2; END;
        CREATE TRIGGER tr BEFORE INSERT ON l BEGIN SELECT RAISE(ROLLBACK, 'no nines') WHERE new.x = 9; END;`,
      statements: ["INSERT INTO l VALUES (1), (2), (3)", "SELECT * FROM l", "BEGIN", "INSERT INTO l VALUES (7)", "INSERT INTO l VALUES (8), (9)", "COMMIT", "SELECT * FROM l"],
    },
    {
      name: "the UNIQUE constraint named when several fail",
      setup: `CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c UNIQUE); CREATE INDEX ic ON t(c); INSERT INTO t VALUES (1, 1, 1);
        CREATE TABLE u(x, y, UNIQUE(y), UNIQUE(x)); INSERT INTO u VALUES (1, 1);
        CREATE TABLE r(x UNIQUE ON CONFLICT REPLACE, y UNIQUE); INSERT INTO r VALUES (1, 1);`,
      statements: [
        "INSERT INTO t VALUES (5, 1, 1)",
        "INSERT INTO t VALUES (1, 1, 1)",
        "INSERT INTO u VALUES (1, 1)",
        "CREATE UNIQUE INDEX uxy ON u(x, y)",
        "INSERT INTO u VALUES (1, 1)",
        "INSERT INTO r VALUES (1, 1)",
        "INSERT OR ABORT INTO r VALUES (1, 1)",
        "SELECT * FROM r",
      ],
    },
  ]));
