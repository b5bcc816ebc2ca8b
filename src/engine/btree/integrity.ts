// checkIntegrity: verifies a database state the way PRAGMA integrity_check
// does, and a bit more: every page is used exactly once (tree, overflow chain
// or freelist) and the pending-byte page never; page headers, cell pointers,
// cells, freeblocks and fragment counts account for every byte of each page's
// content area; keys are ordered within and across pages (table keys against
// their dividers, index entries in order under the caller's comparator);
// all leaves are at one depth; overflow chains have the length their payload
// needs; the freelist matches the header. Also reports per-tree fill.
//
// Every walk is bounded by the page count, so corrupt files cannot hang it.

import type { SqlValue } from "../value/types.js";
import { isWriter } from "./context.js";
import type { IndexKeyComparator } from "./cursor.js";
import { TableCursor } from "./cursor.js";
import { HDR, isLeafType, pageTypeFor, pendingBytePage, type TreeKind } from "./format.js";
import { BtreePage, newCellInfo, parseCell, type CellInfo } from "./page.js";
import { readPayload } from "./payload.js";
import { decodeRecord, RecordReader } from "./record.js";
import type { ReadTransaction } from "./transaction.js";
import { readU16, readU32 } from "./varint.js";

export interface TreeSpec {
  root: number;
  kind: TreeKind;
  name?: string;
  /** Ordering of an index tree's keys; without it index order is not checked. */
  compare?: IndexKeyComparator;
}

export interface TreeFill {
  name: string;
  root: number;
  pages: number;
  entries: number;
  /** Bytes used by cells and pointers over bytes available, over all pages of the tree. */
  fill: number;
}

export interface IntegrityReport {
  ok: boolean;
  errors: string[];
  trees: TreeFill[];
  freePages: number;
}

export interface IntegrityOptions {
  /** Trees to check; default: sqlite_schema and every tree it lists. */
  trees?: TreeSpec[];
  /** Comparator for a discovered index tree (by schema name). */
  comparatorFor?: (name: string) => IndexKeyComparator | undefined;
  maxErrors?: number;
}

/** Trees listed in sqlite_schema (plus the schema tree itself). */
export function schemaTrees(tx: ReadTransaction): TreeSpec[] {
  const trees: TreeSpec[] = [{ root: 1, kind: "table", name: "sqlite_schema" }];
  const c = new TableCursor(tx, 1);
  for (let ok = c.first(); ok; ok = c.next()) {
    const r = c.record();
    const type = r.column(0);
    const root = r.column(3);
    const sql = r.column(4);
    if (typeof root !== "number" || root <= 0) continue;
    const withoutRowid = typeof sql === "string" && /without\s+rowid/i.test(sql);
    const kind: TreeKind = type === "table" && !withoutRowid ? "table" : "index";
    trees.push({ root, kind, name: String(r.column(1)) });
  }
  return trees;
}

export function checkIntegrity(tx: ReadTransaction, options: IntegrityOptions = {}): IntegrityReport {
  return new Checker(tx, options.maxErrors ?? 100).run(options);
}

class Checker {
  private readonly errors: string[] = [];
  private readonly owner: Int32Array;
  private readonly info: CellInfo = newCellInfo();
  private readonly reader = new RecordReader();
  private readonly pageCount: number;
  private fillUsed = 0;
  private fillAvail = 0;
  private pages = 0;
  private entries = 0;
  private leafDepth = -1;

  constructor(
    private readonly tx: ReadTransaction,
    private readonly maxErrors: number,
  ) {
    this.pageCount = tx.pageCount;
    this.owner = new Int32Array(this.pageCount + 1);
  }

  run(options: IntegrityOptions): IntegrityReport {
    const trees: TreeFill[] = [];
    let specs: TreeSpec[] = [];
    try {
      specs = options.trees ?? schemaTrees(this.tx).map((t) => ({ ...t, compare: t.kind === "index" && t.name ? options.comparatorFor?.(t.name) : undefined }));
    } catch (e) {
      this.error(`cannot read sqlite_schema: ${(e as Error).message}`);
    }
    for (const spec of specs) {
      this.pages = 0;
      this.entries = 0;
      this.fillUsed = 0;
      this.fillAvail = 0;
      this.leafDepth = -1;
      try {
        this.checkTree(spec);
      } catch (e) {
        this.error(`tree ${spec.name ?? spec.root}: ${(e as Error).message}`);
      }
      trees.push({
        name: spec.name ?? String(spec.root),
        root: spec.root,
        pages: this.pages,
        entries: this.entries,
        fill: this.fillAvail > 0 ? this.fillUsed / this.fillAvail : 0,
      });
    }
    const freePages = this.checkFreelist();
    this.checkAllPagesUsed();
    const h = (f: keyof typeof HDR) => this.tx.getHeader(f);
    // A write transaction's header gets its page count at commit, so only committed states are compared.
    if (!isWriter(this.tx) && h("versionValidFor") === h("changeCounter") && h("pageCount") !== this.pageCount) {
      this.error(`header page count ${h("pageCount")} but database has ${this.pageCount} pages`);
    }
    return { ok: this.errors.length === 0, errors: this.errors, trees, freePages };
  }

