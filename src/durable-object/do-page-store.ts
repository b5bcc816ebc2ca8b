// DurableObjectPageStore: a PageStore over a SQLite-backed Durable Object's
// ctx.storage.sql. DO-only.
//
// Layout: one row per page, `tessera_pages(page_no INTEGER PRIMARY KEY, data
// BLOB)`, and one row of `tessera_store_meta` holding page size and page count.
//
// Invariants:
// - Every commit is exactly one storage.transactionSync: the changed pages are
//   upserted, rows past the new page count deleted and the meta row rewritten
//   when the page count changed, all or nothing (an exception inside rolls the whole transaction back; SQL
//   BEGIN is not allowed in sql.exec, so transactionSync is the atomic unit).
// - No row has page_no > page_count. A page within the count that has no row
//   (a hole left by a commit that grew past unwritten pages) reads as zeros,
//   as it would in a file.
// - The cached page size and count change only after the transaction returned,
//   so a failed commit leaves this object describing the old state.
// - Pages are read lazily, one row per readPage; the pager's cache sits above.
import { checkCommitArguments, checkPageNumber } from "../engine/pager/node-commit-checks.js";
import type { PageStore } from "../engine/pager/page-store.js";
import { SqliteError } from "../engine/errors.js";

/** The part of DurableObjectStorage the store uses (tests wrap it to inject failures). */
export interface DurableObjectPageStorage {
  readonly sql: Pick<SqlStorage, "exec">;
  transactionSync<T>(closure: () => T): T;
}

const PAGES = "tessera_pages";
const META = "tessera_store_meta";

export class DurableObjectPageStore implements PageStore {
  private currentPageSize: number | undefined;
  private currentPageCount = 0;
  private closed = false;

  /** Opens the store kept in `storage`, creating its tables on first use. */
  constructor(private readonly storage: DurableObjectPageStorage) {
    storage.sql.exec(`CREATE TABLE IF NOT EXISTS ${PAGES} (page_no INTEGER PRIMARY KEY, data BLOB NOT NULL)`);
    storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS ${META} (id INTEGER PRIMARY KEY CHECK (id = 1), page_size INTEGER NOT NULL, page_count INTEGER NOT NULL)`,
    );
    const meta = storage.sql.exec<{ page_size: number; page_count: number }>(`SELECT page_size, page_count FROM ${META}`).toArray();
    if (meta.length === 1) {
      this.currentPageSize = meta[0].page_size;
      this.currentPageCount = meta[0].page_count;
    }
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
    const rows = this.storage.sql.exec<{ data: ArrayBuffer }>(`SELECT data FROM ${PAGES} WHERE page_no = ?`, pageNo).toArray();
    // A committed page exists, so the page size is known.
    if (rows.length === 0) return new Uint8Array(this.currentPageSize!);
    const page = new Uint8Array(rows[0].data);
    if (page.length !== this.currentPageSize) {
      throw new SqliteError(`page ${pageNo} has ${page.length} bytes, not ${this.currentPageSize}`, "SQLITE_CORRUPT");
    }
    return page;
  }

  commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    this.checkOpen();
    checkCommitArguments(this.currentPageSize, pages, pageCount, pageSize);
    const { sql } = this.storage;
    this.storage.transactionSync(() => {
      for (const [pageNo, data] of pages) {
        sql.exec(
          `INSERT INTO ${PAGES} (page_no, data) VALUES (?, ?) ON CONFLICT (page_no) DO UPDATE SET data = excluded.data`,
          pageNo,
          data,
        );
      }
      if (pageCount < this.currentPageCount) sql.exec(`DELETE FROM ${PAGES} WHERE page_no > ?`, pageCount);
      // Most small commits keep the page count: skipping the unchanged meta row
      // saves one billed row write per commit.
      if (pageCount === this.currentPageCount && pageSize === this.currentPageSize) return;
      sql.exec(
        `INSERT INTO ${META} (id, page_size, page_count) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET page_size = excluded.page_size, page_count = excluded.page_count`,
        pageSize,
        pageCount,
      );
    });
    this.currentPageSize = pageSize;
    this.currentPageCount = pageCount;
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new SqliteError("page store is closed", "SQLITE_MISUSE");
  }
}
