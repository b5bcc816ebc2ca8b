// BtreePage: one B-tree page, either a read-only view over an immutable page
// image or a materialized, mutable list of cells.
//
// Invariants:
// - Page images (buffers from the pager) are never modified. A page becomes
//   mutable by `materialize()`, which copies only cell references (subarrays of
//   the old image); cell buffers are never modified in place either, so any
//   cell reference a cursor holds stays valid after later changes.
// - A mutable page may be temporarily overfull (`freeSpace() < 0`); balancing
//   fixes that before the transaction commits. `serialize()` lays cells out
//   packed at the end of the page (no freeblocks, no fragments): always a valid
//   page, as after VACUUM. Pages written by SQLite, with freeblocks and
//   fragments, are read through the cell pointer array and need no special care.

import { SqliteError } from "../errors.js";
import { DB_HEADER_SIZE, isLeafType, isValidPageType, localPayloadSize, PAGE_TABLE_INTERIOR, PAGE_TABLE_LEAF } from "./format.js";
import { lastVarintLength, readU16, readU32, readVarint, readVarint32, writeU16, writeU32 } from "./varint.js";

export function corrupt(what: string): never {
  throw new SqliteError(`database disk image is malformed (${what})`, "SQLITE_CORRUPT");
}

/** Parsed fields of one cell (a reused scratch object: copy what you keep). */
export interface CellInfo {
  /** Table trees: the rowid. */
  rowid: number | bigint;
  /** Total payload size (0 for table interior cells). */
  payloadSize: number;
  /** Offset of the local payload from the cell start. */
  payloadOffset: number;
  localSize: number;
  /** First overflow page, 0 if none. */
  overflowPage: number;
  /** Bytes the cell occupies (at least 4, as SQLite allocates). */
  size: number;
}

export function newCellInfo(): CellInfo {
  return { rowid: 0, payloadSize: 0, payloadOffset: 0, localSize: 0, overflowPage: 0, size: 0 };
}

/** Parses the cell at `buf[off]` on a page of type `type`. */
export function parseCell(type: number, buf: Uint8Array, off: number, usable: number, out: CellInfo): CellInfo {
  let p = off;
  if (type === PAGE_TABLE_INTERIOR) {
    out.rowid = readVarint(buf, off + 4);
    out.payloadSize = 0;
    out.localSize = 0;
    out.payloadOffset = 4 + lastVarintLength;
    out.overflowPage = 0;
    out.size = Math.max(4 + lastVarintLength, 4);
    return out;
  }
  if (!isLeafType(type)) p += 4; // index interior: left child first
  let payloadSize = buf[p];
  if (payloadSize < 0x80) p++;
  else {
    payloadSize = readVarint32(buf, p);
    p += lastVarintLength;
  }
  if (type === PAGE_TABLE_LEAF) {
    const b = buf[p];
    if (b < 0x80) {
      out.rowid = b;
      p++;
    } else {
      out.rowid = readVarint(buf, p);
      p += lastVarintLength;
    }
  }
  // Common case first: everything local (maxLocal is usable-35 for table leaves, ~usable/4 for index cells).
  const local =
    payloadSize <= (type === PAGE_TABLE_LEAF ? usable - 35 : indexMaxLocal(usable)) ? payloadSize : localPayloadSize(payloadSize, usable, type === PAGE_TABLE_LEAF);
  out.payloadSize = payloadSize;
  out.payloadOffset = p - off;
  out.localSize = local;
  if (local < payloadSize) {
    out.overflowPage = readU32(buf, p + local);
    out.size = p - off + local + 4;
  } else {
    out.overflowPage = 0;
    out.size = Math.max(p - off + local, 4);
  }
  return out;
}

const scratch = newCellInfo();

/** Rowid of a table cell (leaf: after the payload size; interior: after the child pointer). */
function cellRowid(type: number, buf: Uint8Array, off: number): number | bigint {
  if (type === PAGE_TABLE_INTERIOR) return readVarint(buf, off + 4);
  off += buf[off] < 0x80 ? 1 : (readVarint32(buf, off), lastVarintLength);
  return buf[off] < 0x80 ? buf[off] : readVarint(buf, off);
}

function tableKeys(type: number, cells: readonly Uint8Array[]): (number | bigint)[] | null {
  if (type !== PAGE_TABLE_LEAF && type !== PAGE_TABLE_INTERIOR) return null;
  return cells.map((c) => cellRowid(type, c, 0));
}

let maxLocalUsable = 0;
let maxLocalValue = 0;
/** Largest payload an index cell keeps entirely on its page. */
export function indexMaxLocal(usable: number): number {
  if (usable !== maxLocalUsable) {
    maxLocalUsable = usable;
    maxLocalValue = Math.floor(((usable - 12) * 64) / 255) - 23;
  }
  return maxLocalValue;
}

