// Deterministic page images for store tests: pages whose bytes follow from a
// (version, page number) pair, page 1 carrying a SQLite header (the file stores
// read the page size from it), and helpers to read a store's whole state back.
// Platform-neutral: used by the Node and the workerd store tests.
import type { PageStore } from "../../../src/engine/pager/page-store.js";

const SQLITE_MAGIC = new TextEncoder().encode("SQLite format 3\0");

/** A page of `pageSize` bytes filled from `version` and `pageNo` (xorshift). */
export function pageImage(pageSize: number, version: number, pageNo: number): Uint8Array {
  const page = new Uint8Array(pageSize);
  let x = (version * 0x9e3779b1 + pageNo * 0x85ebca6b + 1) >>> 0 || 1;
  for (let i = 0; i < pageSize; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    page[i] = x & 0xff;
  }
  if (pageNo === 1) writeHeader(page, pageSize);
  new DataView(page.buffer).setUint32(pageNo === 1 ? 100 : 0, version);
  return page;
}

function writeHeader(page: Uint8Array, pageSize: number): void {
  page.fill(0, 0, 100);
  page.set(SQLITE_MAGIC, 0);
  page[16] = pageSize === 65536 ? 0 : pageSize >> 8;
  page[17] = pageSize === 65536 ? 1 : pageSize & 0xff;
}

/** The version stamped into a page by `pageImage`. */
export function versionOf(page: Uint8Array, pageNo: number): number {
  return new DataView(page.buffer, page.byteOffset).getUint32(pageNo === 1 ? 100 : 0);
}

/** A whole database state: page i+1 is pages[i]. */
export type DatabaseImage = Uint8Array[];

/** Every committed page of a store, in order. */
export function readImage(store: PageStore): DatabaseImage {
  const pages: DatabaseImage = [];
  for (let pageNo = 1; pageNo <= store.pageCount(); pageNo++) pages.push(store.readPage(pageNo));
  return pages;
}

/** The image after applying a commit to `base`. Holes read as zero pages. */
export function applyCommit(
  base: DatabaseImage,
  pages: ReadonlyMap<number, Uint8Array>,
  pageCount: number,
  pageSize: number,
): DatabaseImage {
  const next: DatabaseImage = [];
  for (let pageNo = 1; pageNo <= pageCount; pageNo++) {
    next.push(pages.get(pageNo) ?? base[pageNo - 1] ?? new Uint8Array(pageSize));
  }
  return next;
}

export function samePage(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function sameImage(a: DatabaseImage, b: DatabaseImage): boolean {
  return a.length === b.length && a.every((page, i) => samePage(page, b[i]));
}

/** A commit rewriting the given pages with `version` content. */
export function commitOf(pageSize: number, version: number, pageNos: Iterable<number>): Map<number, Uint8Array> {
  const pages = new Map<number, Uint8Array>();
  for (const pageNo of pageNos) pages.set(pageNo, pageImage(pageSize, version, pageNo));
  return pages;
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
