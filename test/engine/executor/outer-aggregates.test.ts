// Aggregate calls written in a subquery whose arguments read only an
// enclosing query's columns belong to that query, as in SQLite: they make
// it an aggregate (one row) and may appear in the subquery's WHERE when
// the subquery is itself an aggregate. Compared with real SQLite (sql.js).
import { describe } from "vitest";
import { itRunsLikeSqlite } from "./oracle.js";

const SETUP = `CREATE TABLE t(g, h); INSERT INTO t VALUES (1, 2), (3, 4), (5, 4);
  CREATE TABLE o(a); INSERT INTO o VALUES (1), (5);
  CREATE TABLE i(b); INSERT INTO i VALUES (10), (20);`;

describe("aggregates of an enclosing query written in a subquery", () =>
  itRunsLikeSqlite([
    {
      name: "make the enclosing query an aggregate",
      setup: SETUP,
      statements: [
        "SELECT (SELECT sum(t.g)) FROM t",
        "SELECT (SELECT max(o.a) FROM i) FROM o",
        "SELECT (SELECT max(o.a) FROM i), a FROM o",
        "SELECT (SELECT max(o.a) + i.b FROM i) FROM o",
        "SELECT (SELECT sum(a) FROM i) FROM o",
        "SELECT (SELECT sum(t.g)) FROM t WHERE 0",
        "SELECT (SELECT count(o.a)) FROM o WHERE a > 10",
        "SELECT (SELECT (SELECT sum(o.a)) FROM i LIMIT 1) FROM o",
        "SELECT EXISTS (SELECT sum(o.a) FROM i) FROM o",
        "SELECT a IN (SELECT max(o.a) FROM i) FROM o",
        "SELECT (SELECT b FROM i ORDER BY max(o.a)) FROM o",
        "SELECT a, (SELECT max(o.a) FROM i) FROM o ORDER BY a",
      ],
    },
    {
      name: "stay in the subquery when they read its columns or none",
      setup: SETUP,
      statements: [
        "SELECT (SELECT max(o.a + i.b) FROM i) FROM o",
        "SELECT (SELECT count(*) FROM i) FROM o",
        "SELECT (SELECT sum(x.a) FROM o x) FROM o",
        "SELECT (SELECT (SELECT sum(i.b)) FROM i LIMIT 1) FROM o",
        "SELECT (SELECT count(*) FROM (SELECT max(o.a) FROM i)) FROM o",
      ],
    },
    {
      name: "are computed per group of a grouped query",
      setup: SETUP,
      statements: [
        "SELECT h, (SELECT sum(t.g)) FROM t GROUP BY h ORDER BY h",
        "SELECT (SELECT max(o.a) FROM i) FROM o GROUP BY a HAVING (SELECT sum(o.a)) > 1",
        "SELECT h FROM t GROUP BY h ORDER BY (SELECT sum(t.g)) DESC",
      ],
    },
    {
      name: "in WHERE clauses and other places",
      setup: SETUP,
      statements: [
        "SELECT (SELECT count(*) FROM i WHERE b > max(o.a)) FROM o",
        "SELECT (SELECT max(b) FROM i WHERE b > max(o.a)) FROM o",
        "SELECT (SELECT b FROM i WHERE b > max(o.a) GROUP BY b) FROM o",
        "SELECT (SELECT b FROM i GROUP BY b HAVING b > max(o.a)) FROM o",
        "SELECT (SELECT b FROM i WHERE b > max(o.a)) FROM o",
        "SELECT EXISTS (SELECT 1 FROM i WHERE b > sum(o.a)) FROM o",
        "SELECT a FROM o WHERE (SELECT sum(o.a) FROM i) > 0",
        "SELECT a FROM o ORDER BY (SELECT max(o.a))",
        "SELECT (SELECT group_concat(o.a, '-')), row_number() OVER () FROM o",
        "SELECT b FROM i WHERE max(b) > 0",
        "SELECT count(*) FROM i WHERE max(b) > 0",
        "DELETE FROM i WHERE max(b) > 0",
      ],
    },
  ]));
