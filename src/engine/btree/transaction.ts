// Read and write transactions over the B-tree file: the TreeReader/TreeWriter
// implementations on top of a pager Snapshot or WriteSet, plus tree-level
// operations (create, clear, drop, count) and header fields.
//
// Write transactions keep changed B-tree pages as materialized BtreePages and
// serialize them once, at commit; raw pages (overflow, freelist trunks) are
// written to the WriteSet directly. On commit the header's change counter,
// version-valid-for and page count are updated as SQLite does.

import { SqliteError } from "../errors.js";
import type { CommitResult, PageReader, Snapshot, WriteSet, WriteSetSnapshot } from "../pager/pager.js";
import { StaleWriteSetError } from "../pager/pager.js";
import type { SavableCursor, TreeReader, TreeWriter } from "./context.js";
import { countEntries, IndexCursor, TableCursor, type IndexKeyComparator } from "./cursor.js";
import { DB_HEADER_SIZE, HDR, PAGE_TABLE_INTERIOR, PAGE_TABLE_LEAF, pageTypeFor, WRITER_VERSION, type HeaderField, type TreeKind } from "./format.js";
import { allocatePage, freePage, type FreelistHost } from "./freelist.js";
import { BtreePage, corrupt, newCellInfo, parseCell } from "./page.js";
import { freeOverflow } from "./payload.js";
import { ROW_OPS, TransactionLogs, type LogKey, type RowidReservationBook, type RowOp } from "./transaction-log.js";
import { readU32, writeU32 } from "./varint.js";

const PARSED_SLOTS = 64;

/**
 * Parses of published page images, shared by every read transaction: a
 * published buffer never changes (see pager.ts), so its parse stays valid for
 * as long as the buffer lives.
 */
const publishedParses = new WeakMap<Uint8Array, BtreePage>();

/** A consistent read-only view of the database (pins a snapshot until `end`). */
export class ReadTransaction implements TreeReader {
  readonly pageSize: number;
  /**
   * Direct-mapped cache of parsed read-only pages: images in a snapshot never
   * change, so a parse stays valid (write transactions consult their own
   * changed pages first and clear this when they serialize).
   */
  private readonly parsed = new Array<BtreePage | undefined>(PARSED_SLOTS);
  /** Read transactions see only published images, so they share parses across transactions. */
  private readonly sharesParses: boolean;

  constructor(
    protected readonly source: PageReader,
    readonly usable: number,
    private readonly release: () => void,
    /** The pinned snapshot of a read transaction (a write transaction's base is its write set's). */
    readonly snapshot?: Snapshot,
  ) {
    this.pageSize = source.pageSize;
    this.sharesParses = new.target === ReadTransaction;
  }

  get pageCount(): number {
    return this.source.pageCount;
  }

  page(pageNo: number): BtreePage {
    const slot = pageNo & (PARSED_SLOTS - 1);
    const hit = this.parsed[slot];
    if (hit !== undefined && hit.pageNo === pageNo) return hit;
    if (pageNo < 1 || pageNo > this.source.pageCount) corrupt(`page ${pageNo} out of range`);
    const image = this.source.readPage(pageNo);
    let page = this.sharesParses ? publishedParses.get(image) : undefined;
    if (page === undefined || page.pageNo !== pageNo) {
      page = BtreePage.parse(pageNo, image, this.usable);
      if (this.sharesParses) publishedParses.set(image, page);
    }
    this.parsed[slot] = page;
    return page;
  }

  /** Forgets parsed pages (after the underlying images changed). */
  protected forgetParsed(pageNo?: number): void {
    if (pageNo === undefined) this.parsed.fill(undefined);
    else if (this.parsed[pageNo & (PARSED_SLOTS - 1)]?.pageNo === pageNo) this.parsed[pageNo & (PARSED_SLOTS - 1)] = undefined;
  }

  raw(pageNo: number): Uint8Array {
    return this.source.readPage(pageNo);
  }

  /** A header field (4-byte fields of the 100-byte header). */
  getHeader(field: HeaderField): number {
    return readU32(this.headerBytes(), HDR[field]);
  }

  /** The file format write version (header byte 18): FORMAT_MVCC for a database in MVCC journal mode. */
  formatVersion(): number {
    return this.headerBytes()[18];
  }

  openTable(root: number): TableCursor {
    return new TableCursor(this, root);
  }

  openIndex(root: number, compare: IndexKeyComparator): IndexCursor {
    return new IndexCursor(this, root, compare);
  }

  /** Number of entries in tree `root`. */
  count(root: number, kind: TreeKind): number {
    return countEntries(this, root, kind === "index");
  }

  /** Ends the transaction (read: unpins the snapshot; write: rolls back). */
  end(): void {
    this.release();
  }

  /**
   * Reopens an ended read transaction when its snapshot is still the latest
   * committed state (nothing was committed since it ended), keeping its parsed
   * pages and the cursors opened on it; returns whether it could.
   */
  resume(): boolean {
    return this.snapshot !== undefined && this.sharesParses && this.snapshot.resume();
  }

