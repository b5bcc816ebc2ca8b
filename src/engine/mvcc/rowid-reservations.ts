// Rowids handed out while BEGIN CONCURRENT transactions are open, per table:
// a new automatic rowid is past every rowid any open transaction has used,
// so concurrent inserts into one table never pick the same rowid (and so
// never conflict). Reservations are forgotten when the last concurrent
// transaction ends, so that without concurrency rowids follow SQLite's rule
// (one past the largest) exactly.
import type { Rowid } from "./row-writes.js";

export class RowidReservations {
  private readonly highest = new Map<number, Rowid>();

  constructor(private readonly active: () => boolean) {}

  /** The largest rowid reserved in table `tree` (0 when none). */
  floor(tree: number): Rowid {
    return this.highest.get(tree) ?? 0;
  }

  /** Notes that `rowid` is in use in `tree`. */
  reserve(tree: number, rowid: Rowid): void {
    if (!this.active()) return;
    const current = this.highest.get(tree);
    if (current === undefined || rowid > current) this.highest.set(tree, rowid);
  }

  clear(): void {
    this.highest.clear();
  }
}
