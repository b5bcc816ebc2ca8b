// EXPLAIN QUERY PLAN wording compared with real SQLite (sql.js): an index
// search or scan that needs no table row reads "COVERING INDEX"; DELETE and
// UPDATE read whole rows, so theirs never do.
import { describe } from "vitest";
import { itRunsLikeSqlite } from "./oracle.js";

describe("EXPLAIN QUERY PLAN says COVERING INDEX where SQLite does", () =>
  itRunsLikeSqlite([
    {
      name: "index searches and ordered scans",
      setup: "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c UNIQUE, d); CREATE INDEX icd ON t(c, d);",
      statements: [
        "EXPLAIN QUERY PLAN SELECT c FROM t WHERE c = 1",
        "EXPLAIN QUERY PLAN SELECT a, c, rowid FROM t WHERE c = 1",
        "EXPLAIN QUERY PLAN SELECT b FROM t WHERE c = 1",
        "EXPLAIN QUERY PLAN SELECT * FROM t WHERE c = 1",
        "EXPLAIN QUERY PLAN SELECT c FROM t WHERE c > 1",
        "EXPLAIN QUERY PLAN SELECT count(*) FROM t WHERE c > 1",
        "EXPLAIN QUERY PLAN SELECT c FROM t ORDER BY c",
        "EXPLAIN QUERY PLAN SELECT t2.c FROM t t1 JOIN t t2 ON t2.c = t1.b WHERE t1.a = 3",
        "EXPLAIN QUERY PLAN SELECT t2.d FROM t t1 JOIN t t2 ON t2.c = t1.b WHERE t1.a = 3",
        "EXPLAIN QUERY PLAN DELETE FROM t WHERE c = 1",
        "EXPLAIN QUERY PLAN UPDATE t SET d = 1 WHERE c = 1",
      ],
    },
  ]));
