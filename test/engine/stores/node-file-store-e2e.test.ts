// End to end in Node: a database written through the pager and B-tree into a
// NodeFileStore is a real SQLite file (sql.js opens it, integrity_check = ok,
// same rows), reads back after reopening, and a crash anywhere inside a big
// B-tree commit leaves, after recovery, a file SQLite accepts holding exactly
// the rows before or after that commit.
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import initSqlJs, { type SqlJsStatic } from "sql.js";
import { beforeAll, describe, expect, it } from "vitest";
import { BtreeDatabase } from "../../../src/engine/btree/index.js";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { createSchema, deleteRows, readRows, rowFor, upsertRows, type Row } from "./btree-workload.js";
import { CrashingFileSystem, SimulatedCrash } from "./crashing-file-system.js";
import { range } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();
let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await initSqlJs();
});

/** What real SQLite sees in the file: integrity_check and every row of t. */
function sqliteView(path: string): { integrity: string; rows: Row[] } {
  const db = new SQL.Database(readFileSync(path));
  try {
    const integrity = String(db.exec("PRAGMA integrity_check")[0].values[0][0]);
    const result = db.exec("SELECT id, n, body FROM t ORDER BY id");
    const rows = (result[0]?.values ?? []).map(([id, n, body]) => ({ id: Number(id), n: Number(n), body: String(body) }));
    return { integrity, rows };
  } finally {
    db.close();
  }
}

/** Writes the base database: 1500 rows in three commits, updates, a deleted range. */
function writeBase(path: string): Row[] {
  const store = NodeFileStore.open(path);
  const db = BtreeDatabase.open(store, { pageSize: 4096 });
  createSchema(db);
  const model = new Map<number, Row>();
  for (const ids of [range(1, 500), range(501, 1000), range(1001, 1500)]) {
    const rows = ids.map((id) => rowFor(id, 1));
    upsertRows(db, rows);
    for (const row of rows) model.set(row.id, row);
  }
  const updated = range(1, 1500).filter((id) => id % 5 === 0).map((id) => rowFor(id, 2));
  upsertRows(db, updated);
  for (const row of updated) model.set(row.id, row);
  const deleted = range(200, 700);
  deleteRows(db, deleted);
  for (const id of deleted) model.delete(id);
  db.close();
  return [...model.values()].sort((a, b) => a.id - b.id);
}

describe("NodeFileStore with the pager and B-tree", () => {
  it("writes a file real SQLite opens with integrity_check ok and the same rows", () => {
    const path = join(tempDir(), "e2e.sqlite");
    const expected = writeBase(path);
    const seen = sqliteView(path);
    expect(seen.integrity).toBe("ok");
    expect(seen.rows).toEqual(expected);

    const db = BtreeDatabase.open(NodeFileStore.open(path));
    expect(readRows(db)).toEqual(expected);
    expect(db.getHeader("freelistCount")).toBeGreaterThan(0);
    db.close();
  });

  it("recovers from a crash anywhere in a B-tree commit to the rows before or after it", () => {
    const dir = tempDir();
    const base = join(dir, "base.sqlite");
    const before = writeBase(base);
    const change = [...range(150, 260), ...range(1400, 1700)].map((id) => rowFor(id, 3));
    const afterModel = new Map(before.map((row) => [row.id, row]));
    for (const row of change) afterModel.set(row.id, row);
    const after = [...afterModel.values()].sort((a, b) => a.id - b.id);

    const commitWith = (path: string, fileSystem: CrashingFileSystem): boolean => {
      try {
        const db = BtreeDatabase.open(NodeFileStore.open(path, { fileSystem }));
        upsertRows(db, change);
        db.close();
        return false;
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        fileSystem.releaseFds();
        return true;
      }
    };
    const path = join(dir, "db.sqlite");
    copyFileSync(base, path);
    const counter = new CrashingFileSystem({ crashAt: Infinity });
    expect(commitWith(path, counter)).toBe(false);
    const calls = counter.mutatingCalls;
    expect(calls).toBeGreaterThan(50);

    const outcomes = new Set<string>();
    // Every 4th call plus the last 8 (the commit point and around it) keeps the run short.
    const crashPoints = range(1, calls).filter((n) => n % 4 === 1 || n > calls - 8);
    for (const crashAt of crashPoints) {
      copyFileSync(base, path);
      expect(commitWith(path, new CrashingFileSystem({ crashAt, tornWriteFraction: 0.5 }))).toBe(true);
      NodeFileStore.open(path).close(); // recovery
      const seen = sqliteView(path);
      expect(seen.integrity).toBe("ok");
      if (seen.rows.length === before.length && seen.rows[seen.rows.length - 1].id === before[before.length - 1].id) {
        expect(seen.rows).toEqual(before);
        outcomes.add("before");
      } else {
        expect(seen.rows).toEqual(after);
        outcomes.add("after");
      }
    }
    expect([...outcomes].sort()).toEqual(["after", "before"]);
  });
});
