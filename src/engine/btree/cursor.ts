// Cursors over table and index B-trees: positioning (first, last, seek),
// stepping (next, prev), reading the current entry, and — in a write
// transaction — insert and delete with balancing.
//
// Position model: a stack of pages from the root, `idx[d]` the cell (leaf) or
// child (interior) index at depth d. In table trees entries live only in
// leaves. In index trees interior cells are entries too: at an interior depth,
// `idx[d]` is both the child being visited and the entry that follows it.
//
// After any change to a tree, every cursor on it (other than the one making
// the change) saves its position as a key and seeks back lazily; the cursor
// that changes the tree is left positioned on the inserted entry, or, after a
// delete, between the neighbours of the deleted entry (next/prev step to them).

import { SqliteError } from "../errors.js";
import type { SqlValue } from "../value/types.js";
import { isWriter, type SavableCursor, type TreeReader, type TreeWriter } from "./context.js";
import { indexMaxLocal, newCellInfo, parseCell, type BtreePage } from "./page.js";
import { rebalance } from "./balance.js";
import { buildIndexCell, buildTableLeafCell, buildTableLeafCellOfRow, freeOverflow, readPayload, toIndexInteriorCell } from "./payload.js";
import { decodeRecord, encodeRecord, RecordReader } from "./record.js";
import { UNRECORDED_ROW } from "./transaction-log.js";
import { lastVarintLength, readVarint32 } from "./varint.js";

/**
 * Orders an index cell's key against a probe: negative if the cell sorts
 * before the probe, 0 if equal, positive after. The probe is an unpacked key,
 * possibly a prefix of the index columns (then equality on the prefix is 0).
 * The cell arrives as a RecordReader so only the needed columns get decoded.
 */
export type IndexKeyComparator = (cellKey: RecordReader, probe: readonly SqlValue[]) => number;

export type SeekMode = "eq" | "ge" | "gt" | "le" | "lt";

const MAX_DEPTH = 40;

const enum State {
  Invalid,
  Valid,
  /** Position remembered as a key (tree changed under the cursor). */
  Saved,
  /** The entry under the cursor was deleted; the saved key is where it was. */
  Deleted,
}

abstract class BtreeCursor implements SavableCursor {
  protected pages: BtreePage[] = [];
  protected idx: number[] = [];
  protected depth = 0;
  protected state = State.Invalid;
  /** Set by a failed seek("eq"): the stack is at this rowid's insertion slot until the cursor moves. */
  protected insertSlotFor: number | bigint | null = null;
  protected readonly info = newCellInfo();
  protected readonly reader = new RecordReader();
  private closed = false;

  constructor(
    protected ctx: TreeReader,
    readonly root: number,
    private readonly interiorEntries: boolean,
  ) {
    if (isWriter(ctx)) ctx.registerCursor(this);
  }

  /** True when positioned on an entry. */
  get isValid(): boolean {
    if (this.state === State.Saved) this.restoreExact();
    return this.state === State.Valid;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (isWriter(this.ctx)) this.ctx.unregisterCursor(this);
  }

  /**
   * Closes the cursor and reopens it, unpositioned, on the same tree in
   * another transaction of the same file: cheaper than a new cursor for
   * statements that run once per transaction (autocommit lookups).
   */
  reattach(ctx: TreeReader): void {
    this.close();
    this.closed = false;
    this.ctx = ctx;
    this.depth = 0;
    this.state = State.Invalid;
    this.insertSlotFor = null;
    if (isWriter(ctx)) ctx.registerCursor(this);
  }

  first(): boolean {
    this.insertSlotFor = null;
    this.depth = 0;
    this.pushLeftmost(this.root);
    return this.settle();
  }

  last(): boolean {
    this.insertSlotFor = null;
    this.depth = 0;
    this.pushRightmost(this.root);
    return this.settle();
  }

  next(): boolean {
    this.insertSlotFor = null;
    if (this.state === State.Saved || this.state === State.Deleted) return this.restoreThenStep(true);
    if (this.state !== State.Valid) return false;
    const d = this.depth - 1;
    const page = this.pages[d];
    if (!page.isLeaf) {
      this.idx[d]++;
      this.pushLeftmost(page.childAt(this.idx[d]));
      return this.settle();
    }
    if (++this.idx[d] < page.cellCount) return true;
    return this.ascendForward();
  }