/** Size in bytes of the cell at `buf[off]`. */
export function cellSize(type: number, buf: Uint8Array, off: number, usable: number): number {
  return parseCell(type, buf, off, usable, scratch).size;
}

export class BtreePage {
  /** Offset of the page header: 100 on page 1, else 0. */
  readonly headerOffset: number;
  type: number;
  /** Cached from `type` (hot in cursor loops). */
  private leaf: boolean;
  /** Offset of the cell pointer array in the image. */
  private readonly pointerBase: number;
  private nCells: number;
  rightChild: number;
  /** Materialized cells (mutable pages only). */
  private cells: Uint8Array[] | null = null;
  /** Cell offsets of a read-only page, decoded on first use. */
  private offsetCache: Uint16Array | null = null;
  /** Rowid keys of a read-only table page, decoded on first use (null when one is a bigint). */
  private keyCache: Float64Array | null | undefined = undefined;
  /**
   * Rowids of a mutable table page's cells, kept beside them: binary searches
   * then scan one packed array instead of chasing one buffer per cell.
   */
  private keys: (number | bigint)[] | null = null;
  private used = 0;

  private constructor(
    readonly pageNo: number,
    private readonly image: Uint8Array,
    readonly usable: number,
    type: number,
    nCells: number,
    rightChild: number,
  ) {
    this.headerOffset = pageNo === 1 ? DB_HEADER_SIZE : 0;
    this.type = type;
    this.leaf = isLeafType(type);
    this.pointerBase = this.headerOffset + (this.leaf ? 8 : 12);
    this.nCells = nCells;
    this.rightChild = rightChild;
  }

  /** A read-only view of a page image; validates the header. */
  static parse(pageNo: number, image: Uint8Array, usable: number): BtreePage {
    const h = pageNo === 1 ? DB_HEADER_SIZE : 0;
    const type = image[h];
    if (!isValidPageType(type)) corrupt(`page ${pageNo} has invalid type ${type}`);
    const nCells = readU16(image, h + 3);
    const leaf = isLeafType(type);
    const headerSize = leaf ? 8 : 12;
    if (h + headerSize + 2 * nCells > usable) corrupt(`page ${pageNo} cell count ${nCells}`);
    const right = leaf ? 0 : readU32(image, h + 8);
    return new BtreePage(pageNo, image, usable, type, nCells, right);
  }

  /** A new, empty, mutable page. */
  static empty(pageNo: number, type: number, usable: number): BtreePage {
    const page = new BtreePage(pageNo, EMPTY_IMAGE, usable, type, 0, 0);
    page.cells = [];
    page.keys = tableKeys(type, page.cells);
    return page;
  }

  get isLeaf(): boolean {
    return this.leaf;
  }

  get isMutable(): boolean {
    return this.cells !== null;
  }

  get cellCount(): number {
    return this.nCells;
  }

  get headerSize(): number {
    return this.leaf ? 8 : 12;
  }

  /** The original image (read-only pages; freeblock checks). */
  get rawImage(): Uint8Array {
    return this.image;
  }

  /** Buffer holding cell `i`; read it at `cellOffset(i)`. */
  cellBuffer(i: number): Uint8Array {
    return this.cells !== null ? this.cells[i] : this.image;
  }

  cellOffset(i: number): number {
    if (this.cells !== null) return 0;
    return (this.offsetCache ?? this.cellOffsets())[i];
  }

  /**
   * The cell pointers of a read-only page, checked and decoded once (its image
   * never changes): cellOffset, called for nearly every cell a cursor reads,
   * then stays small enough for V8 to inline into the cursor loops.
   */
  private cellOffsets(): Uint16Array {
    const offsets = new Uint16Array(this.nCells);
    const first = this.pointerBase + 2 * this.nCells;
    for (let i = 0; i < this.nCells; i++) {
      const ptr = readU16(this.image, this.pointerBase + 2 * i);
      if (ptr < first || ptr >= this.usable) corrupt(`page ${this.pageNo} cell pointer`);
      offsets[i] = ptr;
    }
    this.offsetCache = offsets;
    return offsets;
  }

  /** Cell `i` as its own view (mutable pages: the stored cell). */
  cell(i: number): Uint8Array {
    if (this.cells !== null) return this.cells[i];
    const off = this.cellOffset(i);
    const size = cellSize(this.type, this.image, off, this.usable);
    if (off + size > this.usable) corrupt(`page ${this.pageNo} cell extends past page end`);
    return this.image.subarray(off, off + size);
  }

  /** Left child page of interior cell `i`; `i === cellCount` gives the right child. */
  childAt(i: number): number {
    if (i === this.nCells) return this.rightChild;
    return readU32(this.cellBuffer(i), this.cellOffset(i));
  }

