// The freelist: trunk pages (4-byte next trunk, 4-byte leaf count, leaf page
// numbers) chained from header offset 32, with the total number of free pages
// at offset 36. Allocation takes from the freelist before growing the file.

import { HDR, pendingBytePage } from "./format.js";
import { corrupt } from "./page.js";
import { readU32, writeU32 } from "./varint.js";

/** What the freelist needs from a write transaction. */
export interface FreelistHost {
  readonly pageSize: number;
  readonly usable: number;
  readonly pageCount: number;
  readonly header: Uint8Array;
  /** Raw page bytes; `forUpdate` returns a private buffer the caller may modify in place. */
  rawPage(pageNo: number, forUpdate: boolean): Uint8Array;
  /** Stores a new buffer for `pageNo`. */
  putRaw(pageNo: number, data: Uint8Array): void;
  growTo(pageCount: number): void;
}

/** Leaves per trunk when writing (SQLite's own limit, kept for old-reader compatibility). */
function maxLeaves(usable: number): number {
  return usable / 4 - 8;
}

export function allocatePage(host: FreelistHost): number {
  const h = host.header;
  const free = readU32(h, HDR.freelistCount);
  if (free > 0) {
    const trunk = readU32(h, HDR.firstFreelistTrunk);
    if (trunk < 2 || trunk > host.pageCount) corrupt(`freelist trunk ${trunk}`);
    const data = host.rawPage(trunk, true);
    const leaves = readU32(data, 4);
    if (leaves > host.usable / 4 - 2) corrupt(`freelist trunk ${trunk} leaf count`);
    writeU32(h, HDR.freelistCount, free - 1);
    if (leaves > 0) {
      const leaf = readU32(data, 8 + 4 * (leaves - 1));
      if (leaf < 2 || leaf > host.pageCount) corrupt(`freelist leaf ${leaf}`);
      writeU32(data, 4, leaves - 1);
      return leaf;
    }
    writeU32(h, HDR.firstFreelistTrunk, readU32(data, 0));
    return trunk;
  }
  let pageNo = host.pageCount + 1;
  if (pageNo === pendingBytePage(host.pageSize)) pageNo++;
  host.growTo(pageNo);
  return pageNo;
}

export function freePage(host: FreelistHost, pageNo: number): void {
  const h = host.header;
  const free = readU32(h, HDR.freelistCount);
  const trunk = readU32(h, HDR.firstFreelistTrunk);
  writeU32(h, HDR.freelistCount, free + 1);
  if (trunk !== 0) {
    const data = host.rawPage(trunk, true);
    const leaves = readU32(data, 4);
    if (leaves < maxLeaves(host.usable)) {
      writeU32(data, 8 + 4 * leaves, pageNo);
      writeU32(data, 4, leaves + 1);
      return;
    }
  }
  const page = new Uint8Array(host.pageSize);
  writeU32(page, 0, trunk);
  host.putRaw(pageNo, page);
  writeU32(h, HDR.firstFreelistTrunk, pageNo);
}
