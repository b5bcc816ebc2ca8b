// Schema changes captured as Turso records them: row changes of
// sqlite_schema, in order with the data changes around them.
import { describe, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { changeSummary, readChanges } from "./helpers.js";

function schemaRow(db: Database, name: string): { rowid: number; values: unknown[] } {
  const row = db.prepare("SELECT rowid, type, name, tbl_name, rootpage, sql FROM sqlite_schema WHERE name = ?").raw().get(name) as unknown[];
  return { rowid: row[0] as number, values: row.slice(1) };
}

describe("schema changes", () => {
  it("CREATE TABLE / INDEX and DROP TABLE / INDEX are inserts and deletes of sqlite_schema rows (Turso's test_cdc_schema_changes)", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("CREATE TABLE t(x, y, z UNIQUE, q, PRIMARY KEY (x, y))");
    const t = schemaRow(db, "t");
    db.exec("CREATE TABLE q(a, b, c)");
    const q = schemaRow(db, "q");
    db.exec("CREATE INDEX t_q ON t(q)");
    const tq = schemaRow(db, "t_q");
    db.exec("CREATE INDEX q_abc ON q(a, b, c)");
    const qabc = schemaRow(db, "q_abc");
    db.exec("DROP TABLE t");
    db.exec("DROP INDEX q_abc");
    expect(t.values).toEqual(["table", "t", "t", t.values[3], "CREATE TABLE t(x, y, z UNIQUE, q, PRIMARY KEY (x, y))"]);
    expect(changeSummary(db)).toEqual([
      [1, "sqlite_schema", t.rowid, null, t.values, null],
      ["commit"],
      [1, "sqlite_schema", q.rowid, null, q.values, null],
      ["commit"],
      [1, "sqlite_schema", tq.rowid, null, tq.values, null],
      ["commit"],
      [1, "sqlite_schema", qabc.rowid, null, qabc.values, null],
      ["commit"],
      // Dropping t drops its index t_q too; the automatic indexes of its constraints are not recorded.
      [-1, "sqlite_schema", t.rowid, t.values, null, null],
      [-1, "sqlite_schema", tq.rowid, tq.values, null, null],
      ["commit"],
      [-1, "sqlite_schema", qabc.rowid, qabc.values, null, null],
      ["commit"],
    ]);
  });

  it("ALTER TABLE is an update of the table's row whose updates record carries the statement (Turso's test_cdc_schema_changes_alter_table)", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("CREATE TABLE t(x, y, z UNIQUE, q, PRIMARY KEY (x, y))");
    const created = schemaRow(db, "t");
    db.exec("ALTER TABLE t DROP COLUMN q");
    const dropped = schemaRow(db, "t");
    db.exec("ALTER TABLE t ADD COLUMN t");
    const added = schemaRow(db, "t");
    expect(changeSummary(db).slice(2)).toEqual([
      [0, "sqlite_schema", created.rowid, created.values, dropped.values, [0, 0, 0, 0, 1, null, null, null, null, "ALTER TABLE t DROP COLUMN q"]],
      ["commit"],
      [0, "sqlite_schema", created.rowid, dropped.values, added.values, [0, 0, 0, 0, 1, null, null, null, null, "ALTER TABLE t ADD COLUMN t"]],
      ["commit"],
    ]);
  });

  it("DDL and DML in one explicit transaction share it, in statement order (Turso's test_cdc_ddl_in_explicit_transaction)", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("BEGIN");
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y)");
    db.exec("INSERT INTO t VALUES (1, 10)");
    db.exec("INSERT INTO t VALUES (2, 20)");
    db.exec("CREATE TABLE q (a INTEGER PRIMARY KEY, b)");
    db.exec("COMMIT");
    expect(changeSummary(db)).toEqual([
      [1, "sqlite_schema", schemaRow(db, "t").rowid, null, null, null],
      [1, "t", 1, null, null, null],
      [1, "t", 2, null, null, null],
      [1, "sqlite_schema", schemaRow(db, "q").rowid, null, null, null],
      ["commit"],
    ]);
    expect(new Set(readChanges(db).map((c) => c.change_txn_id)).size).toBe(1);
  });

  it("CREATE TABLE ... AS SELECT records the table before its rows", () => {
    const db = new Database();
    db.exec("CREATE TABLE src (a, b); INSERT INTO src VALUES (1, 'one'), (2, 'two')");
    db.exec("PRAGMA capture_data_changes_conn('after')");
    db.exec("CREATE TABLE copy AS SELECT * FROM src");
    const copy = schemaRow(db, "copy");
    expect(changeSummary(db)).toEqual([
      [1, "sqlite_schema", copy.rowid, null, copy.values, null],
      [1, "copy", 1, null, [1, "one"], null],
      [1, "copy", 2, null, [2, "two"], null],
      ["commit"],
    ]);
  });

  it("views, triggers and renames are recorded; the CDC bookkeeping and sqlite_sequence are not", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('id')");
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    db.exec("CREATE VIEW av AS SELECT v FROM a");
    db.exec("CREATE TRIGGER at AFTER INSERT ON a BEGIN SELECT 1; END");
    db.exec("ALTER TABLE a RENAME TO b");
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE rowid = ?").pluck();
    const recorded = readChanges(db)
      .filter((c) => c.change_type !== 2)
      .map((c) => [c.change_type, c.table_name]);
    expect(recorded.every(([, table]) => table === "sqlite_schema")).toBe(true);
    const ids = readChanges(db)
      .filter((c) => c.change_type === 1)
      .map((c) => names.get(c.id));
    expect(ids).toEqual(["b", "av", "at"]);
    // The rename rewrote the table row and the trigger's (and view's) SQL: updates, no inserts or deletes.
    expect(recorded.slice(3).every(([type]) => type === 0)).toBe(true);
    expect(recorded.length).toBeGreaterThan(3);
  });

  it("a failed DDL statement leaves nothing", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("CREATE TABLE t (x)");
    db.exec("INSERT INTO t VALUES (1), (1)");
    db.exec("BEGIN");
    expect(() => db.exec("CREATE UNIQUE INDEX tx ON t(x)")).toThrow(/UNIQUE constraint failed/);
    db.exec("COMMIT");
    expect(changeSummary(db).filter((c) => c[1] === "sqlite_schema")).toHaveLength(1);
  });
});
