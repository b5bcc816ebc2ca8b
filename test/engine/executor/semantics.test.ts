// Statement-level behaviour compared with real SQLite (sql.js): each case runs
// a setup script on both engines, then statements whose outcomes (typed rows,
// or the error message) must be identical.
import { describe, expect, it } from "vitest";
import { itRunsLikeSqlite, Oracle, show, type ScriptCase } from "./oracle.js";

const cases: ScriptCase[] = [
  {
    name: "constraint errors",
    setup: `CREATE TABLE t(id INTEGER PRIMARY KEY, u TEXT UNIQUE, n INT NOT NULL, c INT CHECK (c > 0), CONSTRAINT named CHECK (n < 100));
            CREATE TABLE k(a, b, PRIMARY KEY(a, b));
            INSERT INTO t VALUES (1, 'x', 1, 1); INSERT INTO k VALUES (1, 2);`,
    statements: [
      "INSERT INTO t VALUES (1, 'y', 1, 1)",
      "INSERT INTO t VALUES (2, 'x', 1, 1)",
      "INSERT INTO t VALUES (2, 'y', NULL, 1)",
      "INSERT INTO t VALUES (2, 'y', 1, 0)",
      "INSERT INTO t VALUES (2, 'y', 100, 1)",
      "INSERT INTO k VALUES (1, 2)",
      "INSERT OR IGNORE INTO t VALUES (1, 'z', 1, 1)",
      "INSERT OR REPLACE INTO t VALUES (3, 'x', 5, 5)",
      "SELECT * FROM t ORDER BY id",
      "UPDATE t SET u = NULL WHERE id = 3",
      "UPDATE OR IGNORE t SET id = 3",
      "SELECT * FROM t ORDER BY id",
      "INSERT INTO t(id, n) VALUES ('abc', 1)",
      "INSERT INTO nope VALUES (1)",
      "INSERT INTO t(nope) VALUES (1)",
      "INSERT INTO t VALUES (1)",
      "SELECT nope FROM t",
      "SELECT t.nope FROM t",
      "SELECT * FROM t WHERE id = (SELECT 1, 2)",
      "SELECT abs()",
      "SELECT nofunc(1)",
    ],
  },
  {
    name: "values, affinity and arithmetic",
    setup: `CREATE TABLE v(i INTEGER, r REAL, t TEXT, b BLOB, n NUMERIC, x);
            INSERT INTO v VALUES ('12', '1.5', 12, x'00ff', '3.0', '7'), (1.0, 2, 3.5, 'b', '1e3', 8.0), (NULL, NULL, NULL, NULL, 'abc', x'01');`,
    statements: [
      "SELECT i, typeof(i), r, typeof(r), t, typeof(t), b, typeof(b), n, typeof(n), x, typeof(x) FROM v",
      "SELECT 1.0, 5/2, 5.0/2, 5%3, 5.5%2, 1e100, 0.1+0.2, -9223372036854775808, 9223372036854775807 + 1, CAST(2.0 AS TEXT)",
      "SELECT 'a' || 1 || 2.5, 10 << 2, -1 >> 1, ~5, 3 & 6, 3 | 6, NULL + 1, 1 / 0, 'x' + 1",
      "SELECT i = '12', t = 12, t > 100, x = '7' FROM v WHERE rowid = 1",
      "SELECT 1 IS 1.0, NULL IS NULL, 1 IS NOT NULL, 2 BETWEEN 1 AND 3, 'b' IN ('a', 'b'), 3 NOT IN (1, NULL)",
      "SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, CASE WHEN NULL THEN 1 ELSE 0 END, coalesce(NULL, NULL, 3), iif(1, 'y', 'n')",
      "SELECT 'abc' LIKE 'A%', 'abc' GLOB 'A*', 'a_c' LIKE 'a\\_c' ESCAPE '\\', 'ABC' = 'abc' COLLATE NOCASE, 'a  ' = 'a' COLLATE RTRIM",
    ],
  },
  {
    name: "queries: joins, subqueries, grouping, ordering",
    setup: `CREATE TABLE a(id INTEGER PRIMARY KEY, g TEXT, v INT);
            CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INT, w REAL);
            CREATE INDEX b_a ON b(a_id);
            INSERT INTO a VALUES (1, 'x', 10), (2, 'y', 20), (3, 'x', NULL), (4, NULL, 5);
            INSERT INTO b VALUES (1, 1, 1.5), (2, 1, 2.5), (3, 2, 0.5), (4, 9, 9.0);`,
    statements: [
      "SELECT a.id, b.id FROM a JOIN b ON b.a_id = a.id ORDER BY 1, 2",
      "SELECT a.id, b.id FROM a LEFT JOIN b ON b.a_id = a.id ORDER BY 1, 2",
      "SELECT a.id, b.w FROM a LEFT JOIN b ON b.a_id = a.id WHERE b.w IS NULL ORDER BY 1",
      "SELECT * FROM a NATURAL JOIN b ORDER BY 1",
      "SELECT id, g FROM a JOIN b USING (id) ORDER BY id",
      "SELECT g, count(*), sum(v), avg(v), min(v), max(v), total(v), group_concat(id) FROM a GROUP BY g ORDER BY g",
      "SELECT g, count(*) AS c FROM a GROUP BY g HAVING c > 1",
      "SELECT count(DISTINCT g), count(g), count(*) FROM a",
      "SELECT id, (SELECT count(*) FROM b WHERE b.a_id = a.id) AS n FROM a ORDER BY n DESC, id",
      "SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id) ORDER BY id",
      "SELECT id FROM a WHERE id IN (SELECT a_id FROM b) ORDER BY id",
      "SELECT id FROM a WHERE v > (SELECT avg(v) FROM a)",
      "SELECT g, v FROM a ORDER BY g NULLS LAST, v DESC",
      "SELECT id FROM a ORDER BY v LIMIT 2 OFFSET 1",
      "SELECT id FROM a LIMIT 1, 2",
      "SELECT DISTINCT g FROM a ORDER BY 1",
      "SELECT g FROM a UNION SELECT 'z' ORDER BY 1 DESC",
      "SELECT v FROM a UNION ALL SELECT w FROM b ORDER BY 1",
      "SELECT id FROM a INTERSECT SELECT a_id FROM b",
      "SELECT id FROM a EXCEPT SELECT a_id FROM b",
      "SELECT max(v), id FROM a",
      "SELECT g, id FROM a GROUP BY g ORDER BY g",
      "SELECT id, count(*) FROM a",
      "SELECT * FROM (SELECT g, count(*) AS n FROM a GROUP BY g) WHERE n = 2",
      "VALUES (1, 'a'), (2, 'b')",
      "SELECT * FROM a WHERE rowid BETWEEN 2 AND 3",
      "SELECT id FROM a ORDER BY 5",
      "SELECT * FROM a, b WHERE a.id = b.a_id AND b.w > 1 ORDER BY b.id",
      "SELECT a.id, b.id, b.w FROM a RIGHT JOIN b ON b.a_id = a.id ORDER BY b.id, a.id",
      "SELECT * FROM a RIGHT JOIN b ON b.a_id = a.id AND a.v > 10 WHERE b.w < 5 ORDER BY 4",
      "SELECT * FROM b RIGHT JOIN a USING (id) ORDER BY id",
      "SELECT count(*) FROM a RIGHT OUTER JOIN b ON 0",
    ],
  },
  {
    name: "common table expressions",
    setup: "CREATE TABLE e(id INTEGER PRIMARY KEY, boss INT); INSERT INTO e VALUES (1, NULL), (2, 1), (3, 1), (4, 2), (5, 4);",
    statements: [
      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) SELECT sum(x), count(*) FROM n",
      "WITH RECURSIVE chain(id, depth) AS (SELECT 5, 0 UNION ALL SELECT e.boss, depth + 1 FROM e JOIN chain ON e.id = chain.id WHERE e.boss IS NOT NULL) SELECT * FROM chain",
      "WITH RECURSIVE f(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM f LIMIT 20) SELECT max(b) FROM f",
      "WITH x AS (SELECT id FROM e WHERE boss = 1), y AS (SELECT id FROM x WHERE id > 2) SELECT * FROM y",
      "WITH RECURSIVE u(x) AS (SELECT 1 UNION SELECT x % 3 + 1 FROM u) SELECT x FROM u ORDER BY x",
    ],
  },
  {
    name: "DML: upsert, returning, changes",
    setup: "CREATE TABLE kv(k TEXT PRIMARY KEY, v INT, n INT DEFAULT 0); INSERT INTO kv(k, v) VALUES ('a', 1), ('b', 2);",
    statements: [
      "INSERT INTO kv(k, v) VALUES ('a', 10) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v, n = n + 1",
      "INSERT INTO kv(k, v) VALUES ('c', 3) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
      "INSERT INTO kv(k, v) VALUES ('b', 99) ON CONFLICT DO NOTHING",
      "INSERT INTO kv(k, v) VALUES ('b', 5) ON CONFLICT(k) DO UPDATE SET v = excluded.v WHERE excluded.v > 10",
      "SELECT * FROM kv ORDER BY k",
      "INSERT INTO kv(k, v) VALUES ('d', 4), ('e', 5) RETURNING k, v * 2 AS dbl",
      "UPDATE kv SET v = v + 1 WHERE v > 3 RETURNING *",
      "DELETE FROM kv WHERE k > 'c' RETURNING k",
      "SELECT changes(), total_changes() > 0",
      "WITH n(v) AS (SELECT 'w' UNION ALL SELECT 'x') INSERT INTO kv(k, v) SELECT v, 1 FROM n",
      "WITH m AS (SELECT 'w' AS k) UPDATE kv SET v = 9 WHERE k IN (SELECT k FROM m)",
      "WITH m AS (SELECT 'x' AS k) DELETE FROM kv WHERE k = (SELECT k FROM m)",
      "SELECT * FROM kv WHERE k > 'v'",
      "INSERT INTO kv(k, v) VALUES ('z', 1) ON CONFLICT(v) DO NOTHING",
    ],
  },
  {
    name: "triggers",
    setup: `CREATE TABLE t(id INTEGER PRIMARY KEY, v); CREATE TABLE log(msg);
            CREATE TRIGGER ai AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ins ' || new.id || ' ' || new.v); END;
            CREATE TRIGGER bu BEFORE UPDATE OF v ON t WHEN new.v < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;
            CREATE TRIGGER ad AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('del ' || old.id); END;
            CREATE TRIGGER bi BEFORE INSERT ON t WHEN new.v = 'skip' BEGIN SELECT RAISE(IGNORE); END;`,
    statements: [
      "INSERT INTO t(v) VALUES ('a'), ('skip'), ('b')",
      "SELECT changes(), last_insert_rowid()",
      "UPDATE t SET v = -1 WHERE id = 1",
      "UPDATE t SET v = 'c' WHERE id = 1",
      "DELETE FROM t WHERE id = 2",
      "SELECT * FROM log",
      "SELECT * FROM t",
      "CREATE TRIGGER ai AFTER INSERT ON t BEGIN SELECT 1; END",
      "CREATE TRIGGER x AFTER INSERT ON nope BEGIN SELECT 1; END",
      "SELECT RAISE(ABORT, 'x')",
    ],
  },
  {
    name: "foreign keys",
    setup: `PRAGMA foreign_keys = ON;
            CREATE TABLE p(id INTEGER PRIMARY KEY, code TEXT UNIQUE);
            CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p(id) ON DELETE CASCADE ON UPDATE CASCADE, code REFERENCES p(code) ON DELETE SET NULL);
            CREATE TABLE r(id INTEGER PRIMARY KEY, pid REFERENCES p ON DELETE RESTRICT);
            INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c');
            INSERT INTO c VALUES (10, 1, 'a'), (11, 2, 'b'), (12, 2, NULL);
            INSERT INTO r VALUES (100, 3);`,
    statements: [
      "INSERT INTO c VALUES (13, 9, NULL)",
      "INSERT INTO c VALUES (13, NULL, 'zz')",
      "DELETE FROM p WHERE id = 3",
      "DELETE FROM p WHERE id = 1",
      "UPDATE p SET id = 20 WHERE id = 2",
      "SELECT * FROM c ORDER BY id",
      "DELETE FROM p WHERE code = 'b'",
      "SELECT * FROM c ORDER BY id",
    ],
  },
  {
    name: "schema and pragmas",
    setup: `CREATE TABLE s(a INTEGER PRIMARY KEY AUTOINCREMENT, b VARCHAR(10) NOT NULL DEFAULT 'x', c REAL, UNIQUE(b, c));
            CREATE INDEX s_c ON s(c DESC) WHERE c > 0;
            CREATE VIEW sv(x, y) AS SELECT a, b FROM s;
            INSERT INTO s(c) VALUES (1.5); INSERT INTO s(b, c) VALUES ('y', NULL); DELETE FROM s WHERE a = 2; INSERT INTO s(b) VALUES ('z');`,
    statements: [
      "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
      "SELECT * FROM sqlite_sequence",
      "SELECT * FROM s",
      "SELECT * FROM sv",
      "PRAGMA table_info(s)",
      "PRAGMA index_list(s)",
      "PRAGMA index_info(s_c)",
      "PRAGMA user_version = 7",
      "PRAGMA user_version",
      "CREATE TABLE s(x)",
      "CREATE TABLE IF NOT EXISTS s(x)",
      "CREATE INDEX s_c ON s(b)",
      "DROP INDEX sqlite_autoindex_s_1",
      "DROP VIEW s",
      "DROP TABLE sv",
      "DROP TABLE nope",
      "DROP TABLE IF EXISTS nope",
      "CREATE TABLE ct AS SELECT a, b || 'q' AS bq, c * 2 FROM s",
      "SELECT sql FROM sqlite_schema WHERE name = 'ct'",
      "SELECT * FROM ct",
      "PRAGMA integrity_check",
    ],
  },
];

