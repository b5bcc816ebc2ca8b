// The Node store's rollback journal is SQLite's: real SQLite (node:sqlite)
// rolls back a commit Tessera left half-done at any crash point, and Tessera
// rolls back a hot journal SQLite left mid-transaction (after spilling dirty
// pages into the database file, in several journal segments).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { CrashingFileSystem, SimulatedCrash } from "./crashing-file-system.js";
import { samePage } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();
const PAGE_SIZE = 1024;

type Row = { id: number; body: string };

function rowsOf(path: string): { integrity: string; rows: Row[] } {
  const db = new DatabaseSync(path);
  try {
    const integrity = String(db.prepare("PRAGMA integrity_check").get()?.integrity_check);
    const rows = db.prepare("SELECT id, body FROM t ORDER BY id").all() as Row[];
    return { integrity, rows: rows.map((r) => ({ id: Number(r.id), body: String(r.body) })) };
  } finally {
    db.close();
  }
}

/** Two real SQLite images of one database: A, and B after changes that grow or shrink it. */
function sqliteImages(dir: string, shrink: boolean): { a: Uint8Array; b: Uint8Array } {
  const path = join(dir, "source.sqlite");
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA page_size = ${PAGE_SIZE}; PRAGMA journal_mode = DELETE; CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)`);
  const insert = db.prepare("INSERT INTO t (id, body) VALUES (?, ?)");
  db.exec("BEGIN");
  for (let id = 1; id <= 300; id++) insert.run(id, `row ${id} `.repeat(8));
  db.exec("COMMIT");
  const a = new Uint8Array(readFileSync(path));
  if (shrink) {
    db.exec("DELETE FROM t WHERE id % 3 <> 0; VACUUM");
  } else {
    db.exec("BEGIN; UPDATE t SET body = upper(body) WHERE id % 7 = 0;");
    for (let id = 301; id <= 500; id++) insert.run(id, `new row ${id} `.repeat(9));
    db.exec("COMMIT");
  }
  db.close();
  return { a, b: new Uint8Array(readFileSync(path)) };
}

/** The commit turning image `a` into image `b`: the pages that differ. */
function diffCommit(a: Uint8Array, b: Uint8Array): Map<number, Uint8Array> {
  const pages = new Map<number, Uint8Array>();
  for (let pageNo = 1; pageNo <= b.length / PAGE_SIZE; pageNo++) {
    const page = b.subarray((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
    if (!samePage(page, a.subarray((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE))) pages.set(pageNo, page);
  }
  return pages;
}

describe("rollback journal compatibility with SQLite", () => {
  for (const shrink of [false, true]) {
    it(`SQLite rolls back a Tessera commit that ${shrink ? "shrinks" : "grows"} the file, at every crash point`, () => {
      const dir = tempDir();
      const { a, b } = sqliteImages(dir, shrink);
      expect(b.length < a.length).toBe(shrink);
      const before = rowsOf(join(dir, "source.sqlite"));
      writeFileSync(join(dir, "a.sqlite"), a);
      const rowsA = rowsOf(join(dir, "a.sqlite"));
      const commit = diffCommit(a, b);
      const path = join(dir, "db.sqlite");
      const outcomes = new Set<string>();
      for (let crashAt = 2; ; crashAt++) {
        writeFileSync(path, a);
        const fileSystem = new CrashingFileSystem({ crashAt, tornWriteFraction: 0.5 });
        let crashed = false;
        try {
          const store = NodeFileStore.open(path, { fileSystem });
          store.commit(commit, b.length / PAGE_SIZE, PAGE_SIZE);
          store.close();
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
          fileSystem.releaseFds();
          crashed = true;
        }
        const seen = rowsOf(path);
        expect(seen.integrity).toBe("ok");
        expect(existsSync(`${path}-journal`)).toBe(false);
        const bytes = new Uint8Array(readFileSync(path));
        if (samePage(bytes, a)) {
          expect(seen.rows).toEqual(rowsA.rows);
          outcomes.add("old");
        } else {
          expect(samePage(bytes, b)).toBe(true);
          expect(seen.rows).toEqual(before.rows);
          outcomes.add("new");
        }
        if (!crashed) break;
      }
      expect([...outcomes].sort()).toEqual(["new", "old"]);
    });
  }

  it("Tessera rolls back a hot journal SQLite left mid-transaction", () => {
    const dir = tempDir();
    const path = join(dir, "live.sqlite");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA page_size = ${PAGE_SIZE}; PRAGMA journal_mode = DELETE; CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)`);
    const insert = db.prepare("INSERT INTO t (id, body) VALUES (?, ?)");
    db.exec("BEGIN");
    for (let id = 1; id <= 400; id++) insert.run(id, `row ${id} `.repeat(8));
    db.exec("COMMIT");
    const committed = new Uint8Array(readFileSync(path));

    // A tiny cache makes SQLite spill changed pages into the database file
    // before COMMIT, syncing the journal (and starting new journal segments).
    db.exec("PRAGMA cache_size = 2; BEGIN; UPDATE t SET body = upper(body); DELETE FROM t WHERE id > 350;");
    for (let id = 401; id <= 600; id++) insert.run(id, `late row ${id} `.repeat(9));
    const crashed = join(dir, "crashed.sqlite");
    copyFileSync(path, crashed);
    copyFileSync(`${path}-journal`, `${crashed}-journal`);
    db.exec("ROLLBACK");
    db.close();
    expect(samePage(new Uint8Array(readFileSync(crashed)), committed)).toBe(false);

    const store = NodeFileStore.open(crashed);
    expect(store.pageCount()).toBe(committed.length / PAGE_SIZE);
    store.close();
    expect(existsSync(`${crashed}-journal`)).toBe(false);
    expect(samePage(new Uint8Array(readFileSync(crashed)), committed)).toBe(true);
  });
});
