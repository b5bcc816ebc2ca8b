// A SELECT without FROM has one row, which its WHERE clause keeps or drops
// (it used to fail planning: no join level to hold the WHERE terms).
// Compared with real SQLite (sql.js).
import { describe } from "vitest";
import { itMatchesSqlite } from "./oracle.js";

describe("SELECT without FROM, with WHERE", () =>
  itMatchesSqlite("CREATE TABLE t(a); INSERT INTO t VALUES (1);", [
    "SELECT 1 WHERE 0",
    "SELECT 1 WHERE 1",
    "SELECT 1 WHERE NULL",
    "SELECT 1, 2 WHERE 1 AND 2 > 1",
    "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM t)",
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM t)",
    "SELECT count(*) WHERE 0",
    "SELECT (SELECT 5 WHERE a = 1) FROM t",
  ]));
