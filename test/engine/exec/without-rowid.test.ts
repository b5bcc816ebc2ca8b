// WITHOUT ROWID tables compared with real SQLite (sql.js): each case runs a
// setup script on both engines, then statements whose outcomes (typed rows,
// or the error message) must be identical. Covers CREATE rules, every write
// form and conflict resolution, PRIMARY KEY lookups and their query plans,
// secondary indexes, triggers, foreign keys, ALTER TABLE, DROP and PRAGMAs.
import { describe, expect, it } from "vitest";
import { Database, SqliteError } from "../../../src/engine/index.js";
import { itRunsLikeSqlite, type ScriptCase } from "../executor/oracle.js";

const KV = `CREATE TABLE kv(k TEXT PRIMARY KEY, v INT NOT NULL DEFAULT 0, note) WITHOUT ROWID;
            INSERT INTO kv VALUES ('a', 1, 'x'), ('b', 2, NULL), ('c', 3, 'z');`;

const cases: ScriptCase[] = [
  {
    name: "CREATE rules",
    setup: "",
    statements: [
      "CREATE TABLE nopk(a, b) WITHOUT ROWID",
      "CREATE TABLE ai(a INTEGER PRIMARY KEY AUTOINCREMENT, b) WITHOUT ROWID",
      "CREATE TABLE two(a PRIMARY KEY, b, PRIMARY KEY(b)) WITHOUT ROWID",
      "CREATE TABLE dup(a, b, PRIMARY KEY(a, b, a)) WITHOUT ROWID",
      "PRAGMA index_xinfo(sqlite_autoindex_dup_1)",
      "CREATE TABLE ipk(id INTEGER PRIMARY KEY, v) WITHOUT ROWID",
      "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
      "PRAGMA table_info(ipk)",
      "CREATE TABLE s(a TEXT PRIMARY KEY, b INT) WITHOUT ROWID, STRICT",
      "INSERT INTO s VALUES ('x', 'y')",
      "INSERT INTO s VALUES ('x', '5')",
      "SELECT a, b, typeof(b) FROM s",
    ],
  },
  {
    name: "rowid does not exist",
    setup: KV,
    statements: [
      "SELECT rowid FROM kv",
      "SELECT oid, _rowid_ FROM kv",
      "INSERT INTO kv(rowid, k) VALUES (1, 'q')",
      "UPDATE kv SET rowid = 5",
      "DELETE FROM kv WHERE rowid = 1",
      "INSERT INTO kv(k, v) VALUES ('d', 4) RETURNING rowid",
      "SELECT last_insert_rowid()",
      "INSERT INTO kv(k, v) VALUES ('e', 5)",
      "SELECT last_insert_rowid(), changes(), total_changes()",
    ],
  },
  {
    name: "key columns: NOT NULL, affinity, uniqueness after affinity",
    setup: "CREATE TABLE t(id INTEGER, name TEXT, r REAL, PRIMARY KEY(id, name)) WITHOUT ROWID",
    statements: [
      "INSERT INTO t VALUES (NULL, 'a', 1)",
      "INSERT INTO t VALUES (1, NULL, 1)",
      "INSERT INTO t VALUES ('1', 1, 2)",
      "INSERT INTO t VALUES (1, '1', 3)",
      "INSERT INTO t VALUES (1.0, 1, 4)",
      "INSERT INTO t VALUES (2, 'b', 7)",
      "SELECT id, typeof(id), name, typeof(name), r, typeof(r) FROM t",
      "INSERT OR IGNORE INTO t VALUES (NULL, 'z', 1)",
      "SELECT count(*) FROM t",
    ],
  },
  {
    name: "conflict resolutions",
    setup: `CREATE TABLE t(a, b, c UNIQUE, d, PRIMARY KEY(a, b)) WITHOUT ROWID;
            INSERT INTO t VALUES (1, 1, 'x', 0), (1, 2, 'y', 0), (2, 1, 'z', 0);`,
    statements: [
      "INSERT INTO t VALUES (1, 1, 'q', 1)",
      "INSERT INTO t VALUES (9, 9, 'x', 1)",
      "INSERT INTO t VALUES (1, 1, 'x', 1)",
      "INSERT OR IGNORE INTO t VALUES (1, 1, 'q', 1), (3, 3, 'w', 1)",
      "SELECT * FROM t",
      "INSERT OR REPLACE INTO t VALUES (1, 2, 'x', 2)",
      "SELECT * FROM t",
      "REPLACE INTO t VALUES (2, 1, 'w', 3)",
      "SELECT * FROM t",
      "INSERT OR ABORT INTO t VALUES (6, 6, 'o', 4), (1, 2, 'm', 4)",
      "SELECT * FROM t",
      "BEGIN",
      "INSERT OR ROLLBACK INTO t VALUES (7, 7, 'p', 4), (1, 2, 'm', 4)",
      "SELECT * FROM t",
      "UPDATE t SET c = 'x' WHERE a = 5",
      "UPDATE OR IGNORE t SET a = 1, b = 2 WHERE a = 5",
      "UPDATE OR REPLACE t SET a = 1, b = 2 WHERE a = 5",
      "SELECT * FROM t",
    ],
  },
  {
    name: "ON CONFLICT clauses in the table definition",
    setup: `CREATE TABLE t(k PRIMARY KEY ON CONFLICT REPLACE, u UNIQUE ON CONFLICT IGNORE, v) WITHOUT ROWID;
            INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2);`,
    statements: ["INSERT INTO t VALUES (1, 'c', 3)", "INSERT INTO t VALUES (3, 'b', 4)", "SELECT * FROM t", "INSERT OR ABORT INTO t VALUES (2, 'z', 5)", "SELECT * FROM t"],
  },
  {
    name: "collation of key columns decides uniqueness and order",
    setup: `CREATE TABLE t(name TEXT COLLATE NOCASE PRIMARY KEY, n) WITHOUT ROWID;
            CREATE TABLE r(name TEXT COLLATE RTRIM, k INT, PRIMARY KEY(name, k DESC)) WITHOUT ROWID;
            INSERT INTO t VALUES ('Bob', 1), ('alice', 2), ('carol', 3);
            INSERT INTO r VALUES ('x', 1), ('x', 2), ('y ', 1);`,
    statements: [
      "INSERT INTO t VALUES ('BOB', 9)",
      "INSERT OR REPLACE INTO t VALUES ('ALICE', 9)",
      "SELECT * FROM t",
      "SELECT * FROM t WHERE name = 'CAROL'",
      "SELECT * FROM t WHERE name > 'b'",
      "SELECT * FROM t ORDER BY name DESC",
      "UPDATE t SET name = 'bob' WHERE n = 1",
      "SELECT * FROM t",
      "INSERT INTO r VALUES ('y', 1)",
      "INSERT INTO r VALUES ('x  ', 2)",
      "SELECT * FROM r",
      "SELECT * FROM r WHERE name = 'x' AND k < 2",
    ],
  },
  {
    name: "UPSERT",
    setup: `CREATE TABLE t(a, b, n INT, u UNIQUE, PRIMARY KEY(a, b)) WITHOUT ROWID;
            INSERT INTO t VALUES (1, 1, 10, 'p'), (1, 2, 20, 'q');
            CREATE TABLE r(id INTEGER PRIMARY KEY, n INT NOT NULL); INSERT INTO r VALUES (1, 1);`,
    statements: [
      "INSERT INTO r VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET n = '5' RETURNING n, typeof(n)",
      "INSERT INTO r VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET n = NULL",
      "INSERT INTO t VALUES (1, 1, 5, 'r') ON CONFLICT(a, b) DO UPDATE SET n = n + excluded.n",
      "INSERT INTO t VALUES (1, 1, 5, 'r') ON CONFLICT(b, a) DO UPDATE SET n = n + excluded.n RETURNING *",
      "INSERT INTO t VALUES (1, 2, 5, 'r') ON CONFLICT DO NOTHING",
      "INSERT INTO t VALUES (3, 3, 1, 'q') ON CONFLICT(u) DO UPDATE SET n = -1 WHERE n > 100",
      "INSERT INTO t VALUES (3, 3, 1, 'q') ON CONFLICT(u) DO UPDATE SET n = '7'",
      "INSERT INTO t VALUES (1, 1, 0, 's') ON CONFLICT(a, b) DO UPDATE SET b = 9",
      "INSERT INTO t VALUES (1, 9, 0, 't') ON CONFLICT(a, b) DO UPDATE SET b = 2",
      "INSERT INTO t VALUES (5, 5, 0, 's') ON CONFLICT(n) DO NOTHING",
      "SELECT a, b, n, typeof(n), u FROM t",
    ],
  },
  {
    name: "RETURNING",
    setup: KV,
    statements: [
      "INSERT INTO kv(k) VALUES ('d'), ('e') RETURNING k, v, upper(k) AS up",
      "UPDATE kv SET v = v * 10 WHERE k > 'b' RETURNING *",
      "UPDATE kv SET k = k || k WHERE v = 1 RETURNING k, v",
      "DELETE FROM kv WHERE v >= 30 RETURNING k",
      "SELECT * FROM kv",
    ],
  },
  {
    name: "UPDATE of key columns",
    setup: `CREATE TABLE t(a INT, b TEXT, c, PRIMARY KEY(a, b)) WITHOUT ROWID;
            CREATE INDEX tc ON t(c);
            INSERT INTO t VALUES (1, 'x', 1), (2, 'x', 2), (3, 'y', 3), (4, 'y', 4);`,
    statements: [
      "UPDATE t SET a = a + 1",
      "SELECT * FROM t",
      "UPDATE t SET a = 3 WHERE a = 2",
      "UPDATE t SET a = a * 10, c = c + 100 WHERE b = 'y'",
      "SELECT * FROM t",
      "SELECT * FROM t WHERE c = 103",
      "UPDATE t SET a = '7' WHERE c = 2",
      "SELECT a, typeof(a), b, c FROM t ORDER BY c",
      "UPDATE t SET b = NULL WHERE a = 7",
      "UPDATE t SET c = NULL",
      "SELECT * FROM t WHERE c IS NULL",
      "PRAGMA integrity_check",
    ],
  },
  {
    name: "UPDATE ... FROM",
    setup: `CREATE TABLE t(k PRIMARY KEY, v) WITHOUT ROWID; CREATE TABLE s(k, v);
            INSERT INTO t VALUES (1, 0), (2, 0), (3, 0); INSERT INTO s VALUES (1, 10), (2, 20), (4, 40);`,
    statements: ["UPDATE t SET v = s.v FROM s WHERE s.k = t.k", "SELECT * FROM t"],
  },
  {
    name: "DELETE",
    setup: `CREATE TABLE t(a, b, c, PRIMARY KEY(b, a)) WITHOUT ROWID; CREATE INDEX tc ON t(c);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) INSERT INTO t SELECT i % 7, i, i % 3 FROM n;`,
    statements: [
      "DELETE FROM t WHERE c = 1",
      "SELECT count(*), sum(b) FROM t",
      "DELETE FROM t WHERE b BETWEEN 10 AND 20",
      "SELECT * FROM t WHERE b < 25",
      "DELETE FROM t",
      "SELECT count(*) FROM t",
      "PRAGMA integrity_check",
    ],
  },
  {
    name: "PRIMARY KEY lookups and plans",
    setup: `CREATE TABLE t(a INT, b TEXT, c, PRIMARY KEY(a, b)) WITHOUT ROWID;
            CREATE TABLE d(x INT PRIMARY KEY DESC, y) WITHOUT ROWID;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO t SELECT i % 8, 'k' || (i % 5), i FROM n WHERE 1 ON CONFLICT DO NOTHING;
            INSERT INTO d SELECT a * 3 + length(b), c FROM t WHERE 1 ON CONFLICT DO NOTHING;`,
    statements: [
      "SELECT * FROM t WHERE a = 3",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 3",
      "SELECT * FROM t WHERE a = 3 AND b = 'k3'",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 3 AND b = 'k3'",
      "SELECT * FROM t WHERE a = 3 AND b > 'k1'",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 3 AND b > 'k1'",
      "SELECT * FROM t WHERE a > 5",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a > 5",
      "SELECT * FROM t WHERE a BETWEEN 2 AND 3 ORDER BY a, b",
      "SELECT * FROM t WHERE a IN (1, 7, 9)",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a IN (1, 7, 9)",
      "SELECT * FROM t WHERE a = '3' AND b = 'k3'",
      "SELECT * FROM t WHERE b = 'k2'",
      "EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 'k2'",
      "EXPLAIN QUERY PLAN SELECT * FROM t",
      "SELECT * FROM t ORDER BY a, b LIMIT 5",
      "EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY a, b",
      "SELECT * FROM d",
      "SELECT * FROM d WHERE x > 10 AND x < 20",
      "SELECT * FROM d WHERE x <= 12",
      "SELECT * FROM d ORDER BY x DESC LIMIT 3",
      "SELECT t.a, t.b, d.y FROM t JOIN d ON d.x = t.c WHERE t.a = 1",
      "SELECT x, (SELECT count(*) FROM t WHERE t.a = d.x % 8) FROM d WHERE x < 8",
      "SELECT a, count(*), max(c) FROM t GROUP BY a",
    ],
  },
  {
    name: "secondary indexes: unique, partial, expression, covering",
    setup: `CREATE TABLE t(id TEXT PRIMARY KEY, email TEXT COLLATE NOCASE UNIQUE, score INT, tag) WITHOUT ROWID;
            CREATE INDEX t_score ON t(score) WHERE score IS NOT NULL;
            CREATE UNIQUE INDEX t_lower ON t(lower(tag));
            CREATE INDEX t_tag_id ON t(tag, id);
            INSERT INTO t VALUES ('u1', 'A@x', 5, 'Red'), ('u2', 'b@x', NULL, 'blue'), ('u3', 'c@x', 7, 'green');`,
    statements: [
      "INSERT INTO t VALUES ('u4', 'a@X', 1, 'pink')",
      "INSERT INTO t VALUES ('u4', 'd@x', 1, 'RED')",
      "INSERT INTO t VALUES ('u4', 'd@x', 1, NULL), ('u5', 'e@x', NULL, NULL)",
      "SELECT * FROM t WHERE email = 'B@X'",
      "SELECT * FROM t WHERE score > 2",
      "SELECT id FROM t WHERE lower(tag) = 'green'",
      "SELECT id, tag FROM t WHERE tag = 'blue'",
      "UPDATE t SET tag = 'Green' WHERE id = 'u1'",
      "UPDATE t SET email = 'C@X' WHERE id = 'u1'",
      "UPDATE t SET id = 'u9' WHERE email = 'c@x'",
      "SELECT * FROM t",
      "INSERT OR REPLACE INTO t VALUES ('u7', 'A@X', 3, 'BLUE')",
      "SELECT * FROM t",
      "PRAGMA index_list(t)",
      "PRAGMA index_info(t_tag_id)",
      "PRAGMA index_xinfo(t_tag_id)",
      "PRAGMA index_xinfo(t_score)",
      "PRAGMA index_xinfo(sqlite_autoindex_t_1)",
      "PRAGMA index_xinfo(sqlite_autoindex_t_2)",
      "PRAGMA integrity_check",
      "CREATE UNIQUE INDEX bad ON t(score)",
      "CREATE INDEX later ON t(score, tag)",
      "SELECT id FROM t WHERE score = 3",
      "PRAGMA integrity_check",
    ],
  },
  {
    name: "index entries carry PRIMARY KEY columns under their own collation",
    setup: `CREATE TABLE t(a TEXT COLLATE NOCASE, b INT, c, d UNIQUE, PRIMARY KEY(b DESC, a)) WITHOUT ROWID;
            CREATE INDEX tca ON t(c, a); CREATE INDEX tcan ON t(c, a COLLATE BINARY);
            INSERT INTO t VALUES ('x', 1, 2, 3), ('Y', 1, 2, 4), ('z', 2, 2, 5);`,
    statements: [
      "PRAGMA index_list(t)",
      "PRAGMA index_info(sqlite_autoindex_t_2)",
      "PRAGMA index_xinfo(sqlite_autoindex_t_2)",
      "PRAGMA index_xinfo(tca)",
      "PRAGMA index_xinfo(tcan)",
      "PRAGMA table_info(t)",
      "SELECT * FROM t WHERE c = 2",
      "SELECT * FROM t WHERE c = 2 AND a = 'y'",
      "SELECT * FROM t",
      "DELETE FROM t WHERE a = 'X'",
      "SELECT * FROM t",
      "PRAGMA integrity_check",
    ],
  },
  {
    name: "triggers",
    setup: `CREATE TABLE t(k PRIMARY KEY, v) WITHOUT ROWID; CREATE TABLE log(what, k, v);
            CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ins', new.k, new.v); END;
            CREATE TRIGGER tu BEFORE UPDATE OF k ON t WHEN new.k > 100 BEGIN SELECT RAISE(ABORT, 'too big'); END;
            CREATE TRIGGER tu2 AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('upd', old.k || '>' || new.k, new.v); END;
            CREATE TRIGGER td BEFORE DELETE ON t WHEN old.v = 'keep' BEGIN SELECT RAISE(IGNORE); END;
            CREATE TRIGGER td2 AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('del', old.k, old.v); END;`,
    statements: [
      "INSERT INTO t VALUES (1, 'a'), (2, 'keep'), (3, 'c')",
      "UPDATE t SET k = k + 10 WHERE k < 3",
      "UPDATE t SET k = 200 WHERE k = 3",
      "DELETE FROM t",
      "SELECT * FROM t",
      "SELECT * FROM log",
      "CREATE TRIGGER bad AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('r', new.rowid, 0); END",
      "INSERT INTO t VALUES (50, 'x')",
      "INSERT OR REPLACE INTO t VALUES (50, 'y')",
      "SELECT * FROM log",
    ],
  },
  {
    name: "foreign keys to and from WITHOUT ROWID tables",
    setup: `PRAGMA foreign_keys = ON;
            CREATE TABLE parent(a, b, name, PRIMARY KEY(a, b)) WITHOUT ROWID;
            CREATE TABLE child(id INTEGER PRIMARY KEY, pa, pb, FOREIGN KEY(pa, pb) REFERENCES parent ON DELETE CASCADE ON UPDATE CASCADE);
            CREATE TABLE wchild(k PRIMARY KEY, pa, pb, FOREIGN KEY(pa, pb) REFERENCES parent(a, b) ON DELETE SET NULL) WITHOUT ROWID;
            CREATE TABLE tag(name TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE tagged(k TEXT PRIMARY KEY, tag REFERENCES tag(name) ON UPDATE CASCADE ON DELETE RESTRICT) WITHOUT ROWID;
            INSERT INTO parent VALUES (1, 1, 'p11'), (1, 2, 'p12'), (2, 1, 'p21');
            INSERT INTO child(pa, pb) VALUES (1, 1), (1, 2), (1, 2);
            INSERT INTO wchild VALUES ('w1', 1, 1), ('w2', 2, 1);
            INSERT INTO tag VALUES ('red'), ('blue'); INSERT INTO tagged VALUES ('x', 'red'), ('y', 'red');`,
    statements: [
      "INSERT INTO child(pa, pb) VALUES (3, 3)",
      "INSERT INTO wchild VALUES ('w3', 9, 9)",
      "INSERT INTO tagged VALUES ('z', 'green')",
      "UPDATE parent SET b = 5 WHERE a = 1 AND b = 2",
      "SELECT * FROM child",
      "DELETE FROM parent WHERE a = 1 AND b = 1",
      "SELECT * FROM child",
      "SELECT * FROM wchild",
      "UPDATE tag SET name = 'crimson' WHERE name = 'red'",
      "SELECT * FROM tagged",
      "DELETE FROM tag WHERE name = 'crimson'",
      "UPDATE tagged SET tag = 'blue' WHERE k = 'x'",
      "UPDATE tagged SET tag = 'nope' WHERE k = 'x'",
      "SELECT * FROM tagged",
    ],
  },
  {
    name: "ALTER TABLE",
    setup: `CREATE TABLE t(a TEXT, b INT, c, PRIMARY KEY(b, a)) WITHOUT ROWID; CREATE INDEX tc ON t(c);
            INSERT INTO t VALUES ('x', 1, 10), ('y', 2, 20), ('z', 1, 30);`,
    statements: [
      "ALTER TABLE t ADD COLUMN d INT DEFAULT 7",
      "SELECT * FROM t",
      "INSERT INTO t VALUES ('w', 3, 40, 8)",
      "SELECT * FROM t WHERE d = 7",
      "ALTER TABLE t ADD COLUMN e CHECK (e IS NULL OR e > 0)",
      "ALTER TABLE t ADD COLUMN f TEXT NOT NULL DEFAULT 'n' CHECK (length(f) = 1)",
      "ALTER TABLE t RENAME COLUMN a TO name",
      "SELECT name, b FROM t WHERE b = 1 AND name = 'z'",
      "ALTER TABLE t RENAME TO t2",
      "SELECT * FROM t2",
      "PRAGMA index_list(t2)",
      "ALTER TABLE t2 DROP COLUMN b",
      "ALTER TABLE t2 DROP COLUMN c",
      "DROP INDEX tc",
      "ALTER TABLE t2 DROP COLUMN c",
      "SELECT * FROM t2",
      "SELECT sql FROM sqlite_schema WHERE name = 't2'",
      "UPDATE t2 SET d = d + 1 WHERE name = 'y'",
      "SELECT * FROM t2 WHERE b = 2",
      "PRAGMA integrity_check",
    ],
  },
  {
    name: "DROP",
    setup: `CREATE TABLE t(a PRIMARY KEY, b UNIQUE) WITHOUT ROWID; CREATE INDEX tb ON t(b, a);
            INSERT INTO t VALUES (1, 2), (3, 4); CREATE TABLE keep(x); INSERT INTO keep VALUES (1);`,
    statements: [
      "DROP INDEX sqlite_autoindex_t_1",
      "DROP INDEX tb",
      "DROP TABLE t",
      "SELECT * FROM t",
      "SELECT name FROM sqlite_schema",
      "PRAGMA integrity_check",
      "PRAGMA freelist_count",
      "CREATE TABLE t(a PRIMARY KEY, b) WITHOUT ROWID",
      "INSERT INTO t VALUES (5, 6)",
      "SELECT * FROM t, keep",
    ],
  },
];

