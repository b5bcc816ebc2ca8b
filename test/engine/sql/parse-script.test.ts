// parseScript / iterateScript (statement splitting for exec and Hrana
// `sequence`) and isComplete (sqlite3_complete's state machine).

import { describe, expect, test } from "vitest";
import { isComplete, iterateScript, parseScript } from "../../../src/engine/sql/parse.js";

describe("parseScript", () => {
  test("splits statements, skipping empty ones and comments", () => {
    const sql = "-- setup\nCREATE TABLE t (a);;\n /* c */ INSERT INTO t VALUES (?, :x);\n\nSELECT ? FROM t ; ;";
    const parts = parseScript(sql);
    expect(parts.map((s) => s.text)).toEqual(["CREATE TABLE t (a)", "INSERT INTO t VALUES (?, :x)", "SELECT ? FROM t"]);
    expect(parts.map((s) => s.statement.kind)).toEqual(["CreateTable", "Insert", "Select"]);
    for (const s of parts) expect(sql.slice(s.start, s.end)).toBe(s.text);
    expect(parts[1].parameters).toEqual({ count: 2, names: [null, ":x"] });
    expect(parts[2].parameters).toEqual({ count: 1, names: [null] });
  });
  test("keeps trigger bodies whole", () => {
    const parts = parseScript("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; DELETE FROM u; END; SELECT 1");
    expect(parts.map((s) => s.statement.kind)).toEqual(["CreateTrigger", "Select"]);
  });
  test("only comments or semicolons give no statements", () => {
    expect(parseScript("")).toEqual([]);
    expect(parseScript(" ;; -- x\n /* y */")).toEqual([]);
  });
  test("statements must be separated by semicolons", () => {
    expect(() => parseScript("SELECT 1 SELECT 2")).toThrow('near "SELECT": syntax error');
  });
  test("iterateScript yields statements before a later syntax error", () => {
    const it = iterateScript("SELECT 1; SELECT 2; SELEC 3");
    expect(it.next().value?.text).toBe("SELECT 1");
    expect(it.next().value?.text).toBe("SELECT 2");
    expect(() => it.next()).toThrow('near "SELEC": syntax error');
  });
});

describe("isComplete follows sqlite3_complete", () => {
  const cases: [string, boolean][] = [
    ["", false],
    ["   ", false],
    [";", true],
    ["SELECT 1", false],
    ["SELECT 1;", true],
    ["SELECT 1;  -- trailing comment", true],
    ["SELECT 1; /* open comment", false],
    ["SELECT 1; /* closed */", true],
    ["SELECT ';'", false],
    ["SELECT 'abc;", false],
    ['SELECT "a;', false],
    ["SELECT [a;", false],
    ["SELECT 1 -- ;", false],
    ["/* ; */", false],
    ["CREATE TABLE t (a);", true],
    ["CREATE TABLE trigger (a);", true],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;", false],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", false],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true],
    ["create temp trigger tr after insert on t begin select 1; end ;", true],
    ["CREATE TEMPORARY TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;", true],
    ["EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;", false],
    ["EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true],
    ["CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 'END;'; END;", true],
    ["SELECT 1; SELECT 2", false],
  ];
  test.each(cases)("%j -> %s", (sql, complete) => {
    expect(isComplete(sql)).toBe(complete);
  });
});
