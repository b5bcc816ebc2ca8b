// Pager: committed page state over a PageStore, a bounded cache of the latest
// pages, read snapshots and private write sets.
//
// Model (the ground for MVCC):
// - Committed state is a sequence of commits numbered by `seq` (0 = the state
//   the store had when opened). Every commit publishes a set of page buffers;
//   published buffers are immutable forever (nobody writes into them).
// - A Snapshot pins one seq and reads exactly that state until `end()`, however
//   many commits follow; the superseded versions it may still need are kept in
//   PageVersions and dropped as soon as no pinned snapshot can see them.
// - A WriteSet starts from a snapshot (which it pins) and keeps private page
//   buffers; any number may exist at once and none sees another's pages.
//   Commit publishes the private pages in one PageStore.commit, but only if no
//   commit happened since the base: otherwise it is refused (StaleWriteSetError
//   / `{ ok: false }`) and the write set stays readable until rolled back.
// - Page allocation state (page count, and the freelist, which lives in pages)
//   is private to each write set: two write sets may both create "page N";
//   the refusal rule makes that safe.
// Memory: the cache holds at most `cachePages` latest pages; old versions and
// private pages are extra, bounded by what readers pin and writers change.

import { SqliteError } from "../errors.js";
import { PageCache } from "./page-cache.js";
import type { PageStore } from "./page-store.js";
import { PageVersions } from "./page-versions.js";

export interface PagerOptions {
  /** Cache bound in bytes (default 4 MiB); ignored when `cachePages` is given. */
  cacheBytes?: number;
  /** Cache bound in pages. */
  cachePages?: number;
  /** Page size for a new (empty) store; default 4096. */
  pageSize?: number;
}

export type CommitResult =
  | { ok: true; seq: number }
  | { ok: false; reason: "stale-base"; baseSeq: number; latestSeq: number };

/** Commit refused because another commit happened since the write set's base snapshot. */
export class StaleWriteSetError extends SqliteError {
  constructor(
    readonly baseSeq: number,
    readonly latestSeq: number,
  ) {
    super(`database is locked: write set based on commit ${baseSeq}, latest is ${latestSeq}`, "SQLITE_BUSY_SNAPSHOT");
  }
}

export interface PagerStats {
  cachedPages: number;
  cacheCapacityPages: number;
  retainedVersions: number;
  pinnedSnapshots: number;
  openWriteSets: number;
}

/** Read access to one consistent page state. */
export interface PageReader {
  readonly pageSize: number;
  /** Pages in this state. */
  readonly pageCount: number;
  /** Content of page `pageNo`; never modify the returned buffer. */
  readPage(pageNo: number): Uint8Array;
}

export class Pager {
  readonly pageSize: number;
  private readonly cache: PageCache;
  private readonly versions = new PageVersions();
  /** Pins of states older than the latest, by seq (the latest's are counted in `latestPins`). */
  private readonly pins = new Map<number, number>();
  /**
   * Pins of the latest state: the common case (every autocommit statement
   * pins it) costs a counter, not a Map update; publish moves them to `pins`.
   */
  private latestPins = 0;
  private seq = 0;
  private committedPageCount: number;
  private writeSets = 0;

  constructor(
    readonly store: PageStore,
    options: PagerOptions = {},
  ) {
    this.pageSize = store.pageSize ?? options.pageSize ?? 4096;
    if (this.pageSize < 512 || this.pageSize > 65536 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      throw new SqliteError(`invalid page size ${this.pageSize}`, "SQLITE_MISUSE");
    }
    const capacity = options.cachePages ?? Math.floor((options.cacheBytes ?? 4 * 1024 * 1024) / this.pageSize);
    this.cache = new PageCache(Math.max(capacity, 8));
    this.committedPageCount = store.pageCount();
  }

  /** Seq of the latest commit. */
  get latestSeq(): number {
    return this.seq;
  }

  /** Page count of the latest committed state. */
  get pageCount(): number {
    return this.committedPageCount;
  }

  private pinCount(): number {
    let pinned = this.latestPins;
    for (const n of this.pins.values()) pinned += n;
    return pinned;
  }

  /** Bytes held by superseded page versions that open snapshots still pin. */
  get retainedBytes(): number {
    return this.versions.size * this.pageSize;
  }

  stats(): PagerStats {
    const pinned = this.pinCount();
    return {
      cachedPages: this.cache.size,
      cacheCapacityPages: this.cache.capacityPages,
      retainedVersions: this.versions.size,
      pinnedSnapshots: pinned,
      openWriteSets: this.writeSets,
    };
  }

  /** Pins the latest committed state. */
  beginRead(): Snapshot {
    return new Snapshot(this, this.seq, this.committedPageCount);
  }

