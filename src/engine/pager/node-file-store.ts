// NodeFileStore: a PageStore over one database file in the standard SQLite
// layout (page N at byte offset (N-1) * pageSize), made crash-safe with a
// rollback journal in SQLite's format (node-rollback-journal.ts). Node-only
// (filesystem access through StoreFileSystem).
//
// Invariants:
// - Outside a commit, the file holds exactly the last committed state and its
//   length is pageCount * pageSize; no journal exists. Whatever the pager put in
//   page 1 (the SQLite header) is what real SQLite sees.
// - A commit never touches the database file before a complete journal of
//   every page it will overwrite or truncate away (plus the old page count) is
//   durable. The commit point is the durable deletion of the journal; a crash
//   before it is rolled back on the next open, a crash after it is not.
// - Only one page (plus one journal record) is held in memory at a time during
//   a commit or a recovery; reads go straight to the file (the pager caches).
// - No locking between processes: one process owns a database file at a time.
import { dirname, resolve } from "node:path";
import { SqliteError } from "../errors.js";
import { nodeFileSystem, type StoreFileSystem } from "./node-file-system.js";
import { checkCommitArguments, checkPageNumber, isValidPageSize } from "./node-commit-checks.js";
import { deleteJournal, rollBackJournal, writeJournal } from "./node-rollback-journal.js";
import type { PageStore } from "./page-store.js";

const SQLITE_MAGIC = new TextEncoder().encode("SQLite format 3\0");
const HEADER_SIZE = 100;

export interface NodeFileStoreOptions {
  /** Filesystem to use; tests pass one that injects failures. Defaults to node:fs. */
  fileSystem?: StoreFileSystem;
}

