// File-format constants and pure helpers: page types, page-header layout, the
// 100-byte database header, and the local/overflow payload split formulas
// (https://www.sqlite.org/fileformat2.html).

import { SqliteError } from "../errors.js";
import { checkSqliteHeader, SQLITE_MAGIC } from "../pager/memory-page-store.js";
import { readU32, writeU16, writeU32 } from "./varint.js";

export const PAGE_INDEX_INTERIOR = 0x02;
export const PAGE_TABLE_INTERIOR = 0x05;
export const PAGE_INDEX_LEAF = 0x0a;
export const PAGE_TABLE_LEAF = 0x0d;

export type TreeKind = "table" | "index";

export const DB_HEADER_SIZE = 100;
/** SQLITE_VERSION_NUMBER written at offset 96. */
export const WRITER_VERSION = 3046000;
/** The page holding the byte at offset 2^30 (the lock byte) is never used. */
export function pendingBytePage(pageSize: number): number {
  return Math.floor(0x4000_0000 / pageSize) + 1;
}

/** Offsets of 4-byte big-endian fields in the database header. */
export const HDR = {
  changeCounter: 24,
  pageCount: 28,
  firstFreelistTrunk: 32,
  freelistCount: 36,
  schemaCookie: 40,
  schemaFormat: 44,
  defaultCacheSize: 48,
  largestRootPage: 52,
  textEncoding: 56,
  userVersion: 60,
  incrementalVacuum: 64,
  applicationId: 68,
  versionValidFor: 92,
  sqliteVersion: 96,
} as const;

export type HeaderField = keyof typeof HDR;

export function isLeafType(type: number): boolean {
  return type === PAGE_TABLE_LEAF || type === PAGE_INDEX_LEAF;
}

export function isValidPageType(type: number): boolean {
  return type === PAGE_TABLE_LEAF || type === PAGE_TABLE_INTERIOR || type === PAGE_INDEX_LEAF || type === PAGE_INDEX_INTERIOR;
}

export function pageTypeFor(kind: TreeKind, leaf: boolean): number {
  if (kind === "table") return leaf ? PAGE_TABLE_LEAF : PAGE_TABLE_INTERIOR;
  return leaf ? PAGE_INDEX_LEAF : PAGE_INDEX_INTERIOR;
}

/** Bytes of local payload stored in a cell with total payload `payloadSize`. */
export function localPayloadSize(payloadSize: number, usable: number, tableLeaf: boolean): number {
  const maxLocal = tableLeaf ? usable - 35 : Math.floor(((usable - 12) * 64) / 255) - 23;
  if (payloadSize <= maxLocal) return payloadSize;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = minLocal + ((payloadSize - minLocal) % (usable - 4));
  return k <= maxLocal ? k : minLocal;
}

/** A fresh 100-byte header for an empty database of `pageSize` bytes. */
export function newDatabaseHeader(pageSize: number): Uint8Array {
  const h = new Uint8Array(DB_HEADER_SIZE);
  for (let i = 0; i < 16; i++) h[i] = SQLITE_MAGIC.charCodeAt(i);
  writeU16(h, 16, pageSize === 65536 ? 1 : pageSize);
  h[18] = 1; // file format write version: legacy (rollback journal)
  h[19] = 1; // read version
  h[20] = 0; // reserved bytes per page
  h[21] = 64; // max embedded payload fraction
  h[22] = 32; // min embedded payload fraction
  h[23] = 32; // leaf payload fraction
  writeU32(h, HDR.changeCounter, 1);
  writeU32(h, HDR.pageCount, 1);
  writeU32(h, HDR.schemaFormat, 4);
  writeU32(h, HDR.textEncoding, 1);
  writeU32(h, HDR.versionValidFor, 1);
  writeU32(h, HDR.sqliteVersion, WRITER_VERSION);
  return h;
}

/**
 * File format versions (header bytes 18 and 19): SQLite writes 1 (rollback
 * journal) or 2 (WAL); 255 marks a database in MVCC journal mode, as Turso
 * does. SQLite refuses to open a file marked 255, so exports of an MVCC
 * database reset the bytes to 1 (see portableImage).
 */
export const FORMAT_LEGACY = 1;
export const FORMAT_MVCC = 255;

/** A copy of a database image that SQLite itself opens: MVCC's format mark reset to legacy. */
export function portableImage(image: Uint8Array): Uint8Array {
  if (image.length < 100 || (image[18] !== FORMAT_MVCC && image[19] !== FORMAT_MVCC)) return image;
  const copy = image.slice();
  copy[18] = FORMAT_LEGACY;
  copy[19] = FORMAT_LEGACY;
  return copy;
}

function notADb(): never {
  throw new SqliteError("file is not a database", "SQLITE_NOTADB");
}

/**
 * Validates page 1's header as SQLite does when opening; returns the usable
 * page size (page size minus reserved bytes).
 */
export function validateHeader(page1: Uint8Array, pageSize: number): number {
  if (checkSqliteHeader(page1) !== pageSize) notADb();
  const known = (v: number) => v === 1 || v === 2 || v === FORMAT_MVCC;
  if (!known(page1[18]) || !known(page1[19])) notADb();
  if (page1[21] !== 64 || page1[22] !== 32 || page1[23] !== 32) notADb();
  const usable = pageSize - page1[20];
  if (usable < 480) notADb();
  const encoding = readU32(page1, HDR.textEncoding);
  if (encoding !== 0 && encoding !== 1) {
    throw new SqliteError("UTF-16 databases are not supported", "SQLITE_NOTADB");
  }
  return usable;
}