  prev(): boolean {
    this.insertSlotFor = null;
    if (this.state === State.Saved || this.state === State.Deleted) return this.restoreThenStep(false);
    if (this.state !== State.Valid) return false;
    const d = this.depth - 1;
    const page = this.pages[d];
    if (!page.isLeaf) {
      this.pushRightmost(page.childAt(this.idx[d]));
      return this.settle();
    }
    if (--this.idx[d] >= 0) return true;
    return this.ascendBackward();
  }

  /** Number of entries in the tree (walks every page). */
  count(): number {
    return countEntries(this.ctx, this.root, this.interiorEntries);
  }

  /** @internal Remembers the position as a key (called before another cursor changes the tree). */
  savePosition(): void {
    this.insertSlotFor = null;
    if (this.state !== State.Valid) return;
    this.saveKey();
    this.state = State.Saved;
  }

  protected abstract saveKey(): void;
  /** Binary-search predicate: does cell `i` of `page` sort before the seek target? */
  protected abstract isBefore(page: BtreePage, i: number, strict: boolean): boolean;
  /** Positions at the saved key: first entry >= it (`strict`: > it). Returns exact-match. */
  protected abstract seekSaved(strict: boolean): void;

  /**
   * Descends from the root to the leaf slot of the target: at every page the
   * first cell not before it. The slot may be one past the leaf's last cell.
   */
  protected descendToSlot(strict: boolean): void {
    this.insertSlotFor = null;
    this.depth = 0;
    let pageNo = this.root;
    for (let guard = 0; ; guard++) {
      if (guard > 64) corruptTree(this.root);
      const page = this.ctx.page(pageNo);
      const lo = this.slotIn(page, strict);
      this.push(page, lo);
      if (page.isLeaf) break;
      pageNo = page.childAt(lo);
    }
    this.state = State.Valid;
  }