export class NodeFileStore implements PageStore {
  private currentPageSize: number | undefined = undefined;
  private currentPageCount = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fileSystem: StoreFileSystem,
    private readonly fd: number,
    private readonly journalPath: string,
    private readonly directory: string,
  ) {}

  /**
   * Opens (creating if missing) the database file at `path`, first rolling back
   * a hot journal left by a crash. Throws SQLITE_CANTOPEN if the file cannot be
   * opened, SQLITE_NOTADB if it is not empty and does not start with a SQLite
   * header.
   */
  static open(path: string, options: NodeFileStoreOptions = {}): NodeFileStore {
    const fileSystem = options.fileSystem ?? nodeFileSystem;
    const absolute = resolve(path);
    const fd = openDatabaseFile(fileSystem, absolute);
    const store = new NodeFileStore(absolute, fileSystem, fd, `${absolute}-journal`, dirname(absolute));
    try {
      store.recover();
      store.loadHeader();
    } catch (error) {
      fileSystem.close(fd);
      throw error;
    }
    return store;
  }

  get pageSize(): number | undefined {
    return this.currentPageSize;
  }

  pageCount(): number {
    this.checkOpen();
    return this.currentPageCount;
  }

  readPage(pageNo: number): Uint8Array {
    this.checkOpen();
    checkPageNumber(pageNo, this.currentPageCount);
    // A committed page exists, so the page size is known.
    const page = new Uint8Array(this.currentPageSize!);
    this.readPageInto(pageNo, page);
    return page;
  }

  commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    this.checkOpen();
    checkCommitArguments(this.currentPageSize, pages, pageCount, pageSize);
    this.checkHeaderPage(pages, pageCount, pageSize);
    const oldPageCount = this.currentPageCount;
    if (pages.size === 0 && pageCount === oldPageCount && pageSize === this.currentPageSize) return;
    try {
      writeJournal(
        this.fileSystem,
        this.journalPath,
        this.directory,
        pageSize,
        oldPageCount,
        pagesToSave(pages, oldPageCount, pageCount),
        (pageNo, into) => this.readPageInto(pageNo, into),
      );
      for (const pageNo of [...pages.keys()].sort((a, b) => a - b)) {
        this.fileSystem.write(this.fd, pages.get(pageNo)!, (pageNo - 1) * pageSize);
      }
      this.fileSystem.truncate(this.fd, pageCount * pageSize);
      this.fileSystem.fsync(this.fd);
      deleteJournal(this.fileSystem, this.journalPath, this.directory);
    } catch (error) {
      this.recoverAfterFailedCommit();
      throw error;
    }
    this.currentPageSize = pageSize;
    this.currentPageCount = pageCount;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fileSystem.close(this.fd);
  }

  private checkOpen(): void {
    if (this.closed) throw new SqliteError("page store is closed", "SQLITE_MISUSE");
  }

  /** Reads a committed page; bytes past the end of the file read as zeros. */
  private readPageInto(pageNo: number, into: Uint8Array): void {
    const n = this.fileSystem.read(this.fd, into, (pageNo - 1) * into.length);
    into.fill(0, n);
  }

  private recover(): void {
    rollBackJournal(this.fileSystem, this.journalPath, this.directory, this.fd);
  }

  /**
   * After a failed commit (an I/O error, not a dead process), tries to restore
   * the old state right away so the store stays usable, then re-reads what the
   * file now holds (the new state, if the failure came after the commit point).
   * If that fails too, the store closes; the next open finishes the job.
   */
  private recoverAfterFailedCommit(): void {
    try {
      this.recover();
      this.loadHeader();
    } catch {
      this.closed = true;
      try {
        this.fileSystem.close(this.fd);
      } catch {
        // The filesystem is failing; the descriptor is released with the process.
      }
    }
  }

  /**
   * The file finds its page size in page 1's header on the next open, so a
   * commit must not leave a page 1 that lacks it or contradicts `pageSize`.
   */
  private checkHeaderPage(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    const page1 = pages.get(1);
    if (page1 === undefined && (this.currentPageCount > 0 || pageCount === 0)) return;
    if (page1 === undefined || headerPageSize(page1) !== pageSize) {
      throw new SqliteError(`page 1 must hold a SQLite header declaring page size ${pageSize}`, "SQLITE_MISUSE");
    }
  }

  /** Reads page size and page count from the file (its header and length). */
  private loadHeader(): void {
    const fileSize = this.fileSystem.size(this.fd);
    if (fileSize === 0) {
      this.currentPageSize = undefined;
      this.currentPageCount = 0;
      return;
    }
    const header = new Uint8Array(HEADER_SIZE);
    const pageSize = this.fileSystem.read(this.fd, header, 0) === HEADER_SIZE ? headerPageSize(header) : undefined;
    if (pageSize === undefined) throw new SqliteError("file is not a database", "SQLITE_NOTADB");
    this.currentPageSize = pageSize;
    this.currentPageCount = Math.floor(fileSize / pageSize);
  }
}

/** The page size a SQLite header declares, or undefined if `page` does not start with one. */
function headerPageSize(page: Uint8Array): number | undefined {
  if (page.length < HEADER_SIZE || !SQLITE_MAGIC.every((b, i) => page[i] === b)) return undefined;
  const raw = (page[16] << 8) | page[17];
  const pageSize = raw === 1 ? 65536 : raw;
  return isValidPageSize(pageSize) ? pageSize : undefined;
}

/** Opens or creates the database file; the OS's refusal becomes SQLITE_CANTOPEN. */
function openDatabaseFile(fileSystem: StoreFileSystem, path: string): number {
  try {
    return fileSystem.open(path, "create");
  } catch (error) {
    // Node's system errors carry an errno name (EACCES, EISDIR, ENOENT...).
    if (typeof (error as NodeJS.ErrnoException).code !== "string") throw error;
    throw new SqliteError(`unable to open database file: ${(error as Error).message}`, "SQLITE_CANTOPEN");
  }
}

/**
 * Pages whose committed contents a commit destroys: those it overwrites and
 * those a shrink truncates away. Pages beyond the old end are new; rolling back
 * truncates them, so they need no record.
 */
function pagesToSave(pages: ReadonlyMap<number, Uint8Array>, oldPageCount: number, newPageCount: number): number[] {
  const saved = [...pages.keys()].filter((pageNo) => pageNo <= Math.min(oldPageCount, newPageCount));
  for (let pageNo = newPageCount + 1; pageNo <= oldPageCount; pageNo++) saved.push(pageNo);
  return saved.sort((a, b) => a - b);
}
