// ALTER TABLE compared with real SQLite (sql.js): each case runs a setup
// script on both engines, then ALTER statements; after every statement the
// outcome (or error message), the whole sqlite_schema, the data of every
// table and PRAGMA integrity_check must be identical. Finally the Tessera
// file is opened in sql.js, which must find it sound and read the same schema
// and rows.
import initSqlJs from "sql.js";
import { afterEach, describe, expect, it } from "vitest";
import { Oracle, show, type Outcome } from "./oracle.js";

interface Case {
  name: string;
  setup: string;
  statements: string[];
}

const SQL = await initSqlJs();

const cases: Case[] = [
  {
    name: "RENAME TO rewrites indexes, triggers, views, foreign keys and sqlite_sequence",
    setup: `CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, "b c" UNIQUE, d, CHECK(t.d>0), FOREIGN KEY(d) REFERENCES t(a));
            CREATE TABLE p(x REFERENCES t(d), y REFERENCES "t");
            CREATE INDEX i ON t(d, "b c") WHERE d > 1;
            CREATE VIEW v AS SELECT t.d, x.a FROM t, t AS x WHERE t.d IN (SELECT d FROM t);
            CREATE VIEW w AS WITH t AS (SELECT 1 AS d) SELECT t.d FROM t;
            CREATE TRIGGER tr AFTER UPDATE ON t BEGIN UPDATE t SET d = new.d WHERE t.a = old.a; INSERT INTO p(x) SELECT d FROM t; END;
            INSERT INTO t(d, "b c") VALUES (5, 'x'), (6, 'y');`,
    statements: [
      "EXPLAIN QUERY PLAN ALTER TABLE t RENAME TO u",
      "ALTER TABLE t RENAME TO u",
      "SELECT * FROM sqlite_sequence",
      "ALTER TABLE u RENAME TO \"w x\"",
      "ALTER TABLE \"w x\" RENAME TO [Q]",
      "ALTER TABLE nope RENAME TO z",
      "ALTER TABLE p RENAME TO v",
      "ALTER TABLE p RENAME TO Q",
      "ALTER TABLE p RENAME TO i",
      "ALTER TABLE p RENAME TO sqlite_x",
      "ALTER TABLE sqlite_sequence RENAME TO z",
      "ALTER TABLE sqlite_schema RENAME TO z",
      "ALTER TABLE v RENAME TO z",
      "INSERT INTO q(d, \"b c\") VALUES (7, 'z')",
      "SELECT * FROM v ORDER BY 1, 2",
      "SELECT * FROM sqlite_sequence",
    ],
  },
  {
    name: "RENAME COLUMN rewrites every reference",
    setup: `CREATE TABLE t(a INTEGER PRIMARY KEY, "b c" UNIQUE, d, CHECK(t.d>0), FOREIGN KEY(d) REFERENCES t(a));
            CREATE TABLE p(x REFERENCES t(d), y REFERENCES "t", d);
            CREATE INDEX i ON t(d, "b c") WHERE d > 1;
            CREATE INDEX pi ON p(d);
            CREATE VIEW v AS SELECT t.d, x.a, p.d AS pd FROM t, t AS x, p WHERE t.d IN (SELECT d FROM t) ORDER BY 1;
            CREATE TRIGGER tr AFTER UPDATE OF d ON t WHEN new.d > 0 BEGIN UPDATE t SET d = new.d WHERE t.a = old.a; INSERT INTO p(x) SELECT d FROM t; DELETE FROM p WHERE d = old.d; END;
            INSERT INTO t VALUES (1, 'x', 5), (2, 'y', 6);`,
    statements: [
      "ALTER TABLE t RENAME COLUMN d TO \"e f\"",
      "ALTER TABLE t RENAME \"b c\" TO g",
      "ALTER TABLE t RENAME COLUMN g TO [H]",
      "ALTER TABLE t RENAME COLUMN zz TO g",
      "ALTER TABLE t RENAME COLUMN a TO h",
      "ALTER TABLE t RENAME COLUMN a TO rowid",
      "ALTER TABLE t RENAME COLUMN a TO _ROWID_",
      "ALTER TABLE v RENAME COLUMN d TO y",
      "ALTER TABLE sqlite_schema RENAME COLUMN sql TO y",
      "ALTER TABLE nope RENAME COLUMN a TO b",
      "ALTER TABLE t RENAME COLUMN a TO A",
      "SELECT * FROM v ORDER BY 1, 2, 3",
      "UPDATE t SET \"e f\" = 9 WHERE A = 1",
      "SELECT * FROM p ORDER BY rowid",
    ],
  },
  {
    name: "ADD COLUMN: text, restrictions and old rows reading the default",
    setup: `CREATE TABLE t(a, b, UNIQUE(b), CHECK(a > 0));
            CREATE TABLE s(x);
            CREATE TABLE r(x INT  ,  y TEXT
            );
            CREATE VIEW v AS SELECT * FROM t;
            INSERT INTO t VALUES (1, 2), (3, 4); INSERT INTO s VALUES (1); INSERT INTO r VALUES (1, 'a');`,
    statements: [
      "ALTER TABLE t ADD COLUMN c INT DEFAULT 7",
      "ALTER TABLE t ADD d TEXT NOT NULL DEFAULT -3 ;  ",
      "ALTER TABLE t ADD COLUMN e REAL DEFAULT 2 COLLATE nocase",
      "ALTER TABLE t ADD f DEFAULT 'x' CHECK (f <> 'y')",
      "INSERT INTO t(a, b) VALUES (5, 6)",
      "SELECT * FROM t ORDER BY a",
      "ALTER TABLE t ADD g DEFAULT abc",
      "ALTER TABLE t ADD h DEFAULT x'00ff'",
      "ALTER TABLE t ADD i DEFAULT TRUE",
      "ALTER TABLE t ADD j DEFAULT (-1.5)",
      "ALTER TABLE t ADD k REFERENCES s(x) DEFAULT 1",
      "ALTER TABLE t ADD COLUMN c",
      "ALTER TABLE t ADD COLUMN C2 INT PRIMARY KEY",
      "ALTER TABLE t ADD COLUMN z UNIQUE",
      "ALTER TABLE t ADD COLUMN z NOT NULL",
      "ALTER TABLE t ADD COLUMN z NOT NULL DEFAULT NULL",
      "ALTER TABLE t ADD COLUMN z DEFAULT (1+1)",
      "ALTER TABLE t ADD COLUMN z DEFAULT CURRENT_TIME",
      "ALTER TABLE t ADD COLUMN z AS (a + 1) STORED",
      "PRAGMA foreign_keys = ON",
      "ALTER TABLE t ADD COLUMN z REFERENCES s(x) DEFAULT 1",
      "ALTER TABLE t ADD COLUMN z REFERENCES s(x) DEFAULT NULL",
      "PRAGMA foreign_keys = OFF",
      "ALTER TABLE v ADD COLUMN z",
      "ALTER TABLE sqlite_sequence ADD COLUMN z",
      "ALTER TABLE nope ADD COLUMN z",
      "ALTER TABLE r ADD COLUMN z",
      "ALTER TABLE s ADD COLUMN \"y z\" DEFAULT 5",
      "SELECT * FROM t ORDER BY a",
      "SELECT c, d, typeof(e), e FROM t WHERE c = 7 ORDER BY a",
      "SELECT s.x, t.a, t.c, t.d FROM s JOIN t ON t.c = s.x + 6 ORDER BY t.a",
      "SELECT t.a, t2.a FROM t JOIN t AS t2 ON t2.d = t.d AND t2.c = t.c ORDER BY 1, 2",
      "SELECT * FROM v ORDER BY a",
      "CREATE INDEX ic ON t(c, d, e)",
      "SELECT a, c FROM t WHERE c = 7 AND d = '-3' ORDER BY a",
      "UPDATE t SET a = a + 10 WHERE a = 1",
      "DELETE FROM t WHERE a = 3",
      "SELECT * FROM t ORDER BY a",
      "SELECT * FROM s",
      "UPDATE s SET x = 2 RETURNING *",
    ],
  },
  {
    name: "DROP COLUMN: refusals and rewritten rows",
    setup: `CREATE TABLE t(a, b, c, d, e, f, g, h DEFAULT 1, UNIQUE(b), UNIQUE(c, d), CHECK(e > 0));
            CREATE TABLE s(x);
            CREATE TABLE r(x PRIMARY KEY, y UNIQUE, z);
            CREATE TABLE q(id INTEGER PRIMARY KEY, y, "z z", w);
            CREATE TABLE fk(m, n, FOREIGN KEY(n) REFERENCES q(id));
            CREATE UNIQUE INDEX ui ON t(f);
            CREATE INDEX pi ON t(a) WHERE g > 0;
            CREATE VIEW v AS SELECT a FROM t;
            CREATE TRIGGER tr AFTER INSERT ON s BEGIN SELECT h FROM t; END;
            CREATE INDEX qi ON q(w);
            INSERT INTO t VALUES (1, 2, 3, 4, 5, 6, 7, 8);
            INSERT INTO q VALUES (1, 'a', 'b', 'c'), (2, 'd', 'e', 'f');
            INSERT INTO r VALUES (1, 2, 3);`,
    statements: [
      "ALTER TABLE t DROP COLUMN b",
      "ALTER TABLE t DROP COLUMN c",
      "ALTER TABLE t DROP COLUMN e",
      "ALTER TABLE t DROP COLUMN f",
      "ALTER TABLE t DROP COLUMN g",
      "ALTER TABLE t DROP COLUMN a",
      "ALTER TABLE t DROP COLUMN h",
      "ALTER TABLE t DROP COLUMN zz",
      "ALTER TABLE s DROP COLUMN x",
      "ALTER TABLE r DROP COLUMN x",
      "ALTER TABLE r DROP COLUMN y",
      "ALTER TABLE r DROP COLUMN z",
      "ALTER TABLE v DROP COLUMN a",
      "ALTER TABLE sqlite_schema DROP COLUMN sql",
      "ALTER TABLE fk DROP COLUMN n",
      "ALTER TABLE q DROP COLUMN id",
      "ALTER TABLE q DROP COLUMN \"z z\"",
      "ALTER TABLE q DROP y",
      "ALTER TABLE q ADD COLUMN k DEFAULT 42",
      "INSERT INTO q(id, w) VALUES (3, 'g')",
      "ALTER TABLE q DROP COLUMN w",
      "SELECT * FROM q ORDER BY id",
      "SELECT * FROM t",
      "SELECT * FROM r",
    ],
  },
  {
    name: "RENAME TO: scoping in views and triggers (aliases, CTEs, subqueries, other tables' triggers)",
    setup: `CREATE TABLE [T](a INTEGER PRIMARY KEY, b TEXT COLLATE nocase, c);
            CREATE TABLE o(a, t);
            CREATE INDEX ti ON \`T\`(b COLLATE binary, a + c) WHERE c IS NOT NULL;
            CREATE VIEW v1 AS SELECT t.*, x.a AS xa FROM t JOIN o AS x USING (a) WHERE EXISTS (SELECT 1 FROM o WHERE o.a = t.a) ORDER BY t.a;
            CREATE VIEW v2 AS SELECT t.a FROM (SELECT a FROM T) AS t UNION ALL SELECT a FROM t WHERE a IN (SELECT a FROM t);
            CREATE VIEW v3 AS WITH w AS (SELECT * FROM t) SELECT w.a, sum(t.c) OVER (PARTITION BY t.b) FROM w, main.t;
            CREATE TRIGGER ot AFTER INSERT ON o BEGIN
              INSERT INTO t(a, b) VALUES (new.a, new.t) ON CONFLICT(a) DO UPDATE SET c = excluded.a + t.c;
              DELETE FROM T WHERE t.a < 0;
              UPDATE t SET c = (SELECT count(*) FROM o WHERE o.t = t.b) WHERE a = new.a;
            END;
            CREATE TRIGGER tt BEFORE DELETE ON t WHEN old.a > 0 BEGIN SELECT t.a FROM t WHERE t.a = old.a; END;
            INSERT INTO t VALUES (1, 'x', 2), (2, 'y', NULL); INSERT INTO o VALUES (1, 'x');`,
    statements: [
      "ALTER TABLE main.T RENAME TO u",
      "INSERT INTO o VALUES (1, 'z'), (3, 'w')",
      "SELECT * FROM v1",
      "SELECT * FROM v2 ORDER BY 1",
      "SELECT * FROM v3 ORDER BY 1, 2",
      "ALTER TABLE O RENAME TO [t]",
      "ALTER TABLE u RENAME TO \"a\"\"b\"",
      "DELETE FROM \"a\"\"b\" WHERE a = 3",
    ],
  },
  {
    name: "RENAME COLUMN: scoping in views and triggers",
    setup: `CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c, UNIQUE(b, a), CHECK (c IS NOT a));
            CREATE TABLE o(m, n REFERENCES t(a), FOREIGN KEY (m, n) REFERENCES t(a, b));
            CREATE INDEX ti ON t(b COLLATE nocase, a + c) WHERE a > 0;
            CREATE VIEW v1 AS SELECT a, t.b, o.m AS om, (SELECT max(m) + a FROM o AS a) AS mx FROM t JOIN o ON o.n = t.a WHERE a > 0 ORDER BY a;
            CREATE VIEW v2 AS WITH w(a) AS (SELECT b FROM t) SELECT a FROM w UNION SELECT x.a FROM t AS x;
            CREATE VIEW v3 AS SELECT * FROM t WHERE b IN (SELECT n FROM o WHERE o.m = t.a);
            CREATE TRIGGER ot AFTER INSERT ON o BEGIN
              INSERT INTO t(a, b) VALUES (new.m, new.n) ON CONFLICT(a) DO UPDATE SET c = excluded.a + a;
              UPDATE t SET a = a + 100 WHERE t.a = new.m + 1000;
            END;
            CREATE TRIGGER tt AFTER UPDATE OF a, c ON t WHEN new.a <> old.a BEGIN SELECT m FROM o WHERE o.n = new.a; END;
            INSERT INTO t VALUES (1, 'x', 2), (2, 'y', NULL); INSERT INTO o VALUES (1, 1);`,
    statements: [
      "ALTER TABLE t RENAME a TO id",
      "INSERT INTO o VALUES (1, 5), (7, 7)",
      "SELECT * FROM v1",
      "SELECT * FROM v2 ORDER BY 1",
      "SELECT * FROM v3 ORDER BY 1",
      "ALTER TABLE o RENAME COLUMN m TO \"x y\"",
      "ALTER TABLE t RENAME COLUMN b TO \"B\"",
      "SELECT * FROM t ORDER BY 1",
    ],
  },
  {
    name: "DROP COLUMN: texts around the dropped definition, and uses elsewhere",
    setup: `CREATE TABLE t(a INT, "b b" TEXT DEFAULT ('x,y') CHECK ("b b" <> ''), c  ,  d REAL CHECK (d > 0)  , PRIMARY KEY (a), CHECK (a > 0));
            CREATE TABLE u(x, y, z /* last */ );
            CREATE TABLE w(p, q CHECK (q > p), r);
            CREATE TABLE s(k);
            CREATE TRIGGER st AFTER INSERT ON s BEGIN UPDATE u SET y = new.k; END;
            CREATE TRIGGER wt AFTER INSERT ON w BEGIN SELECT new.r; END;
            INSERT INTO t VALUES (1, 'a', 2, 3.5), (2, 'b', 4, 0.5); INSERT INTO u VALUES (1, 2, 3); INSERT INTO w VALUES (1, 2, 3);`,
    statements: [
      "ALTER TABLE t DROP COLUMN d",
      "ALTER TABLE t DROP COLUMN \"b b\"",
      "ALTER TABLE u DROP COLUMN z",
      "ALTER TABLE u DROP COLUMN y",
      "ALTER TABLE u DROP COLUMN x",
      "ALTER TABLE w DROP COLUMN p",
      "ALTER TABLE w DROP COLUMN r",
      "ALTER TABLE T DROP COLUMN C",
      "SELECT * FROM t",
    ],
  },
  {
    name: "checks before and after: views that no longer resolve, CHECK and STRICT over old rows",
    setup: `CREATE TABLE t(a, b);
            CREATE TABLE x(y);
            CREATE VIEW v AS SELECT y FROM x;
            CREATE TABLE s(a INT) STRICT;
            CREATE TABLE e(a INT) STRICT;
            INSERT INTO t VALUES (1, 2), (-1, 3); INSERT INTO s VALUES (1);
            DROP TABLE x;`,
    statements: [
      "ALTER TABLE t RENAME TO u",
      "ALTER TABLE t RENAME COLUMN a TO c",
      "ALTER TABLE t ADD COLUMN d",
      "ALTER TABLE t DROP COLUMN d",
      "DROP VIEW v",
      "ALTER TABLE t ADD COLUMN e DEFAULT 0 CHECK (e > 0)",
      "ALTER TABLE t ADD COLUMN e DEFAULT 1 CHECK (e > a)",
      "ALTER TABLE t ADD COLUMN e DEFAULT 1 CHECK (e > 0)",
      "ALTER TABLE t ADD COLUMN f INT NOT NULL DEFAULT 1 CHECK (f > 0) CHECK (f < 2)",
      "ALTER TABLE s ADD COLUMN b INT DEFAULT 'x'",
      "ALTER TABLE e ADD COLUMN b INT DEFAULT 'x'",
      "ALTER TABLE s ADD COLUMN c TEXT DEFAULT 1",
      "ALTER TABLE s ADD COLUMN d FOO",
      "ALTER TABLE s ADD COLUMN d",
      "SELECT * FROM s",
      "ALTER TABLE t RENAME TO T",
      "ALTER TABLE t RENAME TO t2 ;",
      "ALTER TABLE t2 RENAME COLUMN a TO A",
      "ALTER TABLE t2 RENAME COLUMN b TO b",
    ],
  },
  {
    name: "inside transactions: rolled back, and committed with later writes",
    setup: `CREATE TABLE t(a INTEGER PRIMARY KEY, b, c TEXT);
            CREATE INDEX tb ON t(b);
            INSERT INTO t SELECT * FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
              SELECT i, i % 37, printf('%.*c', 100 + i % 900, 'x') FROM n);`,
    statements: [
      "BEGIN",
      "ALTER TABLE t ADD COLUMN d DEFAULT 5",
      "ALTER TABLE t RENAME TO u",
      "SELECT count(*), sum(d) FROM u",
      "ROLLBACK",
      "SELECT count(*) FROM u",
      "SELECT count(*), sum(length(c)) FROM t",
      "BEGIN",
      "ALTER TABLE t ADD COLUMN d INT DEFAULT 5",
      "UPDATE t SET d = d + a WHERE a % 3 = 0",
      "ALTER TABLE t DROP COLUMN c",
      "ALTER TABLE t RENAME COLUMN b TO bb",
      "COMMIT",
      "SELECT count(*), sum(d), sum(bb) FROM t WHERE bb = 7",
    ],
  },
  {
    name: "assorted: view column lists and a trigger's RAISE subquery",
    setup: "CREATE TABLE t(a, b); CREATE TABLE p(x, FOREIGN KEY (x) REFERENCES t); CREATE VIEW v(c1, c2) AS SELECT a, b FROM t; CREATE TRIGGER tr BEFORE INSERT ON p BEGIN SELECT RAISE(ABORT, 'x') WHERE NOT EXISTS (SELECT 1 FROM t WHERE a = new.x); END;",
    statements: [
      "ALTER TABLE t RENAME COLUMN a TO z",
      "ALTER TABLE t RENAME TO tt",
      "ALTER TABLE tt RENAME TO t",
      "ALTER TABLE T RENAME COLUMN B TO y",
      "SELECT * FROM v",
    ],
  },
  {
    name: "assorted: ORDER BY naming a result alias",
    setup: "CREATE TABLE t(a, b); CREATE VIEW v AS SELECT a AS b, b AS a FROM t ORDER BY b; CREATE VIEW w AS SELECT b FROM v;",
    statements: [
      "ALTER TABLE t RENAME COLUMN a TO q",
      "ALTER TABLE t RENAME COLUMN b TO r",
      "SELECT * FROM w",
    ],
  },
  {
    name: "assorted: USING and NATURAL joins",
    setup: "CREATE TABLE t(a, b); CREATE TABLE s(a, c); CREATE VIEW v AS SELECT a, c FROM t JOIN s USING (a); CREATE VIEW v2 AS SELECT * FROM t NATURAL JOIN s;",
    statements: [
      "ALTER TABLE t RENAME COLUMN a TO q",
    ],
  },
  {
    name: "assorted: FILTER, OVER and WINDOW clauses",
    setup: "CREATE TABLE t(a, b); CREATE VIEW v AS SELECT count(*) FILTER (WHERE a > 0) OVER w, a FROM t WINDOW w AS (ORDER BY b) ;",
    statements: [
      "ALTER TABLE t RENAME COLUMN b TO bb",
      "ALTER TABLE t RENAME COLUMN a TO aa",
      "ALTER TABLE t RENAME TO u",
    ],
  },
  {
    name: "assorted: correlated subqueries, GROUP BY and HAVING",
    setup: "CREATE TABLE t(a, b); CREATE VIEW v AS SELECT (SELECT b FROM t AS t2 WHERE t2.a = t.a) FROM t GROUP BY a HAVING max(b) > 0;",
    statements: [
      "ALTER TABLE t RENAME COLUMN b TO bb",
      "ALTER TABLE t RENAME TO u",
    ],
  },
  {
    name: "assorted: trigger bodies reading OLD and rewriting the table",
    setup: "CREATE TABLE t(a, b); CREATE TRIGGER tr AFTER DELETE ON t BEGIN INSERT INTO t SELECT old.a, old.b; UPDATE t SET (a, b) = (old.b, old.a) WHERE rowid = old.rowid; END;",
    statements: [
      "ALTER TABLE t RENAME COLUMN b TO bb",
      "ALTER TABLE t RENAME TO u",
      "ALTER TABLE u DROP COLUMN bb",
    ],
  },
  {
    name: "assorted: quoting styles: double quotes, backticks, brackets",
    setup: "CREATE TABLE \"t t\"(\"a a\" INTEGER PRIMARY KEY, `b` UNIQUE, [c] CHECK ([c] > 0));",
    statements: [
      "ALTER TABLE \"t t\" RENAME COLUMN `b` TO bee",
      "ALTER TABLE \"t t\" RENAME COLUMN c TO [dee]",
      "ALTER TABLE [t t] RENAME TO tt",
      "ALTER TABLE tt ADD COLUMN [e e] DEFAULT 'q'",
    ],
  },
  {
    name: "assorted: dropping first and last columns",
    setup: "CREATE TABLE t(a,b,c);",
    statements: [
      "ALTER TABLE t DROP COLUMN a",
      "ALTER TABLE t DROP COLUMN c",
      "ALTER TABLE t ADD COLUMN d",
      "ALTER TABLE t DROP COLUMN b",
    ],
  },
  {
    name: "assorted: named table constraints and comments in ADD COLUMN",
    setup: "CREATE TABLE t(a,b,c, CONSTRAINT pk PRIMARY KEY (a) , CONSTRAINT u UNIQUE (b));",
    statements: [
      "ALTER TABLE t DROP COLUMN c",
      "ALTER TABLE t ADD COLUMN d -- trailing comment",
      "ALTER TABLE t ADD COLUMN e /* c */ INT /* d */",
    ],
  },
  {
    name: "assorted: foreign keys to and from the altered table",
    setup: "CREATE TABLE t(a,b); CREATE TABLE u(c REFERENCES t(a) ON DELETE CASCADE, d, FOREIGN KEY (d) REFERENCES u(c));",
    statements: [
      "ALTER TABLE u RENAME COLUMN c TO cc",
      "ALTER TABLE u RENAME TO w",
      "ALTER TABLE t RENAME COLUMN a TO aa",
      "ALTER TABLE w DROP COLUMN d",
      "ALTER TABLE w DROP COLUMN cc",
    ],
  },
  {
    name: "assorted: partial and expression indexes",
    setup: "CREATE TABLE t(a,b); CREATE INDEX i1 ON t(a) WHERE b IS NOT NULL; CREATE INDEX i2 ON t(lower(b), a DESC);",
    statements: [
      "ALTER TABLE t RENAME COLUMN a TO x",
      "ALTER TABLE t RENAME COLUMN b TO y",
      "ALTER TABLE t DROP COLUMN y",
      "ALTER TABLE t RENAME TO i1",
      "ALTER TABLE t RENAME TO i3",
    ],
  },
  {
    name: "assorted: constant defaults read back; schema-qualified names",
    setup: "CREATE TABLE t(a,b); INSERT INTO t VALUES (1,2);",
    statements: [
      "ALTER TABLE main.t ADD COLUMN c DEFAULT -9223372036854775808",
      "ALTER TABLE t ADD COLUMN d REAL DEFAULT 1",
      "ALTER TABLE t ADD COLUMN e DEFAULT +5",
      "ALTER TABLE t ADD COLUMN f DEFAULT FALSE",
      "ALTER TABLE t ADD COLUMN g TEXT DEFAULT 12",
      "ALTER TABLE t ADD COLUMN h DEFAULT 1.0",
      "SELECT c, typeof(d), d, e, f, typeof(g), h, typeof(h) FROM t",
      "ALTER TABLE temp.t ADD COLUMN z",
      "ALTER TABLE aux.t ADD COLUMN z",
    ],
  },
  {
    name: "assorted: ADD COLUMN refusals (collation, CHECK subquery, CHECK over old rows, non-constant defaults)",
    setup: "CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2);",
    statements: [
      "ALTER TABLE t ADD COLUMN c COLLATE foo",
      "ALTER TABLE t ADD COLUMN c CHECK (c > (SELECT 1))",
      "ALTER TABLE t ADD COLUMN c DEFAULT (1) NOT NULL",
      "ALTER TABLE t ADD COLUMN d DEFAULT ('x' || 'y')",
      "ALTER TABLE t ADD COLUMN d CONSTRAINT nn NOT NULL DEFAULT 3 CONSTRAINT ck CHECK (d < 3)",
      "ALTER TABLE t ADD COLUMN d CONSTRAINT nn NOT NULL DEFAULT 3 CONSTRAINT ck CHECK (d <= 3)",
      "INSERT INTO t(a, b, d) VALUES (1, 1, 4)",
      "ALTER TABLE t ADD COLUMN e DEFAULT CURRENT_TIMESTAMP",
      "ALTER TABLE t ADD COLUMN e DEFAULT (CURRENT_TIMESTAMP)",
      "ALTER TABLE t ADD COLUMN e REFERENCES t(a)",
      "ALTER TABLE t ADD COLUMN f INTEGER DEFAULT 0x10",
      "SELECT * FROM t",
    ],
  },
  {
    name: "assorted: RENAME TO and AUTOINCREMENT, case-only renames",
    setup: "CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b); INSERT INTO t(b) VALUES (1), (2); CREATE TABLE t2(x);",
    statements: [
      "ALTER TABLE t RENAME TO t2",
      "ALTER TABLE t RENAME TO sqlite_sequence",
      "ALTER TABLE t RENAME TO \"t\"",
      "ALTER TABLE t RENAME TO X_Y",
      "INSERT INTO x_y(b) VALUES (3)",
      "SELECT * FROM sqlite_sequence",
      "ALTER TABLE x_y DROP COLUMN a",
      "ALTER TABLE x_y RENAME COLUMN a TO id",
      "INSERT INTO x_y(b) VALUES (4)",
      "SELECT * FROM x_y",
    ],
  },
  {
    name: "assorted: triggers with UPDATE OF and INSTEAD OF triggers on views",
    setup: "CREATE TABLE t(a, b, c); CREATE TRIGGER tr AFTER UPDATE OF b ON t BEGIN INSERT INTO t(a, b) VALUES (new.a, new.b); END; CREATE VIEW vv AS SELECT a FROM t; CREATE TRIGGER tv INSTEAD OF INSERT ON vv BEGIN INSERT INTO t(a, c) VALUES (new.a, new.a); END;",
    statements: [
      "ALTER TABLE t DROP COLUMN b",
      "ALTER TABLE t DROP COLUMN c",
      "ALTER TABLE t RENAME COLUMN c TO cc",
      "ALTER TABLE t RENAME COLUMN b TO bb",
      "ALTER TABLE t RENAME TO u",
      "INSERT INTO vv VALUES (7)",
      "UPDATE u SET bb = 1",
      "SELECT * FROM u ORDER BY rowid",
    ],
  },
  {
    name: "assorted: foreign keys enforced across renames",
    setup: "CREATE TABLE p(id INTEGER PRIMARY KEY, n UNIQUE); CREATE TABLE c(pid REFERENCES p(id) ON DELETE CASCADE, pn REFERENCES p(n)); PRAGMA foreign_keys = ON; INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 'a');",
    statements: [
      "ALTER TABLE p RENAME COLUMN n TO name",
      "ALTER TABLE p RENAME TO parent",
      "DELETE FROM parent WHERE id = 1",
      "SELECT * FROM c",
      "INSERT INTO c VALUES (2, 'b')",
      "ALTER TABLE c DROP COLUMN pn",
      "ALTER TABLE c ADD COLUMN q REFERENCES parent DEFAULT NULL",
    ],
  },
  {
    name: "DROP COLUMN check order 1: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"b\" IS NOT 'bad')); CREATE INDEX ti ON t(b, \"a\"); CREATE VIEW tv AS SELECT t.a FROM t;",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 2: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"b\" IS NOT 'bad')); CREATE INDEX ti ON t(b, a); CREATE VIEW tv AS SELECT t.a FROM t;",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 3: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"b\" IS NOT 'bad')); CREATE VIEW tv AS SELECT t.a FROM t; CREATE INDEX ti ON t(b, \"a\");",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 4: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"a\" IS NOT 'bad')); CREATE INDEX ti ON t(b, \"a\");",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 5: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"a\" IS NOT 'bad')); CREATE INDEX ti ON t(b, a);",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 6: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, CHECK (\"a\" IS NOT 'bad')); CREATE VIEW tv AS SELECT t.a FROM t;",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "DROP COLUMN check order 7: double-quoted words in tables, indexes, views",
    setup: "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b); CREATE VIEW v AS SELECT \"a\" FROM t; CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT \"a\" FROM t; END;",
    statements: ["ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN \"a\""],
  },
  {
    name: "foreign keys over rows that predate ADD COLUMN ... REFERENCES",
    setup: `CREATE TABLE par(id INTEGER PRIMARY KEY); INSERT INTO par VALUES (1), (2);
            CREATE TABLE c(x); INSERT INTO c VALUES (10), (20);`,
    statements: [
      "ALTER TABLE c ADD COLUMN p REFERENCES par(id) DEFAULT 1",
      "PRAGMA foreign_keys = ON",
      "DELETE FROM par WHERE id = 1",
      "DELETE FROM par WHERE id = 2",
      "SELECT * FROM par",
      "PRAGMA foreign_key_check",
    ],
  },
  {
    name: "constraints (SQLite 3.5x): ALTER COLUMN DROP NOT NULL",
    setup: "CREATE TABLE a(x INT  NOT NULL  DEFAULT 1, y NOT NULL, z CONSTRAINT nn NOT NULL ON CONFLICT IGNORE CHECK (z > 0), w NOT NULL NOT NULL); CREATE VIEW v AS SELECT 1 AS c;",
    statements: [
      "ALTER TABLE a ALTER COLUMN x DROP NOT NULL",
      "ALTER TABLE a ALTER COLUMN y DROP NOT NULL",
      "ALTER TABLE a ALTER COLUMN z DROP NOT NULL",
      "ALTER TABLE a ALTER COLUMN w DROP NOT NULL",
      "ALTER TABLE a ALTER COLUMN x DROP NOT NULL",
      "ALTER TABLE a ALTER COLUMN zz DROP NOT NULL",
      "ALTER TABLE v ALTER COLUMN c DROP NOT NULL",
      "INSERT INTO a VALUES (NULL, NULL, 1, 1)",
      "SELECT * FROM a",
    ],
  },
  {
    name: "constraints (SQLite 3.5x): ALTER COLUMN SET NOT NULL over existing rows",
    setup: "CREATE TABLE b(x, y INT, z DEFAULT 3 CHECK (z > 0), w NOT NULL, PRIMARY KEY (x)); INSERT INTO b VALUES (1, 2, 3, 4), (2, NULL, 3, 4);",
    statements: [
      "ALTER TABLE b ALTER COLUMN x SET NOT NULL",
      "ALTER TABLE b ALTER COLUMN y SET NOT NULL ON CONFLICT REPLACE",
      "ALTER TABLE b ALTER COLUMN z SET NOT NULL",
      "ALTER TABLE b ALTER COLUMN w SET NOT NULL ON CONFLICT FAIL",
      "UPDATE b SET y = 0 WHERE y IS NULL",
      "ALTER TABLE b ALTER COLUMN y SET NOT NULL ON CONFLICT IGNORE",
      "INSERT INTO b VALUES (3, NULL, 3, 4)",
      "SELECT * FROM b",
      "ALTER TABLE b ADD COLUMN q DEFAULT 5",
      "ALTER TABLE b ALTER COLUMN q SET NOT NULL",
      "ALTER TABLE b ADD COLUMN r",
      "ALTER TABLE b ALTER COLUMN r SET NOT NULL",
    ],
  },
  {
    name: "constraints (SQLite 3.5x): DROP CONSTRAINT and ADD CHECK",
    setup: "CREATE TABLE c(x CONSTRAINT k3 CHECK (x > 0) CONSTRAINT k4 DEFAULT 1, y CONSTRAINT k6 NOT NULL, z, CONSTRAINT k1 CHECK (x > 0), CONSTRAINT k2 CHECK (x < 9) , CONSTRAINT K7 CHECK (z IS NULL), CONSTRAINT pk PRIMARY KEY (y), CONSTRAINT un UNIQUE (z)); INSERT INTO c VALUES (1, 1, NULL);",
    statements: [
      "ALTER TABLE c DROP CONSTRAINT k2",
      "ALTER TABLE c DROP CONSTRAINT k3",
      "ALTER TABLE c DROP CONSTRAINT k6",
      "ALTER TABLE c DROP CONSTRAINT k7",
      "ALTER TABLE c DROP CONSTRAINT pk",
      "ALTER TABLE c DROP CONSTRAINT UN",
      "ALTER TABLE c DROP CONSTRAINT k4",
      "ALTER TABLE c DROP CONSTRAINT nope",
      "ALTER TABLE c ADD CONSTRAINT k5 CHECK (y > 0)",
      "ALTER TABLE c ADD CONSTRAINT k1 CHECK (y > 0)",
      "ALTER TABLE c ADD CONSTRAINT K5 CHECK (y > 0)",
      "ALTER TABLE c ADD CONSTRAINT k8 CHECK (yy > 0)",
      "ALTER TABLE c ADD CHECK (y > (SELECT 1))",
      "ALTER TABLE c ADD CHECK (y > 5)",
      "ALTER TABLE c ADD CHECK (y < 5)",
      "INSERT INTO c VALUES (2, 7, NULL)",
      "ALTER TABLE sqlite_schema ADD CHECK (1)",
      "ALTER TABLE c DROP CONSTRAINT k1",
      "SELECT * FROM c",
    ],
  },
  {
    name: "constraints (SQLite 3.5x): ADD CHECK text and dropping named foreign keys, COLLATE and REFERENCES",
    setup: "CREATE TABLE u(a, b  ); CREATE TABLE g(x PRIMARY KEY, y, z CONSTRAINT co COLLATE nocase CONSTRAINT rf REFERENCES u(b), FOREIGN KEY (y) REFERENCES u, CONSTRAINT fk FOREIGN KEY (x) REFERENCES u(a)) ;",
    statements: [
      "ALTER TABLE u ADD CHECK (a > 0) -- hi",
      "ALTER TABLE u ADD CHECK (b > 0) /* hi */ ;",
      "ALTER TABLE g ADD CHECK (x>0)",
      "ALTER TABLE g DROP CONSTRAINT fk",
      "ALTER TABLE g DROP CONSTRAINT co",
      "ALTER TABLE g DROP CONSTRAINT rf",
    ],
  },
  {
    name: "drizzle-kit table rebuild: DROP TABLE then RENAME TO over AUTOINCREMENT",
    setup: "CREATE TABLE `authors` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `email` text NOT NULL, `name` text NOT NULL, `rating` real); CREATE TABLE `posts` (`id` integer PRIMARY KEY, `author_id` integer REFERENCES `authors`(`id`), title text); INSERT INTO authors(email, name) VALUES ('a', 'A'), ('b', 'B'); INSERT INTO posts(author_id, title) VALUES (1, 'x');",
    statements: [
      "PRAGMA foreign_keys=OFF",
      "CREATE TABLE `__new_authors` (\n `id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n `email` text NOT NULL,\n `name` text NOT NULL,\n `rating` real DEFAULT 0 NOT NULL,\n `bio` text DEFAULT 'n/a'\n)",
      "INSERT INTO `__new_authors`(\"id\", \"email\", \"name\", \"rating\") SELECT \"id\", \"email\", \"name\", coalesce(\"rating\", 0) FROM `authors`",
      "DROP TABLE `authors`",
      "ALTER TABLE `__new_authors` RENAME TO `authors`",
      "PRAGMA foreign_keys=ON",
      "CREATE UNIQUE INDEX `authors_email` ON `authors` (`email`)",
      "SELECT * FROM sqlite_sequence",
      "INSERT INTO authors(email, name) VALUES ('c', 'C')",
      "SELECT * FROM authors",
      "DELETE FROM authors WHERE id = 1",
      "PRAGMA foreign_key_check",
    ],
  },
  {
    name: "constraints (SQLite 3.5x): SET NOT NULL keeps the clause as spelled",
    setup: "CREATE TABLE b(x, y, z NOT NULL)",
    statements: [
      "ALTER TABLE b ALTER COLUMN y SET NOT NULL on conflict replace",
      "ALTER TABLE b ALTER COLUMN x set  not   null",
      "ALTER TABLE b ALTER z SET NOT NULL ON CONFLICT ABORT",
      "ALTER TABLE b ALTER COLUMN y SET NOT NULL",
    ],
  },
];

const SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid";
const TABLES = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name";

function tableNames(o: Outcome): string[] {
  if ("error" in o) throw new Error(o.error);
  return o.rows.map((r) => String(r[0]));
}

/**
 * Everything observable after a statement: the schema, each table's rows,
 * integrity_check (outside transactions only: Tessera's integrity_check
 * compares the page count with the committed header, so it misreports a
 * transaction that grew the file).
 */
function snapshot(run: (sql: string) => Outcome, inTransaction = false): string[] {
  const out = [show(run(SCHEMA))];
  if (!inTransaction) out.push(show(run("PRAGMA integrity_check")));
  for (const name of tableNames(run(TABLES))) {
    out.push(`${name}: ${show(run(`SELECT rowid, * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`))}`);
  }
  return out;
}

let oracle: Oracle | null = null;
afterEach(() => {
  oracle?.close();
  oracle = null;
});

describe("ALTER TABLE and prepared statements", () => {
  it("a statement prepared before ALTER sees the new schema, on this and on another connection", () => {
    const o = (oracle = new Oracle());
    o.setup("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2);");
    const db = o.tessera;
    const other = db.connect();
    const star = db.prepare("SELECT * FROM t");
    expect(star.raw().all()).toEqual([[1, 2]]);
    db.exec("ALTER TABLE t ADD COLUMN c DEFAULT 'z'");
    expect(star.raw().all()).toEqual([[1, 2, "z"]]);
    expect(other.prepare("SELECT * FROM t").raw().all()).toEqual([[1, 2, "z"]]);
    db.exec("ALTER TABLE t DROP COLUMN a");
    expect(star.raw().all()).toEqual([[2, "z"]]);
    other.exec("ALTER TABLE t RENAME TO u");
    expect(() => star.raw().all()).toThrow("no such table: t");
    expect(db.prepare("SELECT * FROM u").raw().all()).toEqual([[2, "z"]]);
    other.close();
  });
});

describe("ALTER TABLE against SQLite", () => {
  for (const c of cases) {
    it(c.name, () => {
      const o = (oracle = new Oracle());
      o.setup(c.setup);
      for (const sql of c.statements) {
        const { sqlite, tessera } = o.run(sql);
        expect(`${sql} -> ${show(tessera)}`).toBe(`${sql} -> ${show(sqlite)}`);
        const inTransaction = o.tessera.inTransaction;
        expect(snapshot((s) => o.runTessera(s), inTransaction)).toEqual(snapshot((s) => o.runSqlite(s), inTransaction));
      }
      // The file Tessera wrote is a database SQLite reads as its own.
      const copy = new SQL.Database(o.tessera.serialize());
      try {
        // Oracle.runSqlite reads only `this.sqlite`: run it on the copy to get the same typed rows.
        const runCopy = (sql: string): Outcome => Oracle.prototype.runSqlite.call({ sqlite: copy } as Oracle, sql);
        expect(show(runCopy("PRAGMA integrity_check"))).toBe('[["ok"]]');
        expect(snapshot(runCopy)).toEqual(snapshot((s) => o.runSqlite(s)));
      } finally {
        copy.close();
      }
    });
  }
});
