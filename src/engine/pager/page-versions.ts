// PageVersions: the superseded page versions that pinned snapshots still need.
//
// Invariant: for each page, entries are ordered by `supersededAt` ascending; an
// entry is the content the page had for every commit seq s with
// previous.supersededAt <= s < entry.supersededAt. A reader at seq s therefore
// uses the first entry with supersededAt > s, or the latest committed page if
// there is none. Entries superseded at or before the oldest pinned seq can no
// longer be read by anyone and are dropped by `prune`.

interface OldVersion {
  supersededAt: number;
  data: Uint8Array | undefined; // undefined: the page did not exist then
}

export class PageVersions {
  private readonly byPage = new Map<number, OldVersion[]>();
  private count = 0;

  /** Number of retained old versions (for tests and stats). */
  get size(): number {
    return this.count;
  }

  retain(pageNo: number, data: Uint8Array | undefined, supersededAt: number): void {
    let list = this.byPage.get(pageNo);
    if (list === undefined) this.byPage.set(pageNo, (list = []));
    list.push({ supersededAt, data });
    this.count++;
  }

  /** The version of `pageNo` visible at `seq`: a buffer, `undefined` if it did not exist, or `null` = use latest. */
  lookup(pageNo: number, seq: number): Uint8Array | undefined | null {
    const list = this.byPage.get(pageNo);
    if (list === undefined) return null;
    for (const v of list) if (v.supersededAt > seq) return v.data;
    return null;
  }

  /** Drops versions no snapshot at or after `oldestPinned` can see (all when nothing is pinned). */
  prune(oldestPinned: number | undefined): void {
    if (oldestPinned === undefined) {
      this.byPage.clear();
      this.count = 0;
      return;
    }
    for (const [pageNo, list] of this.byPage) {
      let keep = 0;
      while (keep < list.length && list[keep].supersededAt <= oldestPinned) keep++;
      if (keep === 0) continue;
      this.count -= keep;
      if (keep === list.length) this.byPage.delete(pageNo);
      else list.splice(0, keep);
    }
  }
}