describe("statements behave as in SQLite", () => itRunsLikeSqlite(cases));

describe("limits", () => {
  it("stops runaway statements, oversized values and too many parameters with SQLite's errors", async () => {
    const { Database } = await import("../../../src/engine/index.js");
    const db = new Database({ limits: { statementSteps: 10_000, valueLength: 100, variables: 3, sqlLength: 200 } });
    db.exec("CREATE TABLE t(x)");
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    const endless = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c";
    expect(code(() => db.prepare(endless).get())).toBe("SQLITE_INTERRUPT");
    expect(code(() => db.prepare("INSERT INTO t VALUES (?)").run("é".repeat(51)))).toBe("SQLITE_TOOBIG");
    expect(code(() => db.prepare("INSERT INTO t VALUES (?)").run("x".repeat(100)))).toBeUndefined();
    expect(code(() => db.prepare("SELECT ?, ?, ?, ?").get())).toBe("SQLITE_ERROR");
    expect(code(() => db.prepare(`SELECT '${"x".repeat(200)}'`).get())).toBe("SQLITE_TOOBIG");
    db.limits.statementSteps = Number.POSITIVE_INFINITY;
    db.limits.statementTimeoutMs = 50;
    expect(code(() => db.prepare(endless).get())).toBe("SQLITE_INTERRUPT");
    // The database is intact and usable afterwards.
    expect(db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(1);
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });
});

describe("transactions and savepoints behave as in SQLite", () => {
  it("undoes a failed statement alone, and savepoints nest", () => {
    const oracle = new Oracle();
    try {
      oracle.setup("CREATE TABLE t(id INTEGER PRIMARY KEY, u UNIQUE)");
      const steps = [
        "BEGIN",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO t VALUES (3, 'c'), (4, 'a')",
        "SELECT * FROM t",
        "SAVEPOINT s1",
        "INSERT INTO t VALUES (5, 'e')",
        "SAVEPOINT s2",
        "UPDATE t SET u = u || '!'",
        "ROLLBACK TO s1",
        "SELECT * FROM t",
        "INSERT INTO t VALUES (7, 'g')",
        "RELEASE s1",
        "RELEASE nope",
        "COMMIT",
        "SELECT * FROM t",
        "SAVEPOINT outer_sp",
        "DELETE FROM t WHERE id = 1",
        "RELEASE outer_sp",
        "SELECT * FROM t",
        "ROLLBACK",
        "COMMIT",
        "BEGIN",
        "BEGIN",
        "CREATE TABLE u(x)",
        "ROLLBACK",
        "SELECT name FROM sqlite_schema",
      ];
      for (const sql of steps) {
        const { sqlite, tessera } = oracle.run(sql);
        expect(show(tessera), sql).toBe(show(sqlite));
      }
    } finally {
      oracle.close();
    }
  });

  it("an autocommit statement sees the latest commit of another connection, a transaction keeps its snapshot", async () => {
    const { Database } = await import("../../../src/engine/index.js");
    const db = new Database();
    db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v)");
    const other = db.connect();
    const read = db.prepare("SELECT v FROM t WHERE id = ?").pluck();
    const count = db.prepare("SELECT count(*) FROM t").pluck();
    const write = other.prepare("INSERT OR REPLACE INTO t VALUES (?, ?)");
    for (let i = 1; i <= 300; i++) {
      // Reads between commits resume the same snapshot; a commit must still show at the next read.
      expect(read.get(i)).toBeUndefined();
      write.run(i, `v${i}`);
      expect(read.get(i)).toBe(`v${i}`);
      expect(count.get()).toBe(i);
    }
    other.exec("BEGIN; UPDATE t SET v = 'rolled back'; ROLLBACK");
    expect(read.get(1)).toBe("v1");
    db.exec("BEGIN");
    expect(read.get(2)).toBe("v2");
    write.run(2, "after BEGIN");
    other.exec("DELETE FROM t WHERE id > 100");
    expect(read.get(2)).toBe("v2");
    expect(count.get()).toBe(300);
    db.exec("COMMIT");
    expect(read.get(2)).toBe("after BEGIN");
    expect(count.get()).toBe(100);
    other.close();
  });

  it("db.transaction() commits, rolls back on throw, and nests with savepoints", async () => {
    const { Database } = await import("../../../src/engine/index.js");
    const db = new Database();
    db.exec("CREATE TABLE t(x)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    const inner = db.transaction((x: number) => {
      insert.run(x);
      if (x < 0) throw new Error("negative");
    });
    const outer = db.transaction((xs: number[]) => {
      for (const x of xs) {
        try {
          inner(x);
        } catch {
          // the inner savepoint was rolled back; the outer transaction goes on
        }
      }
    });
    outer([1, -2, 3]);
    expect(db.prepare("SELECT x FROM t").pluck().all()).toEqual([1, 3]);
    expect(() => db.transaction(() => {
      insert.run(4);
      throw new Error("boom");
    })()).toThrow("boom");
    expect(db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(2);
    expect(db.inTransaction).toBe(false);
  });
});