  protected headerBytes(): Uint8Array {
    return this.source.readPage(1);
  }
}

/** A saved state of a write transaction (see WriteTransaction.mark). */
export interface TransactionMark {
  readonly pages: WriteSetSnapshot;
  readonly header: Uint8Array;
  readonly changed: boolean;
  readonly logLengths: ReadonlyMap<LogKey<unknown>, number>;
}

/** A private write set of B-tree changes; commit publishes them atomically or is refused. */
export class WriteTransaction extends ReadTransaction implements TreeWriter, FreelistHost {
  /** Working copy of the 100-byte database header. */
  readonly header: Uint8Array;
  private readonly nodes = new Map<number, BtreePage>();
  /** Raw pages whose buffers this transaction created (safe to modify in place). */
  private readonly ownedRaw = new Set<number>();
  private readonly cursors = new Set<SavableCursor>();
  private changed = false;
  /** Per-transaction logs (row operations for MVCC, row changes for CDC, ...), rolled back with marks. */
  readonly logs = new TransactionLogs();
  /** Every B-tree row write, when tracked (see trackRowOps); cursors append to it. */
  rowOps: RowOp[] | null = null;
  rowOpsKeysOnly = false;
  /** Where new rowids are reserved while BEGIN CONCURRENT transactions are open; null otherwise. */
  rowidReservations: RowidReservationBook | null = null;

  constructor(
    private readonly writeSet: WriteSet,
    usable: number,
    header?: Uint8Array,
  ) {
    super(writeSet, usable, () => this.rollback(), writeSet.base);
    this.header = header ?? writeSet.readPage(1).slice(0, DB_HEADER_SIZE);
  }

  /**
   * Starts logging every row write of table and index B-trees: for a
   * BEGIN CONCURRENT transaction with the rows' records (validated, then
   * replayed at commit); with `keysOnly`, which rows were written, their
   * records left out (UNRECORDED_ROW), enough for others to validate against.
   */
  trackRowOps(keysOnly = false): void {
    this.rowOps = this.logs.get(ROW_OPS);
    this.rowOpsKeysOnly = keysOnly;
  }

  /** The write set underneath (for inspection after a refused commit). */
  get pages(): WriteSet {
    return this.writeSet;
  }

  override page(pageNo: number): BtreePage {
    return this.nodes.get(pageNo) ?? super.page(pageNo);
  }

  setHeader(field: HeaderField, value: number): void {
    writeU32(this.header, HDR[field], value >>> 0);
    this.changed = true;
  }

  /** Sets both file format versions (header bytes 18 and 19). */
  setFormatVersion(version: number): void {
    this.header[18] = version;
    this.header[19] = version;
    this.changed = true;
  }

  writable(pageNo: number): BtreePage {
    let page = this.nodes.get(pageNo);
    if (page === undefined) {
      page = super.page(pageNo).materialize();
      this.nodes.set(pageNo, page);
    }
    this.changed = true;
    return page;
  }

  newPage(type: number): BtreePage {
    const page = BtreePage.empty(this.allocatePage(), type, this.usable);
    this.nodes.set(page.pageNo, page);
    return page;
  }

  allocatePage(): number {
    this.changed = true;
    const pageNo = allocatePage(this);
    this.ownedRaw.delete(pageNo);
    return pageNo;
  }

  freePage(pageNo: number): void {
    if (pageNo === 1) corrupt("attempt to free page 1");
    this.changed = true;
    this.nodes.delete(pageNo);
    this.ownedRaw.delete(pageNo);
    freePage(this, pageNo);
  }

  writeRaw(pageNo: number, data: Uint8Array): void {
    this.putRaw(pageNo, data);
  }

  /** @internal FreelistHost */
  rawPage(pageNo: number, forUpdate: boolean): Uint8Array {
    if (!forUpdate || this.ownedRaw.has(pageNo)) return this.writeSet.readPage(pageNo);
    const copy = this.writeSet.readPage(pageNo).slice();
    this.putRaw(pageNo, copy);
    return copy;
  }

  /** @internal FreelistHost */
  putRaw(pageNo: number, data: Uint8Array): void {
    this.changed = true;
    this.nodes.delete(pageNo);
    this.forgetParsed(pageNo);
    this.writeSet.writePage(pageNo, data);
    this.ownedRaw.add(pageNo);
  }

  /** @internal FreelistHost */
  growTo(pageCount: number): void {
    this.writeSet.setPageCount(pageCount);
  }

  beforeMutation(root: number, except: SavableCursor | null): void {
    for (const c of this.cursors) if (c !== except && c.root === root) c.savePosition();
  }

  registerCursor(cursor: SavableCursor): void {
    this.cursors.add(cursor);
  }

  unregisterCursor(cursor: SavableCursor): void {
    this.cursors.delete(cursor);
  }