  /** Binary search of one page: the first cell not before the target (cellCount if none). */
  protected slotIn(page: BtreePage, strict: boolean): number {
    let lo = 0;
    let hi = page.cellCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.isBefore(page, mid, strict)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Positions on the first entry not before the target; Invalid if there is none. */
  protected lowerBound(strict: boolean): boolean {
    this.descendToSlot(strict);
    const d = this.depth - 1;
    if (this.idx[d] < this.pages[d].cellCount) return true;
    // Past the leaf's end: the following entry is up the stack.
    return this.ascendForward();
  }

  /** True when positioned on the tree's last entry (a leaf entry, all ancestors at their right child). */
  protected onLastEntry(): boolean {
    if (this.state !== State.Valid || !this.pages[this.depth - 1].isLeaf) return false;
    const d = this.depth - 1;
    if (this.idx[d] !== this.pages[d].cellCount - 1) return false;
    for (let k = 0; k < d; k++) if (this.idx[k] !== this.pages[k].cellCount) return false;
    return true;
  }

  /** True when the cursor's slot is past the last entry of the tree. */
  protected atRightEdge(): boolean {
    for (let d = 0; d < this.depth; d++) if (this.idx[d] < this.pages[d].cellCount) return false;
    return true;
  }

  /** Positions at the last entry before the target (`inclusive`: at or before). */
  protected upperBoundPrev(inclusive: boolean): boolean {
    if (this.lowerBound(inclusive)) return this.prev();
    return this.last();
  }

  protected leaf(): BtreePage {
    return this.pages[this.depth - 1];
  }

  /** Whether the stack's leaf is still the transaction's page (not after a rollback to a mark, which may even have dropped the page). */
  protected leafIsCurrent(): boolean {
    const leaf = this.leaf();
    return leaf.pageNo <= this.ctx.pageCount && this.ctx.page(leaf.pageNo) === leaf;
  }

  protected currentCell(): number {
    this.requireValid();
    const page = this.pages[this.depth - 1];
    return parseCell(page.type, page.cellBuffer(this.idx[this.depth - 1]), page.cellOffset(this.idx[this.depth - 1]), page.usable, this.info).size;
  }

  protected requireValid(): void {
    if (this.state === State.Valid) return;
    if (this.state === State.Saved) this.restoreExact();
    if (!this.onEntry()) throw new SqliteError("cursor is not on an entry", "SQLITE_MISUSE");
  }

  protected writer(): TreeWriter {
    if (!isWriter(this.ctx)) throw new SqliteError("attempt to write a readonly database", "SQLITE_READONLY");
    return this.ctx;
  }

  /** Page numbers and child indexes from the root to the cursor's page (for rebalance). */
  protected path(): { pages: number[]; childIndex: number[] } {
    const pages: number[] = [];
    const childIndex: number[] = [];
    for (let d = 0; d < this.depth; d++) {
      pages.push(this.pages[d].pageNo);
      childIndex.push(this.idx[d]);
    }
    return { pages, childIndex };
  }

  /** Replaces the stack entry at depth d with the now-mutable page. */
  protected refresh(d: number, page: BtreePage): void {
    this.pages[d] = page;
  }

  protected markDeleted(): void {
    this.state = State.Deleted;
  }

  protected markSaved(): void {
    this.state = State.Saved;
  }

  private onEntry(): boolean {
    return this.state === State.Valid;
  }

  private restoreExact(): void {
    this.seekSaved(false);
    if (this.state === State.Valid && !this.atSavedKey()) this.state = State.Invalid;
  }

  protected abstract atSavedKey(): boolean;

  private restoreThenStep(forward: boolean): boolean {
    if (forward) {
      // First entry > saved key (if the saved entry still exists, that is its successor).
      this.seekSaved(true);
      return this.state === State.Valid;
    }
    this.seekSaved(false);
    if (this.state === State.Valid) return this.prev();
    return this.last();
  }

  private push(page: BtreePage, i: number): void {
    // Real trees are far shallower; deeper means a cycle in corrupt child pointers.
    if (this.depth >= MAX_DEPTH) corruptTree(this.root);
    this.pages[this.depth] = page;
    this.idx[this.depth] = i;
    this.depth++;
  }

  private pushLeftmost(pageNo: number): void {
    for (let guard = 0; ; guard++) {
      if (guard > 64) corruptTree(this.root);
      const page = this.ctx.page(pageNo);
      this.push(page, 0);
      if (page.isLeaf) return;
      pageNo = page.childAt(0);
    }
  }

  private pushRightmost(pageNo: number): void {
    for (let guard = 0; ; guard++) {
      if (guard > 64) corruptTree(this.root);
      const page = this.ctx.page(pageNo);
      if (page.isLeaf) {
        this.push(page, page.cellCount - 1);
        return;
      }
      this.push(page, page.cellCount);
      pageNo = page.childAt(page.cellCount);
    }
  }

  /** After pushLeftmost/Rightmost: valid unless the leaf is empty (only an empty root leaf can be). */
  private settle(): boolean {
    const d = this.depth - 1;
    this.state = State.Valid;
    if (this.idx[d] >= 0 && this.idx[d] < this.pages[d].cellCount) return true;
    return this.idx[d] < 0 ? this.ascendBackward() : this.ascendForward();
  }

  /** The leaf below is exhausted: climb to the next entry in key order. */
  private ascendForward(): boolean {
    let d = this.depth - 1;
    for (;;) {
      if (d === 0) return this.invalidate();
      this.depth = d;
      d--;
      const up = this.pages[d];
      if (this.idx[d] < up.cellCount) {
        if (this.interiorEntries) return true;
        this.idx[d]++;
        this.pushLeftmost(up.childAt(this.idx[d]));
        return this.settle();
      }
    }
  }

  /** The leaf below is exhausted backwards: climb to the previous entry. */
  private ascendBackward(): boolean {
    let d = this.depth - 1;
    for (;;) {
      if (d === 0) return this.invalidate();
      this.depth = d;
      d--;
      if (this.idx[d] > 0) {
        this.idx[d]--;
        if (this.interiorEntries) return true;
        this.pushRightmost(this.pages[d].childAt(this.idx[d]));
        return this.settle();
      }
    }
  }

  private invalidate(): boolean {
    this.state = State.Invalid;
    this.depth = 0;
    return false;
  }
}

function corruptTree(root: number): never {
  throw new SqliteError(`database disk image is malformed (tree ${root} too deep or cyclic)`, "SQLITE_CORRUPT");
}

/** Rowids compare with ===, so a bigint inside the safe range must become a number. */
function canonicalRowid(rowid: number | bigint): number | bigint {
  if (typeof rowid === "bigint") return rowid >= -9007199254740991n && rowid <= 9007199254740991n ? Number(rowid) : rowid;
  if (!Number.isSafeInteger(rowid)) throw new SqliteError(`rowid ${rowid} is not an integer`, "SQLITE_MISMATCH");
  return rowid;
}

/** Cursor over a table B-tree: entries are (rowid, record payload), ordered by rowid. */
export class TableCursor extends BtreeCursor {
  private target: number | bigint = 0;
  private saved: number | bigint = 0;

