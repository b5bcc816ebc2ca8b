// ALTER TABLE checks the triggers as SQLite does: before renaming or
// dropping anything every trigger must resolve ("error in trigger tr: ..."),
// and again over the rewritten schema; a failed check changes nothing.
// Compared with real SQLite (sql.js).
import { describe } from "vitest";
import { itRunsLikeSqlite } from "./oracle.js";

const SETUP = "CREATE TABLE t(a, b); CREATE TABLE u(x); CREATE TABLE log(m);";

describe("ALTER TABLE validates triggers like SQLite", () =>
  itRunsLikeSqlite([
    {
      name: "a broken trigger stops every rename and drop, even on another table",
      setup: `${SETUP} CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log SELECT nosuch FROM t; END;`,
      statements: [
        "ALTER TABLE t RENAME TO t2",
        "ALTER TABLE t RENAME COLUMN a TO c",
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE u RENAME TO u2",
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
        "DROP TRIGGER tr",
        "ALTER TABLE u RENAME TO u2",
        "SELECT name FROM sqlite_schema ORDER BY name",
      ],
    },
    {
      name: "what the check covers: targets, WHEN, NEW and OLD, expressions",
      setup: SETUP,
      statements: [
        "CREATE TRIGGER t1 AFTER INSERT ON t BEGIN INSERT INTO missing VALUES (1); END",
        "ALTER TABLE u RENAME TO u2",
        "DROP TRIGGER t1",
        "CREATE TRIGGER t2 AFTER INSERT ON t WHEN new.zz > 0 BEGIN SELECT 1; END",
        "ALTER TABLE u RENAME TO u2",
        "DROP TRIGGER t2",
        "CREATE TRIGGER t3 AFTER DELETE ON t BEGIN DELETE FROM u WHERE x = old.zz; END",
        "ALTER TABLE u RENAME COLUMN x TO y",
        "DROP TRIGGER t3",
        "CREATE TRIGGER t4 AFTER UPDATE ON t BEGIN UPDATE u SET x = nosuch; END",
        "ALTER TABLE log RENAME TO journal",
        "SELECT name FROM sqlite_schema ORDER BY name",
      ],
    },
    {
      name: "what it leaves to run time: SET targets and INSERT column lists",
      setup: `${SETUP} CREATE TRIGGER tw AFTER INSERT ON u BEGIN UPDATE t SET b = new.x WHERE a = 1; INSERT INTO log(m) VALUES (new.x); END;`,
      statements: [
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE log RENAME COLUMN m TO msg",
        "ALTER TABLE u RENAME TO u2",
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'",
      ],
    },
    {
      name: "a rename that breaks a trigger is refused after the rewrite",
      setup: `${SETUP} CREATE TRIGGER ta AFTER INSERT ON log BEGIN SELECT a, x FROM t, u; END;`,
      statements: ["ALTER TABLE t RENAME COLUMN a TO x", "SELECT sql FROM sqlite_schema WHERE name IN ('t', 'ta') ORDER BY name", "ALTER TABLE t RENAME COLUMN a TO c", "SELECT sql FROM sqlite_schema WHERE name = 'ta'"],
    },
  ]));
