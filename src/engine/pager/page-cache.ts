// PageCache: a bounded LRU map from page number to the latest committed page
// buffer. It only ever holds copies of what the PageStore has, so eviction is
// always safe; the bound is what keeps memory flat for databases much larger
// than memory. Old versions kept for snapshots and private write-set pages are
// NOT in this cache (they are not re-readable from the store).

export class PageCache {
  // Map iteration order is insertion order: the first key is least recently used.
  private readonly entries = new Map<number, Uint8Array>();

  constructor(readonly capacityPages: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(pageNo: number): Uint8Array | undefined {
    const page = this.entries.get(pageNo);
    if (page !== undefined) {
      this.entries.delete(pageNo);
      this.entries.set(pageNo, page);
    }
    return page;
  }

  /** Looks up without refreshing recency (for commit-time bookkeeping). */
  peek(pageNo: number): Uint8Array | undefined {
    return this.entries.get(pageNo);
  }

  set(pageNo: number, page: Uint8Array): void {
    this.entries.delete(pageNo);
    this.entries.set(pageNo, page);
    if (this.entries.size > this.capacityPages) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  delete(pageNo: number): void {
    this.entries.delete(pageNo);
  }

  clear(): void {
    this.entries.clear();
  }
}