  constructor(ctx: TreeReader, root: number) {
    super(ctx, root, false);
  }

  /** Positions per `mode` relative to `rowid`; returns whether an entry was found ("eq": exactly). */
  seek(rowid: number | bigint, mode: SeekMode = "eq"): boolean {
    rowid = canonicalRowid(rowid);
    this.target = rowid;
    switch (mode) {
      case "eq": {
        if (this.onLastEntry() && this.leafIsCurrent() && this.rowid() < rowid) {
          // Past the tree's last row (checking the next rowid of an append): absent, and its insertion slot is next door.
          this.idx[this.depth - 1]++;
          this.state = State.Invalid;
          this.insertSlotFor = rowid;
          return false;
        }
        if (this.seekInLeaf(rowid)) return true;
        this.descendToSlot(false);
        const d = this.depth - 1;
        const leaf = this.pages[d];
        if (this.idx[d] < leaf.cellCount) {
          if (leaf.rowidAt(this.idx[d]) === rowid) return true;
        } else {
          // Past the leaf's end: the key is absent (an equal key would be in this leaf).
          this.state = State.Invalid;
        }
        // An insert of this rowid can start from this slot without descending again.
        this.insertSlotFor = rowid;
        return false;
      }
      case "ge":
        return this.lowerBound(false);
      case "gt":
        return this.lowerBound(true);
      case "le":
        return this.upperBoundPrev(true);
      case "lt":
        return this.upperBoundPrev(false);
    }
  }

  /**
   * Lookups close together (a join probing in key order) often land in the
   * leaf the cursor is on: when `rowid` is within that leaf's keys, it can
   * only be there, and the descent from the root is skipped. True when found
   * (positioned on it); false leaves the search to the descent.
   */
  private seekInLeaf(rowid: number | bigint): boolean {
    if (this.state !== State.Valid || !this.leafIsCurrent()) return false;
    const d = this.depth - 1;
    const keys = this.pages[d].rowidKeys();
    if (keys === null || !(keys[0] <= rowid && rowid <= keys[keys.length - 1])) return false;
    const i = this.slotIn(this.pages[d], false);
    if (keys[i] !== rowid) return false;
    this.idx[d] = i;
    // The cursor moved: an insertion slot an earlier failed seek left is gone.
    this.insertSlotFor = null;
    return true;
  }

  rowid(): number | bigint {
    this.requireValid();
    return this.leaf().rowidAt(this.idx[this.depth - 1]);
  }

  /** The record bytes of the current row (a view when stored locally; assembled across overflow pages otherwise). */
  payload(): Uint8Array {
    this.currentCell();
    const page = this.leaf();
    const i = this.idx[this.depth - 1];
    return readPayload(this.ctx, page.cellBuffer(i), page.cellOffset(i), this.info);
  }

  /** A RecordReader on the current row, reused across rows (valid until the cursor moves). */
  record(): RecordReader {
    this.requireValid();
    return this.recordAt(this.pages[this.depth - 1], this.idx[this.depth - 1]);
  }

  /**
   * Visits the rows from the current one to the tree's end, in rowid order,
   * as (rowid, record) — the record reader valid only during its call — until
   * `visit` returns false (then returns false; true once the rows run out).
   * The same rows as next() with rowid() and record() per row, for less: within
   * a leaf the cells are walked directly. When the tree changes under the
   * cursor during a visit, it goes on from there as next() would.
   */
  forEachFromHere(visit: (rowid: number | bigint, record: RecordReader) => boolean): boolean {
    let ok = this.isValid;
    while (ok) {
      const d = this.depth - 1;
      const page = this.pages[d];
      const n = page.cellCount;
      const keys = page.rowidKeys();
      for (let i = this.idx[d]; i < n; i++) {
        this.idx[d] = i;
        if (!visit(keys !== null ? keys[i] : page.rowidAt(i), this.recordAt(page, i))) return false;
        // Another cursor changed the tree (the position is saved), or this leaf was replaced: step the careful way.
        if (this.state !== State.Valid || this.depth !== d + 1 || this.pages[d] !== page) break;
      }
      ok = this.next();
    }
    return true;
  }