describe("WITHOUT ROWID tables match SQLite", () => itRunsLikeSqlite(cases));

describe("WITHOUT ROWID constraint errors carry SQLite's codes", () => {
  const db = new Database();
  db.exec(`CREATE TABLE t(a, b, u UNIQUE, n NOT NULL, c CHECK (c > 0), PRIMARY KEY(a, b)) WITHOUT ROWID;
           INSERT INTO t VALUES (1, 1, 'x', 1, 1);`);
  const cases: [string, string, string][] = [
    ["INSERT INTO t VALUES (1, 1, 'y', 1, 1)", "SQLITE_CONSTRAINT_PRIMARYKEY", "UNIQUE constraint failed: t.a, t.b"],
    ["INSERT INTO t VALUES (1, 2, 'x', 1, 1)", "SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: t.u"],
    ["INSERT INTO t VALUES (NULL, 2, 'y', 1, 1)", "SQLITE_CONSTRAINT_NOTNULL", "NOT NULL constraint failed: t.a"],
    ["INSERT INTO t VALUES (1, 2, 'y', NULL, 1)", "SQLITE_CONSTRAINT_NOTNULL", "NOT NULL constraint failed: t.n"],
    ["INSERT INTO t VALUES (1, 2, 'y', 1, 0)", "SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed: c > 0"],
    ["CREATE TABLE x(a, b) WITHOUT ROWID", "SQLITE_ERROR", "PRIMARY KEY missing on table x"],
    ["CREATE TABLE x(a INTEGER PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID", "SQLITE_ERROR", "AUTOINCREMENT not allowed on WITHOUT ROWID tables"],
    ["SELECT rowid FROM t", "SQLITE_ERROR", "no such column: rowid"],
  ];
  for (const [sql, code, message] of cases) {
    it(message, () => {
      let error: unknown = null;
      try {
        db.prepare(sql).run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SqliteError);
      expect((error as SqliteError).code).toBe(code);
      expect((error as SqliteError).message).toBe(message);
    });
  }
});

