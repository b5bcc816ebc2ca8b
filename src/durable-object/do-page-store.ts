// DurableObjectPageStore: a PageStore over a SQLite-backed Durable Object's
// ctx.storage.sql. DO-only.
//
// Layout: one row per page, `tessera_pages(page_no INTEGER PRIMARY KEY, data
// BLOB)`, and one row of `tessera_store_meta` holding page size and page count.
//
// Cost (bench/do-store.bench.ts: storage rows the runtime bills per commit,
// 100-byte rows inserted into a rowid table through Tessera's B-tree and pager
// on this store; "plain" is the same INSERTs on a plain ctx.storage.sql table):
//
//   commit                   plain rows | 4K pages: rows KiB | 16K: rows  KiB | 64K: rows  KiB
//   single-row insert                 1 |            2    8 |       2     32 |       2    128
//   10-row transaction               10 |            2    8 |       2     32 |       2    128
//   bulk insert 10000 rows        10000 |          276 1100 |      73   1152 |      22   1344
//   cold full scan, 11011 rows    11011 |          301 read |      77   read |      22   read
//   cold point lookup                 1 |            4 read |       4   read |       4   read
//
// A commit costs one row per changed page (+1 for the meta row when the page
// count changes); Tessera's small commits change the leaf and page 1 (the
// header's change counter), so 2 rows against plain SQL's 1, while anything
// touching many rows per page costs far less. A cold lookup reads the meta row
// and page 1 once per open, then one row per B-tree level. Larger pages cut
// rows for bulk work and scans 3.8x (16K) and 12.5x (64K) against 4K, but every
// small commit then writes 2 x 16K or 2 x 64K of blobs, and a 4 MB page cache
// holds fewer, coarser pages. Choice: one row per page (several pages per row
// would only re-create a bigger page with extra bookkeeping) and 16 KiB pages
// for databases created in a Durable Object, balancing bulk row counts against
// bytes per small commit. The page size is the pager's setting for a new
// database; this store keeps whatever page size the database has.
//
// Invariants:
// - Every commit is exactly one storage.transactionSync: the changed pages are
//   upserted, rows past the new page count deleted and the meta row rewritten
//   when the page count changed, all or nothing (an exception inside rolls
//   the whole transaction back; SQL BEGIN is not allowed in sql.exec, so
//   transactionSync is the atomic unit).
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
    if (pages.size === 0 && pageCount === this.currentPageCount && pageSize === this.currentPageSize) return;
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
