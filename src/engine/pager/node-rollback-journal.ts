// The rollback journal of the Node file store, `<database>-journal`, in
// SQLite's own format, so that real SQLite rolls back a commit Tessera left
// half-done (and Tessera rolls back SQLite's): before a commit overwrites or
// truncates away any page, the original pages and the old page count are
// written here and made durable. Node-only.
//
// Format (SQLite's pager.c; integers big-endian u32):
//   header, padded to SECTOR_SIZE: magic d9d505f920a163d7 | record count
//     (0 while the journal is being written; 0xffffffff = "as many as fit") |
//     checksum seed | page count before the commit | sector size | page size
//   records: page number | original page bytes | checksum (seed + every
//     200th byte of the page, counting back from pageSize-200)
//   A journal may hold further segments, each starting with a header at the
//   next sector boundary (SQLite writes them when it syncs mid-transaction).
//
// Protocol (as SQLite's, without SAFE_APPEND): write the header with record
// count 0, the records, fsync, then the real record count, fsync, sync the
// directory. The database file is touched only after that, so a journal whose
// header says 0 records (or is torn) protects nothing yet; one with a count is
// complete and durable. Rollback: restore the old length, copy the records
// back (stopping at the first bad checksum, as SQLite does), fsync, delete the
// journal. The commit point is the durable deletion of the journal.
import { isValidPageSize } from "./node-commit-checks.js";
import type { StoreFileSystem } from "./node-file-system.js";

const MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/** Sector size we write; we read whatever a journal's header says. */
const SECTOR_SIZE = 512;
const RECORD_COUNT_OFFSET = 8;
const ALL_RECORDS_THAT_FIT = 0xffffffff;
const RECORD_OVERHEAD = 8;

interface JournalHeader {
  recordCount: number;
  checksumSeed: number;
  oldPageCount: number;
  sectorSize: number;
  pageSize: number;
}

function encodeHeader(header: JournalHeader): Uint8Array {
  const bytes = new Uint8Array(SECTOR_SIZE);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, header.recordCount);
  view.setUint32(12, header.checksumSeed);
  view.setUint32(16, header.oldPageCount);
  view.setUint32(20, header.sectorSize);
  view.setUint32(24, header.pageSize);
  return bytes;
}

/** The header at `offset`, or undefined if there is none (end, torn or foreign). */
function readHeader(fileSystem: StoreFileSystem, fd: number, offset: number, journalSize: number): JournalHeader | undefined {
  const bytes = new Uint8Array(28);
  if (fileSystem.read(fd, bytes, offset) < bytes.length) return undefined;
  if (!MAGIC.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer);
  const header: JournalHeader = {
    recordCount: view.getUint32(8),
    checksumSeed: view.getUint32(12),
    oldPageCount: view.getUint32(16),
    sectorSize: view.getUint32(20),
    pageSize: view.getUint32(24),
  };
  const { sectorSize } = header;
  const validSector = sectorSize >= 32 && sectorSize <= 65536 && (sectorSize & (sectorSize - 1)) === 0;
  if (!validSector || !isValidPageSize(header.pageSize) || offset + sectorSize > journalSize) return undefined;
  if (header.recordCount === ALL_RECORDS_THAT_FIT) {
    header.recordCount = Math.floor((journalSize - offset - sectorSize) / (header.pageSize + RECORD_OVERHEAD));
  }
  return header;
}

/** SQLite's journal record checksum: the seed plus every 200th byte from the end. */
function recordChecksum(seed: number, page: Uint8Array): number {
  let sum = seed;
  for (let i = page.length - 200; i > 0; i -= 200) sum += page[i];
  return sum >>> 0;
}

/**
 * Writes a complete journal for one commit and makes it durable (file and
 * directory entry). `readOriginal` fills the buffer with the committed contents
 * of a page; pages are read one at a time so memory stays at one page.
 */
export function writeJournal(
  fileSystem: StoreFileSystem,
  journalPath: string,
  directory: string,
  pageSize: number,
  oldPageCount: number,
  pageNumbers: readonly number[],
  readOriginal: (pageNo: number, into: Uint8Array) => void,
): void {
  const header: JournalHeader = {
    recordCount: 0,
    checksumSeed: (Math.random() * 0x1_0000_0000) >>> 0,
    oldPageCount,
    sectorSize: SECTOR_SIZE,
    pageSize,
  };
  const fd = fileSystem.open(journalPath, "truncate");
  try {
    fileSystem.write(fd, encodeHeader(header), 0);
    const record = new Uint8Array(pageSize + RECORD_OVERHEAD);
    const view = new DataView(record.buffer);
    const page = record.subarray(4, 4 + pageSize);
    pageNumbers.forEach((pageNo, index) => {
      view.setUint32(0, pageNo);
      readOriginal(pageNo, page);
      view.setUint32(4 + pageSize, recordChecksum(header.checksumSeed, page));
      fileSystem.write(fd, record, SECTOR_SIZE + index * record.length);
    });
    fileSystem.fsync(fd);
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, pageNumbers.length);
    fileSystem.write(fd, count, RECORD_COUNT_OFFSET);
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
 * Rolls back the journal at `journalPath`, if there is one, into the database
 * file `dbFd`, then deletes it. Returns true when it restored anything. As in
 * SQLite, a journal next to an empty database file, or without a valid first
 * header, is deleted unplayed. Idempotent: a crash during rollback leaves the
 * journal in place and the next call redoes it.
 */
export function rollBackJournal(
  fileSystem: StoreFileSystem,
  journalPath: string,
  directory: string,
  dbFd: number,
): boolean {
  if (!fileSystem.exists(journalPath)) return false;
  let restored = false;
  if (fileSystem.size(dbFd) > 0) {
    const fd = fileSystem.open(journalPath, "existing");
    try {
      restored = playBack(fileSystem, fd, dbFd);
    } finally {
      fileSystem.close(fd);
    }
  }
  deleteJournal(fileSystem, journalPath, directory);
  return restored;
}

function playBack(fileSystem: StoreFileSystem, fd: number, dbFd: number): boolean {
  const journalSize = fileSystem.size(fd);
  const first = readHeader(fileSystem, fd, 0, journalSize);
  if (!first) return false;
  const { pageSize, oldPageCount } = first;
  fileSystem.truncate(dbFd, oldPageCount * pageSize);
  const record = new Uint8Array(pageSize + RECORD_OVERHEAD);
  const view = new DataView(record.buffer);
  const page = record.subarray(4, 4 + pageSize);
  let header: JournalHeader | undefined = first;
  let offset = 0;
  segments: while (header) {
    offset += header.sectorSize;
    for (let index = 0; index < header.recordCount; index++, offset += record.length) {
      if (fileSystem.read(fd, record, offset) < record.length) break segments;
      const pageNo = view.getUint32(0);
      if (pageNo === 0 || recordChecksum(header.checksumSeed, page) !== view.getUint32(4 + pageSize)) break segments;
      if (pageNo <= oldPageCount) fileSystem.write(dbFd, page, (pageNo - 1) * pageSize);
    }
    offset = Math.ceil(offset / header.sectorSize) * header.sectorSize;
    header = readHeader(fileSystem, fd, offset, journalSize);
    if (header && header.pageSize !== pageSize) break;
  }
  fileSystem.fsync(dbFd);
  return true;
}
