// PageStore: where committed database pages live (memory, a file, Durable
// Object storage). Synchronous, because the engine executes synchronously.
//
// Contract:
// - Pages are numbered from 1, as in the SQLite file format. Page 1 starts with
//   the 100-byte database header, whose page-size field tells the page size.
// - `commit` is atomic: after a crash at any point, a later open sees either
//   all of the commit (its pages and page count) or none of it, never a mix.
// - `readPage` returns a buffer the caller may keep but must not modify; a
//   store may hand out the same buffer again.

export interface PageStore {
  /** Page size of the stored database, or undefined while the store is empty. */
  readonly pageSize: number | undefined;
  /** Number of pages in the last committed state (0 when empty). */
  pageCount(): number;
  /** Contents of committed page `pageNo` (1 <= pageNo <= pageCount()). */
  readPage(pageNo: number): Uint8Array;
  /**
   * Atomically and durably replaces the given pages and sets the database
   * length to `pageCount` pages (pages beyond it are dropped). All pages have
   * `pageSize` bytes; on an empty store this call also fixes the page size.
   */
  commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void;
  /** Releases resources (file handles). The store is unusable afterwards. */
  close(): void;
}
