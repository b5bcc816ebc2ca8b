// Shared MVCC state of one database: the open BEGIN CONCURRENT transactions
// (and the snapshot each began at), the history of recent commits' written
// keys that their commits are validated against, the rowid reservations
// that keep their inserts apart, and the memory budget for old page
// versions their snapshots pin.
//
// Invariant: the history holds every commit made after the oldest open
// concurrent transaction's snapshot (see commit-history.ts).
import { CommitHistory } from "./commit-history.js";
import { RowidReservations } from "./rowid-reservations.js";
import type { RowWrites } from "./row-writes.js";

/** An open concurrent transaction, as the shared state knows it. */
export interface ConcurrentTransaction {
  readonly baseSeq: number;
  /** Ends the transaction from outside (its snapshot pins too much); its next use fails with `reason`. */
  abort(reason: string): void;
}

export class ConcurrencyControl {
  readonly history = new CommitHistory();
  readonly reservations = new RowidReservations(() => this.open.size > 0);
  private readonly open = new Set<ConcurrentTransaction>();

  /** Whether any BEGIN CONCURRENT transaction is open. */
  get active(): boolean {
    return this.open.size > 0;
  }

  get openCount(): number {
    return this.open.size;
  }

  begin(tx: ConcurrentTransaction): void {
    this.open.add(tx);
  }

  end(tx: ConcurrentTransaction): void {
    if (!this.open.delete(tx)) return;
    this.history.prune(this.oldestBase());
    if (this.open.size === 0) this.reservations.clear();
  }

  /** Records a commit's written table keys while some concurrent transaction may need them. */
  recordCommit(seq: number, writes: RowWrites | null, exempt: ReadonlySet<number>): void {
    if (this.open.size > 0) this.history.record(seq, writes === null ? "all" : writes.writtenKeys(exempt));
  }

  /** The open concurrent transaction with the oldest snapshot, if any. */
  oldest(): ConcurrentTransaction | null {
    let oldest: ConcurrentTransaction | null = null;
    for (const tx of this.open) if (oldest === null || tx.baseSeq < oldest.baseSeq) oldest = tx;
    return oldest;
  }

  private oldestBase(): number | null {
    return this.oldest()?.baseSeq ?? null;
  }
}
