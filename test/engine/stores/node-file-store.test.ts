// NodeFileStore basics: empty files, round trips across reopen, growing and
// shrinking, header parsing, rejection of non-databases and bad commits,
// journal handling on open, and recovery from a transient I/O error.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteError } from "../../../src/engine/errors.js";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { CrashingFileSystem } from "./crashing-file-system.js";
import { applyCommit, commitOf, pageImage, range, readImage, sameImage, type DatabaseImage } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();

function expectSqliteError(fn: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SqliteError);
  expect((thrown as SqliteError).code).toBe(code);
  if (message) expect((thrown as SqliteError).message).toMatch(message);
}

describe("NodeFileStore", () => {
  it("creates an empty store for a missing file", () => {
    const path = join(tempDir(), "new.db");
    const store = NodeFileStore.open(path);
    expect(store.pageSize).toBeUndefined();
    expect(store.pageCount()).toBe(0);
    expect(existsSync(path)).toBe(true);
    store.close();
  });

  it("writes pages at (N-1)*pageSize and reads them back after reopening", () => {
    const path = join(tempDir(), "a.db");
    const store = NodeFileStore.open(path);
    const pages = commitOf(1024, 1, range(1, 3));
    store.commit(pages, 3, 1024);
    expect(store.pageSize).toBe(1024);
    expect(store.pageCount()).toBe(3);
    store.close();

    const bytes = readFileSync(path);
    expect(bytes.length).toBe(3 * 1024);
    for (const [pageNo, page] of pages) {
      expect(bytes.subarray((pageNo - 1) * 1024, pageNo * 1024).equals(Buffer.from(page))).toBe(true);
    }
    expect(existsSync(`${path}-journal`)).toBe(false);

    const reopened = NodeFileStore.open(path);
    expect(reopened.pageSize).toBe(1024);
    expect(sameImage(readImage(reopened), [...pages.values()])).toBe(true);
    reopened.close();
  });

  it("grows, overwrites and shrinks across commits", () => {
    const path = join(tempDir(), "b.db");
    const store = NodeFileStore.open(path);
    let image: DatabaseImage = [];
    const steps: Array<[number, number[], number]> = [
      [1, range(1, 4), 4],
      [2, [2, 6, 7], 7], // grow with a hole at page 5
      [3, [1, 3], 3], // shrink
      [4, [1, ...range(4, 10)], 10],
      [5, [1], 1],
    ];
    for (const [version, pageNos, pageCount] of steps) {
      const pages = commitOf(512, version, pageNos);
      store.commit(pages, pageCount, 512);
      image = applyCommit(image, pages, pageCount, 512);
      expect(sameImage(readImage(store), image)).toBe(true);
      expect(statSync(path).size).toBe(pageCount * 512);
    }
    store.close();
    const reopened = NodeFileStore.open(path);
    expect(sameImage(readImage(reopened), image)).toBe(true);
    reopened.close();
  });

  it("reads a 65536-byte page size (stored as 1 in the header)", () => {
    const path = join(tempDir(), "big.db");
    const store = NodeFileStore.open(path);
    store.commit(commitOf(65536, 1, [1, 2]), 2, 65536);
    store.close();
    const reopened = NodeFileStore.open(path);
    expect(reopened.pageSize).toBe(65536);
    expect(reopened.pageCount()).toBe(2);
    reopened.close();
  });

  it("rejects a file that is not a SQLite database", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "text.db"), "hello, this is certainly not a database file ".repeat(50));
    expectSqliteError(() => NodeFileStore.open(join(dir, "text.db")), "SQLITE_NOTADB", /^file is not a database$/);
    writeFileSync(join(dir, "short.db"), "SQLite format 3\0");
    expectSqliteError(() => NodeFileStore.open(join(dir, "short.db")), "SQLITE_NOTADB");
    const badPageSize = pageImage(1024, 1, 1);
    badPageSize[16] = 0x03; // 768: not a power of two
    badPageSize[17] = 0x00;
    writeFileSync(join(dir, "badsize.db"), badPageSize);
    expectSqliteError(() => NodeFileStore.open(join(dir, "badsize.db")), "SQLITE_NOTADB");
  });

  it("refuses a path it cannot open with SQLITE_CANTOPEN", () => {
    const dir = tempDir();
    expectSqliteError(() => NodeFileStore.open(dir), "SQLITE_CANTOPEN", /^unable to open database file/);
    expectSqliteError(() => NodeFileStore.open(join(dir, "missing", "x.db")), "SQLITE_CANTOPEN");
  });

  it("makes no filesystem change for a commit that changes nothing", () => {
    const path = join(tempDir(), "noop.db");
    const fileSystem = new CrashingFileSystem({ crashAt: Infinity });
    const store = NodeFileStore.open(path, { fileSystem });
    store.commit(commitOf(512, 1, [1, 2]), 2, 512);
    const calls = fileSystem.mutatingCalls;
    store.commit(new Map(), 2, 512);
    expect(fileSystem.mutatingCalls).toBe(calls);
    store.close();
  });

  it("rejects inconsistent commits without touching the file", () => {
    const path = join(tempDir(), "c.db");
    const store = NodeFileStore.open(path);
    store.commit(commitOf(1024, 1, [1, 2]), 2, 1024);
    expectSqliteError(() => store.commit(commitOf(2048, 2, [1]), 1, 2048), "SQLITE_MISUSE", /page size/);
    expectSqliteError(() => store.commit(commitOf(1024, 2, [3]), 2, 1024), "SQLITE_MISUSE", /outside/);
    expectSqliteError(() => store.commit(new Map([[1, new Uint8Array(10)]]), 2, 1024), "SQLITE_MISUSE");
    expectSqliteError(() => store.commit(new Map([[1, new Uint8Array(1024)]]), 2, 1024), "SQLITE_MISUSE", /page 1/);
    expectSqliteError(() => store.commit(new Map([[1, pageImage(2048, 2, 1).subarray(0, 1024)]]), 2, 1024), "SQLITE_MISUSE", /page 1/);
    expectSqliteError(() => store.readPage(3), "SQLITE_RANGE");
    expectSqliteError(() => store.readPage(0), "SQLITE_RANGE");
    expect(sameImage(readImage(store), [pageImage(1024, 1, 1), pageImage(1024, 1, 2)])).toBe(true);
    store.close();
    expectSqliteError(() => store.pageCount(), "SQLITE_MISUSE", /closed/);

    const fresh = NodeFileStore.open(join(tempDir(), "fresh.db"));
    expectSqliteError(() => fresh.commit(commitOf(1024, 1, [2]), 2, 1024), "SQLITE_MISUSE", /page 1/);
    expect(fresh.pageCount()).toBe(0);
    fresh.close();
  });

  it("discards a torn journal and keeps the database as it is", () => {
    const path = join(tempDir(), "d.db");
    const store = NodeFileStore.open(path);
    store.commit(commitOf(512, 1, range(1, 3)), 3, 512);
    store.close();
    // SQLite's journal magic, then nothing: the header was torn.
    writeFileSync(`${path}-journal`, Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0]));
    const reopened = NodeFileStore.open(path);
    expect(existsSync(`${path}-journal`)).toBe(false);
    expect(sameImage(readImage(reopened), [...commitOf(512, 1, range(1, 3)).values()])).toBe(true);
    reopened.close();
  });

  it("after a transient I/O error mid-commit, stays usable at the old state", () => {
    const path = join(tempDir(), "e.db");
    const setup = NodeFileStore.open(path);
    setup.commit(commitOf(512, 1, range(1, 4)), 4, 512);
    setup.close();
    const old = [...commitOf(512, 1, range(1, 4)).values()];

    // Mutating calls: 1 opens the database; the commit then opens the journal
    // (2), writes its header (3) and 4 records (4-7), fsyncs (8), writes the
    // record count (9), fsyncs (10), syncs the directory (11) and writes
    // database pages from call 12. Call 14 fails with the journal complete
    // and pages 1-2 overwritten: the store must roll the commit back itself.
    const fileSystem = new CrashingFileSystem({ crashAt: 14, transient: true });
    const store = NodeFileStore.open(path, { fileSystem });
    expect(() => store.commit(commitOf(512, 2, range(1, 6)), 6, 512)).toThrow(/crash at mutating call 14/);
    expect(store.pageCount()).toBe(4);
    expect(sameImage(readImage(store), old)).toBe(true);
    expect(existsSync(`${path}-journal`)).toBe(false);

    store.commit(commitOf(512, 3, [2, 5]), 5, 512);
    store.close();
    const reopened = NodeFileStore.open(path);
    const expected = applyCommit(old, commitOf(512, 3, [2, 5]), 5, 512);
    expect(sameImage(readImage(reopened), expected)).toBe(true);
    reopened.close();
  });
});
