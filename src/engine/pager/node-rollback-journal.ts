// The rollback journal of the Node file store (`<database>-journal`): before a
// commit overwrites or truncates away any page of the database file, the
// original contents of those pages and the old page count are written here and
// fsync'd. A crash mid-commit is undone on the next open by copying them back.
// Node-only.
//
// Layout (all integers big-endian u32):
//   header (32 bytes): magic "TSRJRNL1" | nonce | page size | old page count |
//                      record count | 0 | crc32 of the previous 28 bytes
//   records, back to back: page number | page bytes | crc32(page number and
//                      page bytes, seeded with the nonce)
//
// A journal is hot (must be rolled back) only when its header and every one of
// its records are complete and their checksums match. Anything less means the
// crash hit while the journal was being written, before the database file was
// touched, so it is discarded. The random nonce keeps records left over from an
// older journal from passing for records of a newer one.
import { crc32 } from "node:zlib";
import { SqliteError } from "../errors.js";
import { isValidPageSize } from "./node-commit-checks.js";
import type { StoreFileSystem } from "./node-file-system.js";

const MAGIC = new TextEncoder().encode("TSRJRNL1");
export const JOURNAL_HEADER_SIZE = 32;
const RECORD_OVERHEAD = 8;

export interface JournalHeader {
  pageSize: number;
  /** Database length in pages before the commit began. */
  oldPageCount: number;
  recordCount: number;
}

function encodeHeader(header: JournalHeader, nonce: number): Uint8Array {
  const bytes = new Uint8Array(JOURNAL_HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, nonce);
  view.setUint32(12, header.pageSize);
  view.setUint32(16, header.oldPageCount);
  view.setUint32(20, header.recordCount);
  view.setUint32(28, crc32(bytes.subarray(0, 28)));
  return bytes;
}

function decodeHeader(bytes: Uint8Array): (JournalHeader & { nonce: number }) | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!MAGIC.every((b, i) => bytes[i] === b)) return undefined;
  if (view.getUint32(28) !== crc32(bytes.subarray(0, 28))) return undefined;
  return {
    nonce: view.getUint32(8),
    pageSize: view.getUint32(12),
    oldPageCount: view.getUint32(16),
    recordCount: view.getUint32(20),
  };
}

const recordPosition = (index: number, pageSize: number) =>
  JOURNAL_HEADER_SIZE + index * (pageSize + RECORD_OVERHEAD);

/**
 * Writes a complete journal for one commit and makes it durable (file and
 * directory entry). `readOriginal` fills the buffer with the committed contents
 * of a page; pages are read one at a time so memory stays at one page.
 */
export function writeJournal(
  fileSystem: StoreFileSystem,
  journalPath: string,
  directory: string,
  header: Omit<JournalHeader, "recordCount">,
  pageNumbers: readonly number[],
  readOriginal: (pageNo: number, into: Uint8Array) => void,
): void {
  const nonce = (Math.random() * 0x1_0000_0000) >>> 0;
  const fd = fileSystem.open(journalPath, "truncate");
  try {
    fileSystem.write(fd, encodeHeader({ ...header, recordCount: pageNumbers.length }, nonce), 0);
    const record = new Uint8Array(header.pageSize + RECORD_OVERHEAD);
    const view = new DataView(record.buffer);
    const page = record.subarray(4, 4 + header.pageSize);
    pageNumbers.forEach((pageNo, index) => {
      view.setUint32(0, pageNo);
      readOriginal(pageNo, page);
      view.setUint32(4 + header.pageSize, crc32(record.subarray(0, 4 + header.pageSize), nonce));
      fileSystem.write(fd, record, recordPosition(index, header.pageSize));
    });
    fileSystem.fsync(fd);
  } finally {
    fileSystem.close(fd);
  }
  fileSystem.syncDirectory(directory);
}

/**
 * Deletes the journal durably. Once this returns, the commit it protected can
 * no longer be rolled back: this is the commit point.
 */
export function deleteJournal(fileSystem: StoreFileSystem, journalPath: string, directory: string): void {
  fileSystem.unlink(journalPath);
  fileSystem.syncDirectory(directory);
}

/**
 * Checks the journal at `journalPath` (if any). When it is hot, copies the
 * original pages back into the database file `dbFd`, restores the old length
 * and fsyncs; then deletes the journal, hot or not. Returns the restored header
 * when a rollback happened. Idempotent: a crash during rollback leaves the
 * journal in place and the next call redoes it.
 */
export function rollBackJournal(
  fileSystem: StoreFileSystem,
  journalPath: string,
  directory: string,
  dbFd: number,
): JournalHeader | undefined {
  if (!fileSystem.exists(journalPath)) return undefined;
  const fd = fileSystem.open(journalPath, "existing");
  let hot: JournalHeader | undefined;
  try {
    hot = validJournalHeader(fileSystem, fd);
    if (hot) {
      const record = new Uint8Array(hot.pageSize + RECORD_OVERHEAD);
      const view = new DataView(record.buffer);
      for (let index = 0; index < hot.recordCount; index++) {
        fileSystem.read(fd, record, recordPosition(index, hot.pageSize));
        const pageNo = view.getUint32(0);
        fileSystem.write(dbFd, record.subarray(4, 4 + hot.pageSize), (pageNo - 1) * hot.pageSize);
      }
      fileSystem.truncate(dbFd, hot.oldPageCount * hot.pageSize);
      fileSystem.fsync(dbFd);
    }
  } finally {
    fileSystem.close(fd);
  }
  deleteJournal(fileSystem, journalPath, directory);
  return hot;
}

/** The header of a complete journal whose records all check out, else undefined. */
function validJournalHeader(fileSystem: StoreFileSystem, fd: number): JournalHeader | undefined {
  const headerBytes = new Uint8Array(JOURNAL_HEADER_SIZE);
  if (fileSystem.read(fd, headerBytes, 0) < JOURNAL_HEADER_SIZE) return undefined;
  const header = decodeHeader(headerBytes);
  if (!header || !isValidPageSize(header.pageSize)) return undefined;
  if (fileSystem.size(fd) < recordPosition(header.recordCount, header.pageSize)) return undefined;
  const record = new Uint8Array(header.pageSize + RECORD_OVERHEAD);
  const view = new DataView(record.buffer);
  for (let index = 0; index < header.recordCount; index++) {
    fileSystem.read(fd, record, recordPosition(index, header.pageSize));
    const pageNo = view.getUint32(0);
    const checksum = crc32(record.subarray(0, 4 + header.pageSize), header.nonce);
    if (checksum !== view.getUint32(4 + header.pageSize)) return undefined;
    if (pageNo < 1 || pageNo > header.oldPageCount) {
      throw new SqliteError("journal names a page outside the database", "SQLITE_CORRUPT");
    }
  }
  return header;
}