  private recordAt(page: BtreePage, i: number): RecordReader {
    const buf = page.cellBuffer(i);
    const off = page.cellOffset(i);
    // Hot path (table scans): payload size, skip the rowid, and the payload is local.
    let p = off;
    let size = buf[p];
    if (size < 0x80) p++;
    else {
      size = readVarint32(buf, p);
      p += lastVarintLength;
    }
    for (let k = 0; k < 8 && buf[p] >= 0x80; k++) p++;
    p++;
    if (size <= page.usable - 35) return this.reader.reset(buf, p, p + size);
    parseCell(page.type, buf, off, page.usable, this.info);
    const full = readPayload(this.ctx, buf, off, this.info);
    return this.reader.reset(full, 0, full.length);
  }

  /** Inserts or replaces the row `rowid`; the cursor ends on it. */
  insert(rowid: number | bigint, record: Uint8Array): void {
    this.put(rowid, record, null, -1);
  }

  /** Like insert(rowid, encodeRecord(values, nullColumn)), encoding the record straight into its cell. */
  insertRow(rowid: number | bigint, values: readonly SqlValue[], nullColumn: number): void {
    this.put(rowid, null, values, nullColumn);
  }

  /** insert() of `record`, or when it is null of the record of `values` (see insertRow). */
  private put(rowid: number | bigint, record: Uint8Array | null, values: readonly SqlValue[] | null, nullColumn: number): void {
    rowid = canonicalRowid(rowid);
    const ctx = this.writer();
    ctx.beforeMutation(this.root, this);
    // The slot the descent reaches is where the key belongs; the next entry
    // may live in another subtree whose divider is only an upper bound.
    this.target = rowid;
    if (this.insertSlotFor === rowid) {
      // A failed seek("eq") for this rowid left the stack at its insertion slot.
      this.insertSlotFor = null;
    } else if (this.onLastEntry() && this.rowid() < rowid) {
      // Appending right after the last row (bulk loads): the slot is next door.
      this.idx[this.depth - 1]++;
    } else {
      this.descendToSlot(false);
    }
    const d = this.depth - 1;
    const leaf = this.ensureLeafWritable(ctx, d);
    const i = this.idx[d];
    const exact = i < leaf.cellCount && leaf.rowidAt(i) === rowid;
    const append = !exact && this.atRightEdge();
    const cell = record !== null ? buildTableLeafCell(ctx, rowid, record) : buildTableLeafCellOfRow(ctx, rowid, values ?? [], nullColumn);
    if (exact) {
      parseCell(leaf.type, leaf.cellBuffer(i), leaf.cellOffset(i), leaf.usable, this.info);
      freeOverflow(ctx, this.info);
      leaf.replaceCell(i, cell);
    } else {
      leaf.insertCell(i, cell, rowid);
    }
    // The cursor is on the new row: a next seek past it (appending) starts from here.
    this.state = State.Valid;
    if (ctx.rowOps !== null) {
      const logged = ctx.rowOpsKeysOnly ? UNRECORDED_ROW : record !== null ? record.slice() : encodeRecord(values ?? [], nullColumn);
      ctx.rowOps.push({ tree: this.root, index: false, rowid, record: logged });
    }
    this.finishChange(ctx, append, rowid);
  }

  /** Deletes the current row; next()/prev() then step to its neighbours. */
  delete(): void {
    const ctx = this.writer();
    this.requireValid();
    ctx.beforeMutation(this.root, this);
    const rowid = this.rowid();
    ctx.rowOps?.push({ tree: this.root, index: false, rowid, record: null });
    const d = this.depth - 1;
    const leaf = this.ensureLeafWritable(ctx, d);
    const i = this.idx[d];
    parseCell(leaf.type, leaf.cellBuffer(i), leaf.cellOffset(i), leaf.usable, this.info);
    freeOverflow(ctx, this.info);
    leaf.removeCell(i);
    const { pages, childIndex } = this.path();
    rebalance(ctx, pages, childIndex, false);
    this.saved = rowid;
    this.markDeleted();
  }

  protected saveKey(): void {
    this.saved = this.rowid();
  }

  protected atSavedKey(): boolean {
    return this.rowid() === this.saved;
  }