  /** @internal Makes page 1 the empty root of sqlite_schema (new databases). */
  initializeSchemaRoot(): void {
    this.nodes.set(1, BtreePage.empty(1, pageTypeFor("table", true), this.usable));
    this.changed = true;
  }

  /** Creates an empty tree; returns its root page number. */
  createTree(kind: TreeKind): number {
    return this.newPage(pageTypeFor(kind, true)).pageNo;
  }

  /** Deletes every entry of tree `root` (freeing its pages and overflow chains); the root stays. */
  clearTree(root: number): void {
    this.beforeMutation(root, null);
    const rootPage = this.writable(root);
    const kind: TreeKind = rootPage.type === PAGE_TABLE_LEAF || rootPage.type === PAGE_TABLE_INTERIOR ? "table" : "index";
    this.freeSubtree(root, false);
    rootPage.setCells([], pageTypeFor(kind, true), 0);
  }

  /** Clears tree `root` and frees its root page too. */
  dropTree(root: number): void {
    if (root === 1) throw new SqliteError("cannot drop the schema table", "SQLITE_MISUSE");
    this.clearTree(root);
    this.freePage(root);
  }

  /** Publishes the changes if nothing was committed since this transaction began. */
  tryCommit(): CommitResult {
    if (this.changed) this.flush();
    return this.writeSet.tryCommit();
  }

  /** Commits or throws StaleWriteSetError (SQLITE_BUSY_SNAPSHOT). Returns the commit seq. */
  commit(): number {
    const result = this.tryCommit();
    if (!result.ok) throw new StaleWriteSetError(result.baseSeq, result.latestSeq);
    return result.seq;
  }

  rollback(): void {
    this.nodes.clear();
    this.writeSet.rollback();
  }

  /**
   * Marks the current state, for statement rollback and SAVEPOINT. Changed
   * pages are serialized first and nothing in the mark is modified afterwards
   * (later changes copy pages again), so a mark stays valid until the
   * transaction rolls back to an earlier one or ends. Marks nest.
   */
  mark(): TransactionMark {
    this.serializeNodes();
    return { pages: this.writeSet.snapshot(), header: this.header.slice(), changed: this.changed, logLengths: this.logs.lengths() };
  }

  /** Returns to the state of `mark` (cursors opened since must not be used again). */
  rollbackTo(mark: TransactionMark): void {
    this.nodes.clear();
    this.ownedRaw.clear();
    this.forgetParsed();
    this.writeSet.restore(mark.pages);
    this.header.set(mark.header);
    this.changed = mark.changed;
    this.logs.truncate(mark.logLengths);
  }

  protected override headerBytes(): Uint8Array {
    return this.header;
  }

  private freeSubtree(pageNo: number, freeThis: boolean): void {
    const info = newCellInfo();
    const stack = [pageNo];
    let visited = 0;
    while (stack.length > 0) {
      if (++visited > this.pageCount) corrupt(`tree ${pageNo} is cyclic`);
      const p = stack.pop()!;
      const page = this.page(p);
      for (let i = 0; i < page.cellCount; i++) {
        parseCell(page.type, page.cellBuffer(i), page.cellOffset(i), this.usable, info);
        freeOverflow(this, info);
      }
      if (!page.isLeaf) for (let i = 0; i <= page.cellCount; i++) stack.push(page.childAt(i));
      if (p !== pageNo || freeThis) this.freePage(p);
    }
  }

  /** Serializes changed pages into the write set and updates the header. */
  private flush(): void {
    const h = this.header;
    const counter = (readU32(h, HDR.changeCounter) + 1) >>> 0;
    writeU32(h, HDR.changeCounter, counter);
    writeU32(h, HDR.versionValidFor, counter);
    writeU32(h, HDR.pageCount, this.writeSet.pageCount);
    writeU32(h, HDR.sqliteVersion, WRITER_VERSION);
    const page1Changed = this.nodes.has(1);
    this.serializeNodes();
    if (!page1Changed) {
      const page1 = this.writeSet.readPage(1).slice();
      page1.set(h);
      this.writeSet.writePage(1, page1);
    }
    this.changed = false;
  }

  settle(pageNo: number): void {
    const page = this.nodes.get(pageNo);
    if (page === undefined) return;
    this.writeNode(pageNo, page);
    this.nodes.delete(pageNo);
    this.forgetParsed(pageNo);
  }

  /** Writes every changed B-tree page into the write set; later changes start from fresh copies. */
  private serializeNodes(): void {
    for (const [pageNo, page] of this.nodes) this.writeNode(pageNo, page);
    this.nodes.clear();
    this.ownedRaw.clear();
    this.forgetParsed();
  }

  private writeNode(pageNo: number, page: BtreePage): void {
    if (page.freeSpace() < 0) corrupt(`page ${pageNo} left overfull`);
    this.writeSet.writePage(pageNo, page.serialize(this.pageSize, this.header));
  }
}
