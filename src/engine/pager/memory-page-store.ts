// MemoryPageStore: a PageStore held in memory (tests, browsers without
// persistence, images loaded from bytes). Commit swaps page references, so it
// is trivially atomic; buffers handed in by `commit` are kept, not copied
// (the pager never mutates a buffer after publishing it).

import { SqliteError } from "../errors.js";
import type { PageStore } from "./page-store.js";

/** The 16 bytes every SQLite database file starts with. */
export const SQLITE_MAGIC = "SQLite format 3\u0000";

/** Page size from a database header, or undefined when the field is invalid. */
export function headerPageSize(image: Uint8Array): number | undefined {
  const raw = (image[16] << 8) | image[17];
  const size = raw === 1 ? 65536 : raw;
  return size >= 512 && size <= 65536 && (size & (size - 1)) === 0 ? size : undefined;
}

/** Throws SQLITE_NOTADB unless `image` starts with a SQLite header with a valid page size. */
export function checkSqliteHeader(image: Uint8Array): number {
  if (image.length < 100) throw new SqliteError("file is not a database", "SQLITE_NOTADB");
  for (let i = 0; i < 16; i++) {
    if (image[i] !== SQLITE_MAGIC.charCodeAt(i)) throw new SqliteError("file is not a database", "SQLITE_NOTADB");
  }
  const pageSize = headerPageSize(image);
  if (pageSize === undefined) throw new SqliteError("file is not a database", "SQLITE_NOTADB");
  return pageSize;
}

export class MemoryPageStore implements PageStore {
  private pages: Uint8Array[] = [];
  private size: number | undefined;

  /**
   * A store holding the database in `image` (the bytes of a .sqlite file).
   * The image is copied. A trailing partial page is ignored, as SQLite does.
   */
  static fromImage(image: Uint8Array): MemoryPageStore {
    const store = new MemoryPageStore();
    if (image.length === 0) return store;
    const pageSize = checkSqliteHeader(image);
    const count = Math.floor(image.length / pageSize);
    for (let i = 0; i < count; i++) store.pages.push(image.slice(i * pageSize, (i + 1) * pageSize));
    store.size = pageSize;
    return store;
  }

  get pageSize(): number | undefined {
    return this.size;
  }

  pageCount(): number {
    return this.pages.length;
  }

  readPage(pageNo: number): Uint8Array {
    const page = this.pages[pageNo - 1];
    if (page === undefined || pageNo < 1) throw new SqliteError(`page ${pageNo} out of range`, "SQLITE_CORRUPT");
    return page;
  }

  commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    if (this.size !== undefined && this.size !== pageSize) throw new SqliteError("page size mismatch", "SQLITE_MISUSE");
    const next = this.pages.slice(0, pageCount);
    for (let i = next.length; i < pageCount; i++) next.push(new Uint8Array(pageSize));
    for (const [pageNo, data] of pages) {
      if (pageNo >= 1 && pageNo <= pageCount) next[pageNo - 1] = data;
    }
    this.pages = next;
    this.size = pageSize;
  }

  close(): void {
    this.pages = [];
  }
}