  protected seekSaved(strict: boolean): void {
    this.target = this.saved;
    this.lowerBound(strict);
  }

  /** The search runs over the page's decoded rowids when it has them (read-only pages without bigint keys). */
  protected override slotIn(page: BtreePage, strict: boolean): number {
    const keys = page.rowidKeys();
    if (keys === null) return super.slotIn(page, strict);
    const target = this.target;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strict ? keys[mid] <= target : keys[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  protected isBefore(page: BtreePage, i: number, strict: boolean): boolean {
    const keys = page.rowidKeys();
    const key = keys !== null ? keys[i] : page.rowidAt(i);
    return strict ? key <= this.target : key < this.target;
  }

  private ensureLeafWritable(ctx: TreeWriter, d: number): BtreePage {
    const page = ctx.writable(this.pages[d].pageNo);
    this.refresh(d, page);
    return page;
  }

  private finishChange(ctx: TreeWriter, append: boolean, rowid: number | bigint): void {
    if (this.leaf().freeSpace() >= 0) return;
    const { pages, childIndex } = this.path();
    rebalance(ctx, pages, childIndex, append);
    this.saved = rowid;
    this.markSaved();
  }
}

/** Cursor over an index B-tree (also WITHOUT ROWID tables): entries are key records. */
export class IndexCursor extends BtreeCursor {
  private probe: readonly SqlValue[] = [];
  private savedKey: Uint8Array = new Uint8Array(0);
  private readonly cmpReader = new RecordReader();

  constructor(
    ctx: TreeReader,
    root: number,
    private readonly compare: IndexKeyComparator,
  ) {
    super(ctx, root, true);
  }

  /**
   * Positions per `mode` relative to `probe` (a key prefix, compared by the
   * cursor's comparator): "ge" first entry >= probe, "gt" first > probe, "le"
   * last <= probe, "lt" last < probe, "eq" first entry equal to probe.
   */
  seek(probe: readonly SqlValue[], mode: SeekMode = "ge"): boolean {
    this.probe = probe;
    switch (mode) {
      case "eq":
        return this.lowerBound(false) && this.compare(this.record(), probe) === 0;
      case "ge":
        return this.lowerBound(false);
      case "gt":
        return this.lowerBound(true);
      case "le":
        return this.upperBoundPrev(true);
      case "lt":
        return this.upperBoundPrev(false);
    }
  }

  /** A RecordReader on the current key, reused across entries (valid until the cursor moves). */
  record(): RecordReader {
    this.requireValid();
    return this.readerFor(this.leaf(), this.idx[this.depth - 1], this.reader);
  }

  /** The current key's bytes (a view when local; a fresh buffer when it overflows). */
  key(): Uint8Array {
    this.currentCell();
    const page = this.leaf();
    const i = this.idx[this.depth - 1];
    return readPayload(this.ctx, page.cellBuffer(i), page.cellOffset(i), this.info);
  }

  /** Inserts `key` (an encoded record); an entry comparing equal under the full key is replaced. */
  insert(key: Uint8Array): void {
    const ctx = this.writer();
    ctx.beforeMutation(this.root, this);
    const full = decodeRecord(key);
    this.probe = full;
    // Index entries can always go into a leaf: the slot's neighbours (in the
    // leaf or the interior cells around it) sort before and after the key.
    this.descendToSlot(false);
    if (this.stepToEqualEntry(full)) {
      this.deleteHere(ctx);
      this.probe = full;
      this.descendToSlot(false);
    }
    const d = this.depth - 1;
    const append = this.atRightEdge();
    const leaf = ctx.writable(this.leaf().pageNo);
    this.refresh(d, leaf);
    leaf.insertCell(this.idx[d], buildIndexCell(ctx, key));
    ctx.rowOps?.push({ tree: this.root, index: true, key: key.slice(), present: true });
    this.savedKey = key;
    if (leaf.freeSpace() >= 0) return;
    const { pages, childIndex } = this.path();
    rebalance(ctx, pages, childIndex, append);
    this.markSaved();
  }

  /** Deletes the current entry; next()/prev() then step to its neighbours. */
  delete(): void {
    const ctx = this.writer();
    this.requireValid();
    ctx.beforeMutation(this.root, this);
    ctx.rowOps?.push({ tree: this.root, index: true, key: this.key().slice(), present: false });
    this.deleteHere(ctx);
  }

  /**
   * From a leaf slot, positions on the entry that follows it (in the leaf or
   * in an ancestor) if that entry equals `key`; otherwise leaves the slot as is.
   */
  private stepToEqualEntry(key: readonly SqlValue[]): boolean {
    let d = this.depth - 1;
    while (d >= 0 && this.idx[d] >= this.pages[d].cellCount) d--;
    if (d < 0 || this.compare(this.readerFor(this.pages[d], this.idx[d], this.cmpReader), key) !== 0) return false;
    this.depth = d + 1;
    return true;
  }

  protected saveKey(): void {
    this.savedKey = this.key().slice();
  }

  protected atSavedKey(): boolean {
    return this.compare(this.record(), decodeRecord(this.savedKey)) === 0;
  }

  protected seekSaved(strict: boolean): void {
    this.probe = decodeRecord(this.savedKey);
    this.lowerBound(strict);
  }

  protected isBefore(page: BtreePage, i: number, strict: boolean): boolean {
    const c = this.compare(this.readerFor(page, i, this.cmpReader), this.probe);
    return strict ? c <= 0 : c < 0;
  }

  private readerFor(page: BtreePage, i: number, reader: RecordReader): RecordReader {
    const buf = page.cellBuffer(i);
    const off = page.cellOffset(i);
    // Hot path (every comparison of a seek): a local key needs no full cell parse.
    let p = page.isLeaf ? off : off + 4;
    let size = buf[p];
    if (size < 0x80) p++;
    else {
      size = readVarint32(buf, p);
      p += lastVarintLength;
    }
    if (size <= indexMaxLocal(page.usable)) return reader.reset(buf, p, p + size);
    const info = parseCell(page.type, buf, off, page.usable, this.info);
    if (info.overflowPage === 0) {
      const start = off + info.payloadOffset;
      return reader.reset(buf, start, start + info.localSize);
    }
    const full = readPayload(this.ctx, buf, off, info);
    return reader.reset(full, 0, full.length);
  }

  private deleteHere(ctx: TreeWriter): void {
    const d = this.depth - 1;
    const here = ctx.writable(this.pages[d].pageNo);
    this.refresh(d, here);
    const i = this.idx[d];
    parseCell(here.type, here.cellBuffer(i), here.cellOffset(i), here.usable, this.info);
    this.savedKey = readPayload(ctx, here.cellBuffer(i), here.cellOffset(i), this.info).slice();
    freeOverflow(ctx, this.info);
    if (here.isLeaf) {
      here.removeCell(i);
    } else {
      // Replace the interior entry with its predecessor, the last entry of its left subtree.
      const child = here.childAt(i);
      this.pushRightmostFrom(child);
      const leafDepth = this.depth - 1;
      const leaf = ctx.writable(this.pages[leafDepth].pageNo);
      this.refresh(leafDepth, leaf);
      const pred = leaf.removeCell(leaf.cellCount - 1);
      here.replaceCell(i, toIndexInteriorCell(pred, child, here.usable));
    }
    const { pages, childIndex } = this.path();
    rebalance(ctx, pages, childIndex, false);
    this.markDeleted();
  }

  private pushRightmostFrom(pageNo: number): void {
    for (let guard = 0; guard <= 64; guard++) {
      const page = this.ctx.page(pageNo);
      if (page.isLeaf) {
        this.pages[this.depth] = page;
        this.idx[this.depth] = page.cellCount - 1;
        this.depth++;
        return;
      }
      if (this.depth >= MAX_DEPTH) corruptTree(this.root);
      this.pages[this.depth] = page;
      this.idx[this.depth] = page.cellCount;
      this.depth++;
      pageNo = page.childAt(page.cellCount);
    }
    corruptTree(this.root);
  }
}

/** Entries in tree `root` (index trees count interior cells too). */
export function countEntries(ctx: TreeReader, root: number, interiorEntries: boolean): number {
  let total = 0;
  const stack = [root];
  let visited = 0;
  while (stack.length > 0) {
    if (++visited > ctx.pageCount) corruptTree(root);
    const page = ctx.page(stack.pop()!);
    if (page.isLeaf) total += page.cellCount;
    else {
      if (interiorEntries) total += page.cellCount;
      for (let i = 0; i <= page.cellCount; i++) stack.push(page.childAt(i));
    }
  }
  return total;
}