describe("WITHOUT ROWID tables and BEGIN CONCURRENT (rows named by PRIMARY KEY)", () => {
  /** A database in MVCC mode with a WITHOUT ROWID table (NOCASE key, unique secondary index) and two connections. */
  function setup(): { db: Database; a: Database; b: Database } {
    const db = new Database();
    db.exec(`PRAGMA journal_mode = 'mvcc';
      CREATE TABLE w(k TEXT COLLATE NOCASE PRIMARY KEY, v INTEGER, u TEXT UNIQUE) WITHOUT ROWID;
      INSERT INTO w VALUES ('a', 1, 'ua'), ('b', 2, 'ub'), ('c', 3, 'uc')`);
    return { db, a: db.connect(), b: db.connect() };
  }
  const rows = (db: Database) => db.prepare("SELECT k, v, u FROM w ORDER BY k").raw().all();
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return (e as SqliteError).code;
    }
    return undefined;
  };

  it("disjoint rows: both commit, the second by replay", () => {
    const { db, a, b } = setup();
    a.exec("BEGIN CONCURRENT; UPDATE w SET v = 10 WHERE k = 'a'; INSERT INTO w VALUES ('d', 4, 'ud')");
    b.exec("BEGIN CONCURRENT; UPDATE w SET v = 20 WHERE k = 'b'; DELETE FROM w WHERE k = 'c'");
    a.exec("COMMIT");
    b.exec("COMMIT");
    expect(rows(db)).toEqual([
      ["a", 10, "ua"],
      ["b", 20, "ub"],
      ["d", 4, "ud"],
    ]);
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });

  it("one row, by key under its collation: exactly one commits, the other conflicts and leaves no trace", () => {
    const { db, a, b } = setup();
    a.exec("BEGIN CONCURRENT; UPDATE w SET v = v + 1 WHERE k = 'a'");
    b.exec("BEGIN CONCURRENT; UPDATE w SET v = v + 100, u = 'changed' WHERE k = 'A'");
    a.exec("COMMIT");
    expect(codeOf(() => b.exec("COMMIT"))).toBe("SQLITE_BUSY_SNAPSHOT");
    expect(b.inTransaction).toBe(false);
    expect(rows(db)).toEqual([
      ["a", 2, "ua"],
      ["b", 2, "ub"],
      ["c", 3, "uc"],
    ]);
  });

  it("the same new key inserted twice (even as 'e' and 'E'): a conflict, not two rows", () => {
    const { db, a, b } = setup();
    a.exec("BEGIN CONCURRENT; INSERT INTO w VALUES ('e', 5, 'ue1')");
    b.exec("BEGIN CONCURRENT; INSERT INTO w VALUES ('E', 6, 'ue2')");
    a.exec("COMMIT");
    expect(codeOf(() => b.exec("COMMIT"))).toBe("SQLITE_BUSY_SNAPSHOT");
    expect(db.prepare("SELECT k, v FROM w WHERE k = 'e'").raw().all()).toEqual([["e", 5]]);
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });

  it("a UNIQUE value two transactions gave different rows: the second fails with the constraint's error", () => {
    const { db, a, b } = setup();
    a.exec("BEGIN CONCURRENT; INSERT INTO w VALUES ('x', 7, 'same')");
    b.exec("BEGIN CONCURRENT; UPDATE w SET u = 'same' WHERE k = 'b'");
    a.exec("COMMIT");
    expect(() => b.exec("COMMIT")).toThrow("UNIQUE constraint failed: w.u");
    expect(rows(db)).toEqual([
      ["a", 1, "ua"],
      ["b", 2, "ub"],
      ["c", 3, "uc"],
      ["x", 7, "same"],
    ]);
    expect(db.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
  });

  it("a plain autocommit write of a row a concurrent transaction also wrote makes that transaction conflict", () => {
    const { db, a } = setup();
    a.exec("BEGIN CONCURRENT; UPDATE w SET v = 50 WHERE k = 'c'");
    db.exec("UPDATE w SET v = 60 WHERE k = 'c'");
    expect(codeOf(() => a.exec("COMMIT"))).toBe("SQLITE_BUSY_SNAPSHOT");
    expect(db.prepare("SELECT v FROM w WHERE k = 'c'").pluck().get()).toBe(60);
  });
});

describe("WITHOUT ROWID tables and change data capture", () => {
  it("captures their writes like a rowid table's, naming rows by PRIMARY KEY (test/engine/cdc/without-rowid.test.ts has the details)", () => {
    const db = new Database();
    db.exec("CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID; CREATE TABLE r(x); PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO w VALUES ('a', 1)");
    db.exec("INSERT INTO r VALUES (1)");
    expect(db.prepare("SELECT change_type, table_name, id FROM turso_cdc WHERE change_type <> 2").raw().all()).toEqual([
      [1, "w", "a"],
      [1, "r", 1],
    ]);
  });
});