  /** A private write set on top of `base` (default: the latest state). */
  beginWrite(base?: Snapshot): WriteSet {
    // An ended snapshot's old versions may already be gone.
    if (base?.isEnded) throw new SqliteError("snapshot already ended", "SQLITE_MISUSE");
    const snap = base ? new Snapshot(this, base.seq, base.pageCount) : this.beginRead();
    this.writeSets++;
    return new WriteSet(this, snap);
  }

  /** The latest committed state as a database file image. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.committedPageCount * this.pageSize);
    for (let p = 1; p <= this.committedPageCount; p++) out.set(this.readLatest(p, false), (p - 1) * this.pageSize);
    return out;
  }

  /** @internal */
  pin(seq: number): void {
    if (seq === this.seq) this.latestPins++;
    else this.pins.set(seq, (this.pins.get(seq) ?? 0) + 1);
  }

  /** @internal */
  unpin(seq: number): void {
    // Old versions are only ever kept for older states: unpinning the latest frees none.
    if (seq === this.seq) {
      this.latestPins--;
      return;
    }
    const n = (this.pins.get(seq) ?? 0) - 1;
    if (n > 0) {
      // Still pinned: the oldest pinned seq is unchanged, so no version became unreachable.
      this.pins.set(seq, n);
      return;
    }
    this.pins.delete(seq);
    // No old versions kept (the usual case with one connection): nothing to free.
    if (this.versions.size === 0) return;
    let oldest: number | undefined;
    for (const s of this.pins.keys()) if (oldest === undefined || s < oldest) oldest = s;
    this.versions.prune(oldest);
  }

  /** @internal */
  writeSetClosed(): void {
    this.writeSets--;
  }

  /** @internal Page `pageNo` as of commit `seq`. */
  readAt(pageNo: number, seq: number): Uint8Array {
    if (seq !== this.seq) {
      const old = this.versions.lookup(pageNo, seq);
      if (old !== null) {
        if (old === undefined) throw new SqliteError(`page ${pageNo} not in snapshot`, "SQLITE_CORRUPT");
        return old;
      }
    }
    return this.readLatest(pageNo, true);
  }

  private readLatest(pageNo: number, cacheIt: boolean): Uint8Array {
    const hit = this.cache.get(pageNo);
    if (hit !== undefined) return hit;
    if (pageNo < 1 || pageNo > this.committedPageCount) {
      throw new SqliteError(`page ${pageNo} out of range`, "SQLITE_CORRUPT");
    }
    const page = this.store.readPage(pageNo);
    if (cacheIt) this.cache.set(pageNo, page);
    return page;
  }

  /** @internal Publishes `pages` as a new commit if `baseSeq` is still the latest (called by a WriteSet, which holds one pin on its base). */
  publish(baseSeq: number, pages: ReadonlyMap<number, Uint8Array>, pageCount: number): CommitResult {
    // Nothing to publish: no store write, no new seq, and no conflict possible.
    if (pages.size === 0 && pageCount === this.committedPageCount) return { ok: true, seq: this.seq };
    if (baseSeq !== this.seq) return { ok: false, reason: "stale-base", baseSeq, latestSeq: this.seq };
    const oldCount = this.committedPageCount;
    const superseded: [number, Uint8Array | undefined][] = [];
    // The committing write set pins its own base; only other pins need old versions.
    if (this.pinCount() > 1) {
      for (const pageNo of pages.keys()) {
        if (pageNo <= pageCount) superseded.push([pageNo, pageNo <= oldCount ? this.readLatest(pageNo, false) : undefined]);
      }
      for (let p = pageCount + 1; p <= oldCount; p++) superseded.push([p, this.readLatest(p, false)]);
    }
    this.store.commit(pages, pageCount, this.pageSize);
    if (this.latestPins > 0) {
      this.pins.set(this.seq, this.latestPins);
      this.latestPins = 0;
    }
    const seq = ++this.seq;
    for (const [pageNo, data] of superseded) this.versions.retain(pageNo, data, seq);
    for (let p = pageCount + 1; p <= oldCount; p++) this.cache.delete(p);
    for (const [pageNo, data] of pages) {
      if (pageNo > pageCount) continue;
      // Refresh only pages already cached: a bulk commit must not flush the
      // working set, and evicted pages are re-read from the store on demand.
      if (this.cache.peek(pageNo) !== undefined) this.cache.set(pageNo, data);
    }
    this.committedPageCount = pageCount;
    return { ok: true, seq };
  }
}

/** A pinned, read-only view of one committed state. */
export class Snapshot implements PageReader {
  private ended = false;
  readonly pageSize: number;