  /** Decoded rowid keys of a read-only table page (its image never changes), or null. */
  rowidKeys(): Float64Array | null {
    if (this.cells !== null) return null;
    if (this.keyCache === undefined) {
      const keys = new Float64Array(this.nCells);
      let ok = true;
      for (let i = 0; i < this.nCells && ok; i++) {
        const k = cellRowid(this.type, this.image, this.cellOffset(i));
        if (typeof k === "bigint") ok = false;
        else keys[i] = k;
      }
      this.keyCache = ok ? keys : null;
    }
    return this.keyCache;
  }

  /** Rowid key of cell `i` of a table page. */
  rowidAt(i: number): number | bigint {
    if (this.keys !== null) return this.keys[i];
    // Scans and lookups read most rowids of a page: decoding them all once is cheaper than one varint per call.
    const cached = this.keyCache === undefined && this.cells === null ? this.rowidKeys() : this.keyCache;
    if (cached) return cached[i];
    return cellRowid(this.type, this.cellBuffer(i), this.cellOffset(i));
  }

  /** A mutable copy of this page (the same object if already mutable). */
  materialize(): BtreePage {
    if (this.cells !== null) return this;
    const copy = new BtreePage(this.pageNo, this.image, this.usable, this.type, this.nCells, this.rightChild);
    const cells = new Array<Uint8Array>(this.nCells);
    let used = 0;
    for (let i = 0; i < this.nCells; i++) {
      cells[i] = this.cell(i);
      used += cells[i].length + 2;
    }
    copy.cells = cells;
    copy.used = used;
    copy.keys = tableKeys(this.type, cells);
    return copy;
  }

  /** Free bytes (negative when overfull). Mutable pages only. */
  freeSpace(): number {
    return this.usable - this.headerOffset - this.headerSize - this.used;
  }

  /** Bytes used by cells and their pointers. Mutable pages only. */
  get usedBytes(): number {
    return this.used;
  }

  /** The cell list of a mutable page (do not modify the cell buffers). */
  cellList(): readonly Uint8Array[] {
    return this.mutableCells();
  }

  /** Inserts `cell` at position `i`; `rowid` is its key in a table page (decoded from the cell when not given). */
  insertCell(i: number, cell: Uint8Array, rowid?: number | bigint): void {
    const cells = this.mutableCells();
    const keys = this.keys;
    // Appending (bulk loads) is the common case: push, no splice.
    if (i === cells.length) cells.push(cell);
    else cells.splice(i, 0, cell);
    if (keys !== null) {
      const key = rowid ?? cellRowid(this.type, cell, 0);
      if (i === keys.length) keys.push(key);
      else keys.splice(i, 0, key);
    }
    this.used += cell.length + 2;
    this.nCells++;
  }

  replaceCell(i: number, cell: Uint8Array): void {
    const cells = this.mutableCells();
    this.used += cell.length - cells[i].length;
    cells[i] = cell;
    if (this.keys !== null) this.keys[i] = cellRowid(this.type, cell, 0);
  }

  removeCell(i: number): Uint8Array {
    const cells = this.mutableCells();
    const [cell] = cells.splice(i, 1);
    this.keys?.splice(i, 1);
    this.used -= cell.length + 2;
    this.nCells--;
    return cell;
  }

  /** Replaces all cells (balancing). */
  setCells(cells: Uint8Array[], type: number, rightChild: number): void {
    this.cells = cells;
    this.type = type;
    this.leaf = isLeafType(type);
    this.rightChild = rightChild;
    this.nCells = cells.length;
    let used = 0;
    for (const c of cells) used += c.length + 2;
    this.used = used;
    this.keys = tableKeys(type, cells);
  }

  /** Sets the left-child pointer of interior cell `i` (copying the cell), or the right child. */
  setChild(i: number, child: number): void {
    if (i === this.nCells) {
      this.rightChild = child;
      return;
    }
    const cells = this.mutableCells();
    const copy = cells[i].slice();
    writeU32(copy, 0, child);
    cells[i] = copy;
  }

  /** Lays the page out; `header` supplies bytes 0..99 of page 1. */
  serialize(pageSize: number, header?: Uint8Array): Uint8Array {
    const cells = this.mutableCells();
    const out = new Uint8Array(pageSize);
    const h = this.headerOffset;
    if (h > 0 && header) out.set(header.subarray(0, DB_HEADER_SIZE));
    out[h] = this.type;
    writeU16(out, h + 3, cells.length);
    let ptr = h + this.headerSize;
    let content = this.usable;
    for (const c of cells) {
      content -= c.length;
      out.set(c, content);
      writeU16(out, ptr, content);
      ptr += 2;
    }
    if (ptr > content) corrupt(`page ${this.pageNo} overfull at serialize`);
    writeU16(out, h + 5, content === 65536 ? 0 : content);
    if (!this.isLeaf) writeU32(out, h + 8, this.rightChild);
    return out;
  }

  private mutableCells(): Uint8Array[] {
    if (this.cells === null) throw new SqliteError("page is read-only", "SQLITE_INTERNAL");
    return this.cells;
  }
}

const EMPTY_IMAGE = new Uint8Array(0);