describe("INSTEAD OF triggers make views writable, as in SQLite", () => {
  it("runs the trigger for each inserted, updated and deleted view row", () => {
    const oracle = new Oracle();
    try {
      oracle.setup(`CREATE TABLE people(id INTEGER PRIMARY KEY, first TEXT, last TEXT);
        CREATE VIEW names(id, full) AS SELECT id, first || ' ' || last FROM people;
        CREATE TABLE audit(what TEXT);
        CREATE TRIGGER names_ins INSTEAD OF INSERT ON names BEGIN
          INSERT INTO people(id, first, last) VALUES (new.id, substr(new.full, 1, instr(new.full, ' ') - 1), substr(new.full, instr(new.full, ' ') + 1));
        END;
        CREATE TRIGGER names_upd INSTEAD OF UPDATE OF full ON names BEGIN
          UPDATE people SET last = upper(last) WHERE id = old.id; INSERT INTO audit VALUES ('upd ' || old.full || ' -> ' || new.full);
        END;
        CREATE TRIGGER names_del INSTEAD OF DELETE ON names WHEN old.id > 1 BEGIN DELETE FROM people WHERE id = old.id; END;`);
      for (const sql of [
        "INSERT INTO names VALUES (1, 'Ada Lovelace'), (2, 'Alan Turing'), (3, 'Grace Hopper')",
        "SELECT changes()",
        "SELECT * FROM names ORDER BY id",
        "UPDATE names SET full = 'x' WHERE id >= 2",
        "SELECT * FROM people ORDER BY id",
        "DELETE FROM names",
        "SELECT * FROM names ORDER BY id",
        "SELECT * FROM audit",
        "CREATE VIEW plain AS SELECT 1 AS one",
        "INSERT INTO plain VALUES (2)",
        "DELETE FROM plain",
        "CREATE TRIGGER bad BEFORE INSERT ON names BEGIN SELECT 1; END",
        "CREATE TRIGGER bad INSTEAD OF INSERT ON people BEGIN SELECT 1; END",
      ]) {
        const { sqlite, tessera } = oracle.run(sql);
        expect(show(tessera), sql).toBe(show(sqlite));
      }
    } finally {
      oracle.close();
    }
  });
});
