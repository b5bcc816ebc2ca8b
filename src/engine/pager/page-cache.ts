// PageCache: a bounded map from page number to the latest committed page
// buffer, evicting with the CLOCK policy (a hit only sets a reference bit, so
// the hot path does no reordering). It only ever holds copies of what the
// PageStore has, so eviction is always safe; the bound is what keeps memory
// flat for databases much larger than memory. Old versions kept for snapshots
// and private write-set pages are NOT in this cache (they are not re-readable
// from the store).

interface Entry {
  data: Uint8Array;
  referenced: boolean;
}

export class PageCache {
  // Map iteration order is the clock: eviction scans from the oldest insertion,
  // giving referenced entries a second chance by moving them to the end.
  private readonly entries = new Map<number, Entry>();

  constructor(readonly capacityPages: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(pageNo: number): Uint8Array | undefined {
    const e = this.entries.get(pageNo);
    if (e === undefined) return undefined;
    e.referenced = true;
    return e.data;
  }

  /** Looks up without marking the entry as used (commit-time bookkeeping). */
  peek(pageNo: number): Uint8Array | undefined {
    return this.entries.get(pageNo)?.data;
  }

  set(pageNo: number, data: Uint8Array): void {
    const e = this.entries.get(pageNo);
    if (e !== undefined) {
      e.data = data;
      e.referenced = true;
      return;
    }
    if (this.entries.size >= this.capacityPages) this.evictOne();
    this.entries.set(pageNo, { data, referenced: false });
  }

  delete(pageNo: number): void {
    this.entries.delete(pageNo);
  }

  clear(): void {
    this.entries.clear();
  }

  private evictOne(): void {
    for (const [pageNo, e] of this.entries) {
      this.entries.delete(pageNo);
      if (!e.referenced) return;
      e.referenced = false;
      this.entries.set(pageNo, e);
    }
  }
}