  private error(msg: string): void {
    if (this.errors.length < this.maxErrors) this.errors.push(msg);
  }

  /** Marks `pageNo` as used by `what`; false if it is out of range or already used. */
  private claim(pageNo: number, what: string): boolean {
    if (pageNo < 1 || pageNo > this.pageCount) {
      this.error(`${what}: page ${pageNo} out of range 1..${this.pageCount}`);
      return false;
    }
    if (this.owner[pageNo] !== 0) {
      this.error(`${what}: page ${pageNo} used twice`);
      return false;
    }
    this.owner[pageNo] = 1;
    return true;
  }

  private checkTree(spec: TreeSpec): void {
    const order: { prev: SqlValue[] | null } = { prev: null };
    this.checkPage(spec, spec.root, 0, null, null, order);
  }

  /** Table keys in subtree must lie in (lower, upper]; index entries are checked in traversal order. */
  private checkPage(
    spec: TreeSpec,
    pageNo: number,
    depth: number,
    lower: number | bigint | null,
    upper: number | bigint | null,
    order: { prev: SqlValue[] | null },
  ): void {
    const where = `page ${pageNo} (tree ${spec.name ?? spec.root})`;
    if (depth > 64) return this.error(`${where}: tree too deep`);
    if (!this.claim(pageNo, where)) return;
    let page: BtreePage;
    try {
      page = this.tx.page(pageNo);
    } catch (e) {
      return this.error(`${where}: ${(e as Error).message}`);
    }
    this.pages++;
    if (page.type !== pageTypeFor(spec.kind, true) && page.type !== pageTypeFor(spec.kind, false)) {
      return this.error(`${where}: page type ${page.type} does not belong in a ${spec.kind} tree`);
    }
    if (page.cellCount === 0 && (pageNo !== spec.root || !page.isLeaf)) this.error(`${where}: no cells`);
    const leaf = isLeafType(page.type);
    if (leaf) {
      if (this.leafDepth === -1) this.leafDepth = depth;
      else if (this.leafDepth !== depth) this.error(`${where}: leaf at depth ${depth}, others at ${this.leafDepth}`);
    }
    this.checkLayout(page, where);
    const n = page.cellCount;
    let prevKey = lower;
    for (let i = 0; i <= n; i++) {
      if (!leaf) {
        const childUpper = i < n && spec.kind === "table" ? page.rowidAt(i) : upper;
        this.checkPage(spec, page.childAt(i), depth + 1, prevKey, childUpper, order);
      }
      if (i === n) break;
      const buf = page.cellBuffer(i);
      const off = page.cellOffset(i);
      parseCell(page.type, buf, off, page.usable, this.info);
      const info = { ...this.info };
      if (spec.kind === "table") {
        const key = page.rowidAt(i);
        if ((prevKey !== null && key <= prevKey) || (upper !== null && key > upper)) {
          this.error(`${where}: rowid ${key} out of order (after ${prevKey}, limit ${upper})`);
        }
        prevKey = key;
        if (leaf) this.entries++;
      } else {
        this.entries++;
        this.checkIndexOrder(spec, page, i, order, where);
      }
      if (info.overflowPage !== 0) this.checkOverflow(info, where);
    }
  }

  private checkIndexOrder(spec: TreeSpec, page: BtreePage, i: number, order: { prev: SqlValue[] | null }, where: string): void {
    const key = readPayload(this.tx, page.cellBuffer(i), page.cellOffset(i), parseCell(page.type, page.cellBuffer(i), page.cellOffset(i), page.usable, this.info));
    if (spec.compare === undefined) return;
    this.reader.reset(key, 0, key.length);
    if (order.prev !== null && spec.compare(this.reader, order.prev) <= 0) this.error(`${where}: index entry ${i} out of order`);
    order.prev = decodeRecord(key);
  }

