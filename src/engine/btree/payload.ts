// Cell payloads: building cells (with overflow chains for large payloads),
// reading a payload back across its chain, and freeing chains. Overflow pages
// hold a 4-byte next-page number followed by usable-4 bytes of payload.

import { PAGE_INDEX_LEAF, localPayloadSize } from "./format.js";
import type { TreeReader, TreeWriter } from "./context.js";
import { corrupt, newCellInfo, parseCell, type CellInfo } from "./page.js";
import { measureRecord, writeMeasuredRecord } from "./record.js";
import { readU32, varintLength, writeU32, writeVarint } from "./varint.js";
import type { SqlValue } from "../value/types.js";

/** The full payload of a cell whose parsed info is `info`. Allocates only when it overflows (or `copy`). */
export function readPayload(ctx: TreeReader, buf: Uint8Array, cellOff: number, info: CellInfo): Uint8Array {
  const start = cellOff + info.payloadOffset;
  if (info.overflowPage === 0) return buf.subarray(start, start + info.localSize);
  if (!(info.payloadSize <= ctx.pageCount * ctx.usable)) corrupt(`payload size ${info.payloadSize}`);
  const out = new Uint8Array(info.payloadSize);
  out.set(buf.subarray(start, start + info.localSize));
  let filled = info.localSize;
  let page = info.overflowPage;
  const chunk = ctx.usable - 4;
  let hops = 0;
  while (filled < info.payloadSize) {
    if (page < 2 || page > ctx.pageCount || ++hops > ctx.pageCount) corrupt(`overflow chain page ${page}`);
    const data = ctx.raw(page);
    const n = Math.min(chunk, info.payloadSize - filled);
    out.set(data.subarray(4, 4 + n), filled);
    filled += n;
    page = readU32(data, 0);
  }
  return out;
}

/** Writes the overflow part of `payload` (after `local` bytes) to new pages; returns the first page. */
function writeOverflow(ctx: TreeWriter, payload: Uint8Array, local: number): number {
  const chunk = ctx.usable - 4;
  const pages: number[] = [];
  for (let off = local; off < payload.length; off += chunk) pages.push(ctx.allocatePage());
  for (let i = 0; i < pages.length; i++) {
    const data = new Uint8Array(ctx.pageSize);
    writeU32(data, 0, i + 1 < pages.length ? pages[i + 1] : 0);
    const from = local + i * chunk;
    data.set(payload.subarray(from, Math.min(from + chunk, payload.length)), 4);
    ctx.writeRaw(pages[i], data);
  }
  return pages[0];
}

/** Frees the overflow chain of a cell (no-op without overflow). */
export function freeOverflow(ctx: TreeWriter, info: CellInfo): void {
  if (info.overflowPage === 0) return;
  const chunk = ctx.usable - 4;
  let remaining = Math.ceil((info.payloadSize - info.localSize) / chunk);
  let page = info.overflowPage;
  while (remaining-- > 0) {
    if (page < 2 || page > ctx.pageCount) corrupt(`overflow chain page ${page}`);
    const next = readU32(ctx.raw(page), 0);
    ctx.freePage(page);
    page = next;
  }
}

/** A table-leaf cell: varint payload size, varint rowid, local payload, [overflow page]. */
export function buildTableLeafCell(ctx: TreeWriter, rowid: number | bigint, payload: Uint8Array): Uint8Array {
  const local = localPayloadSize(payload.length, ctx.usable, true);
  const head = varintLength(payload.length) + varintLength(rowid);
  const cell = new Uint8Array(Math.max(head + local + (local < payload.length ? 4 : 0), 4));
  let p = writeVarint(cell, 0, payload.length);
  p += writeVarint(cell, p, rowid);
  // subarray() allocates a view: skip it in the common case where the whole payload is local.
  cell.set(local === payload.length ? payload : payload.subarray(0, local), p);
  if (local < payload.length) writeU32(cell, p + local, writeOverflow(ctx, payload, local));
  return cell;
}

/**
 * The table-leaf cell of row `rowid` whose record is encodeRecord(values,
 * nullColumn): encoded straight into the cell when it fits locally (the
 * common case), with no separate record buffer.
 */
export function buildTableLeafCellOfRow(ctx: TreeWriter, rowid: number | bigint, values: readonly SqlValue[], nullColumn: number): Uint8Array {
  const size = measureRecord(values, nullColumn);
  if (localPayloadSize(size, ctx.usable, true) < size) {
    const record = new Uint8Array(size);
    writeMeasuredRecord(record, 0, values);
    return buildTableLeafCell(ctx, rowid, record);
  }
  const head = varintLength(size) + varintLength(rowid);
  const cell = new Uint8Array(Math.max(head + size, 4));
  let p = writeVarint(cell, 0, size);
  p += writeVarint(cell, p, rowid);
  writeMeasuredRecord(cell, p, values);
  return cell;
}

/** An index-leaf cell (varint payload size, local payload, [overflow page]); interior cells prefix a child. */
export function buildIndexCell(ctx: TreeWriter, key: Uint8Array): Uint8Array {
  const local = localPayloadSize(key.length, ctx.usable, false);
  const head = varintLength(key.length);
  const cell = new Uint8Array(Math.max(head + local + (local < key.length ? 4 : 0), 4));
  const p = writeVarint(cell, 0, key.length);
  cell.set(key.subarray(0, local), p);
  if (local < key.length) writeU32(cell, p + local, writeOverflow(ctx, key, local));
  return cell;
}

/** A table-interior cell: 4-byte left child, varint rowid. */
export function buildTableInteriorCell(child: number, rowid: number | bigint): Uint8Array {
  const cell = new Uint8Array(4 + varintLength(rowid));
  writeU32(cell, 0, child);
  writeVarint(cell, 4, rowid);
  return cell;
}

const info = newCellInfo();

/**
 * Index cell moved into an interior page: prefix the child pointer. A leaf cell
 * may carry padding up to SQLite's 4-byte minimum; the interior cell must be
 * exactly as long as its parsed size, or SQLite counts the padding as
 * unaccounted fragmentation.
 */
export function toIndexInteriorCell(leafCell: Uint8Array, child: number, usable: number): Uint8Array {
  parseCell(PAGE_INDEX_LEAF, leafCell, 0, usable, info);
  const exact = info.payloadOffset + info.localSize + (info.overflowPage !== 0 ? 4 : 0);
  const cell = new Uint8Array(exact + 4);
  writeU32(cell, 0, child);
  cell.set(leafCell.subarray(0, exact), 4);
  return cell;
}

/** Index interior cell moved into a leaf: drop the child pointer (keep the 4-byte minimum). */
export function toIndexLeafCell(interiorCell: Uint8Array): Uint8Array {
  return interiorCell.length - 4 >= 4 ? interiorCell.subarray(4) : padTo4(interiorCell.subarray(4));
}

function padTo4(cell: Uint8Array): Uint8Array {
  const out = new Uint8Array(4);
  out.set(cell);
  return out;
}