  constructor(
    private readonly pager: Pager,
    readonly seq: number,
    readonly pageCount: number,
  ) {
    this.pageSize = pager.pageSize;
    pager.pin(seq);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  readPage(pageNo: number): Uint8Array {
    if (this.ended) throw new SqliteError("snapshot already ended", "SQLITE_MISUSE");
    if (pageNo < 1 || pageNo > this.pageCount) throw new SqliteError(`page ${pageNo} out of range`, "SQLITE_CORRUPT");
    return this.pager.readAt(pageNo, this.seq);
  }

  /**
   * Pins the same state again after `end()`, when it is still the latest
   * committed one (a reader reusing its snapshot object); returns whether it could.
   */
  resume(): boolean {
    if (!this.ended || this.seq !== this.pager.latestSeq) return false;
    this.ended = false;
    this.pager.pin(this.seq);
    return true;
  }

  /** Unpins the state; versions only this snapshot needed are freed. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pager.unpin(this.seq);
  }
}

/** The private pages and length of a write set at one moment (see WriteSet.snapshot). */
export interface WriteSetSnapshot {
  readonly dirty: ReadonlyMap<number, Uint8Array>;
  readonly count: number;
}

/** Private copy-on-write pages on top of a base snapshot. */
export class WriteSet implements PageReader {
  private dirty = new Map<number, Uint8Array>();
  private count: number;
  private state: "open" | "committed" | "rolled-back" = "open";
  readonly pageSize: number;

  constructor(
    private readonly pager: Pager,
    readonly base: Snapshot,
  ) {
    this.count = base.pageCount;
    this.pageSize = pager.pageSize;
  }

  get pageCount(): number {
    return this.count;
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** How many pages are held privately (for memory budgets). */
  get dirtyPageCount(): number {
    return this.dirty.size;
  }

  /** Page numbers written privately. */
  dirtyPages(): IterableIterator<number> {
    return this.dirty.keys();
  }

  readPage(pageNo: number): Uint8Array {
    if (this.state === "rolled-back") throw new SqliteError("write set rolled back", "SQLITE_MISUSE");
    const own = this.dirty.get(pageNo);
    if (own !== undefined) return own;
    if (pageNo > this.count || pageNo > this.base.pageCount) {
      throw new SqliteError(`page ${pageNo} out of range`, "SQLITE_CORRUPT");
    }
    return this.base.readPage(pageNo);
  }

  /** Sets the private content of `pageNo`; the write set takes ownership of `data`. */
  writePage(pageNo: number, data: Uint8Array): void {
    this.checkOpen();
    if (data.length !== this.pageSize) throw new SqliteError("bad page buffer size", "SQLITE_MISUSE");
    if (pageNo < 1 || pageNo > this.count) throw new SqliteError(`page ${pageNo} beyond page count`, "SQLITE_MISUSE");
    this.dirty.set(pageNo, data);
  }

  /** Grows or shrinks the private database length; new pages read as zeros until written. */
  setPageCount(count: number): void {
    this.checkOpen();
    for (let p = this.count + 1; p <= count; p++) if (!this.dirty.has(p)) this.dirty.set(p, new Uint8Array(this.pageSize));
    if (count < this.count) for (const p of [...this.dirty.keys()]) if (p > count) this.dirty.delete(p);
    this.count = count;
  }

  /**
   * The private pages and length now. The caller must not let the buffers be
   * written in place afterwards (WriteTransaction.mark serializes and copies
   * on the next change).
   */
  snapshot(): WriteSetSnapshot {
    this.checkOpen();
    return { dirty: new Map(this.dirty), count: this.count };
  }

  /** Returns the private pages and length to a snapshot taken from this write set. */
  restore(snapshot: WriteSetSnapshot): void {
    this.checkOpen();
    this.dirty = new Map(snapshot.dirty);
    this.count = snapshot.count;
  }

  /** Publishes the private pages if the base is still the latest commit; refuses otherwise. */
  tryCommit(): CommitResult {
    this.checkOpen();
    const result = this.pager.publish(this.base.seq, this.dirty, this.count);
    if (result.ok) this.close("committed");
    return result;
  }

  /** Like `tryCommit`, but throws StaleWriteSetError (SQLITE_BUSY_SNAPSHOT) on refusal. */
  commit(): number {
    const result = this.tryCommit();
    if (!result.ok) throw new StaleWriteSetError(result.baseSeq, result.latestSeq);
    return result.seq;
  }

  /** Discards the private pages. Idempotent; also valid after a refused commit. */
  rollback(): void {
    if (this.state !== "open") return;
    this.close("rolled-back");
  }

  private close(state: "committed" | "rolled-back"): void {
    this.state = state;
    this.dirty.clear();
    this.base.end();
    this.pager.writeSetClosed();
  }

  private checkOpen(): void {
    if (this.state !== "open") throw new SqliteError(`write set already ${this.state}`, "SQLITE_MISUSE");
  }
}