  private checkOverflow(info: CellInfo, where: string): void {
    const chunk = this.tx.usable - 4;
    const expected = Math.ceil((info.payloadSize - info.localSize) / chunk);
    let pageNo = info.overflowPage;
    for (let k = 0; k < expected; k++) {
      if (!this.claim(pageNo, `${where}: overflow chain`)) return;
      const next = readU32(this.tx.raw(pageNo), 0);
      if (k === expected - 1 && next !== 0) this.error(`${where}: overflow chain longer than its payload needs`);
      if (k < expected - 1 && next === 0) return this.error(`${where}: overflow chain ends early`);
      pageNo = next;
    }
  }

  /** Cells, freeblocks and fragments must exactly cover the content area; pointers must not reach into it. */
  private checkLayout(page: BtreePage, where: string): void {
    const usable = page.usable;
    if (page.isMutable) {
      if (page.freeSpace() < 0) this.error(`${where}: overfull`);
      this.fillUsed += page.usedBytes;
      this.fillAvail += usable - page.headerOffset - page.headerSize;
      return;
    }
    const img = page.rawImage;
    const h = page.headerOffset;
    const n = page.cellCount;
    const ptrEnd = h + page.headerSize + 2 * n;
    const rawStart = readU16(img, h + 5);
    const contentStart = rawStart === 0 ? 65536 : rawStart;
    if (contentStart < ptrEnd || contentStart > usable) return this.error(`${where}: content area starts at ${contentStart}`);
    const spans: number[] = [];
    let cellBytes = 0;
    for (let i = 0; i < n; i++) {
      const off = readU16(img, ptrEnd - 2 * n + 2 * i);
      const size = parseCell(page.type, img, off, usable, this.info).size;
      if (off < contentStart || off + size > usable) return this.error(`${where}: cell ${i} at ${off}+${size} outside content area`);
      spans.push(off, size);
      cellBytes += size + 2;
    }
    let fb = readU16(img, h + 1);
    let prevEnd = 0;
    for (let guard = 0; fb !== 0; guard++) {
      if (guard > usable / 4 || fb < contentStart || fb + 4 > usable || fb < prevEnd) return this.error(`${where}: bad freeblock at ${fb}`);
      const size = readU16(img, fb + 2);
      if (size < 4 || fb + size > usable) return this.error(`${where}: freeblock at ${fb} has size ${size}`);
      spans.push(fb, size);
      prevEnd = fb + size;
      fb = readU16(img, fb);
    }
    const order = Array.from({ length: spans.length / 2 }, (_, k) => k).sort((a, b) => spans[2 * a] - spans[2 * b]);
    let covered = 0;
    let end = contentStart;
    for (const k of order) {
      const start = spans[2 * k];
      if (start < end) return this.error(`${where}: cells or freeblocks overlap at ${start}`);
      covered += spans[2 * k + 1];
      end = start + spans[2 * k + 1];
    }
    const frag = img[h + 7];
    if (usable - contentStart - covered !== frag) {
      this.error(`${where}: fragmentation of ${usable - contentStart - covered} bytes reported as ${frag}`);
    }
    this.fillUsed += cellBytes;
    this.fillAvail += usable - h - page.headerSize;
  }

  private checkFreelist(): number {
    const total = this.tx.getHeader("freelistCount");
    let trunk = this.tx.getHeader("firstFreelistTrunk");
    let seen = 0;
    const maxLeaves = this.tx.usable / 4 - 2;
    for (let guard = 0; trunk !== 0; guard++) {
      if (guard > this.pageCount || !this.claim(trunk, "freelist trunk")) break;
      seen++;
      const data = this.tx.raw(trunk);
      const leaves = readU32(data, 4);
      if (leaves > maxLeaves) {
        this.error(`freelist trunk ${trunk} claims ${leaves} leaves`);
        break;
      }
      for (let i = 0; i < leaves; i++) if (this.claim(readU32(data, 8 + 4 * i), `freelist leaf of trunk ${trunk}`)) seen++;
      trunk = readU32(data, 0);
    }
    if (seen !== total) this.error(`freelist holds ${seen} pages but header says ${total}`);
    return seen;
  }

  private checkAllPagesUsed(): void {
    const pending = pendingBytePage(this.tx.pageSize);
    for (let p = 1; p <= this.pageCount; p++) {
      if (p === pending) {
        if (this.owner[p] !== 0) this.error(`pending-byte page ${p} is in use`);
      } else if (this.owner[p] === 0) this.error(`page ${p} is never used`);
    }
  }
}
