// Argument checks every durable page store applies before a commit touches
// storage: a legal page size that matches the stored one, a sane page count,
// and pages of the right size within the new count. Platform-neutral (no node:
// imports) despite the node- prefix, which marks the files of the durable
// stores; the Durable Object store uses it too.
import { SqliteError } from "../errors.js";

/** SQLite's page sizes: powers of two from 512 to 65536. */
export function isValidPageSize(pageSize: number): boolean {
  return Number.isInteger(pageSize) && pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
}

/** Throws SQLITE_MISUSE when a PageStore.commit call breaks the contract. */
export function checkCommitArguments(
  storedPageSize: number | undefined,
  pages: ReadonlyMap<number, Uint8Array>,
  pageCount: number,
  pageSize: number,
): void {
  if (storedPageSize !== undefined && pageSize !== storedPageSize) {
    throw new SqliteError(`page size ${pageSize} differs from the stored ${storedPageSize}`, "SQLITE_MISUSE");
  }
  if (!isValidPageSize(pageSize)) throw new SqliteError(`invalid page size ${pageSize}`, "SQLITE_MISUSE");
  if (!Number.isInteger(pageCount) || pageCount < 0) {
    throw new SqliteError(`invalid page count ${pageCount}`, "SQLITE_MISUSE");
  }
  for (const [pageNo, data] of pages) {
    if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > pageCount) {
      throw new SqliteError(`page ${pageNo} is outside the new page count ${pageCount}`, "SQLITE_MISUSE");
    }
    if (data.length !== pageSize) {
      throw new SqliteError(`page ${pageNo} has ${data.length} bytes, not ${pageSize}`, "SQLITE_MISUSE");
    }
  }
}

/** Throws SQLITE_RANGE unless `pageNo` names a committed page. */
export function checkPageNumber(pageNo: number, pageCount: number): void {
  if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > pageCount) {
    throw new SqliteError(`page ${pageNo} is out of range`, "SQLITE_RANGE");
  }
}
