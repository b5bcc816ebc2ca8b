// Shared MVCC state of one database: the open BEGIN CONCURRENT transactions
// (and the snapshot each began at), the history of recent commits' written
// keys that their commits are validated against, the rowid reservations
// that keep their inserts apart, and the memory budget for old page
// versions their snapshots pin.
//
// MVCC, the whole design in one place (the code is in connection.ts and the
// files of this directory):
// - Mode: PRAGMA journal_mode = 'mvcc' sets header bytes 18/19 to 255, so it
//   persists with the database; serialize() resets them so SQLite opens the
//   image. BEGIN CONCURRENT is refused in any other mode.
// - BEGIN CONCURRENT pins the latest committed state (a pager snapshot) and
//   takes no lock. Its first write opens a private write set on that
//   snapshot; every B-tree row write is logged (RowOp, rolled back with
//   statement and savepoint marks). Reads see the snapshot plus its own
//   writes: snapshot isolation, so write skew is possible by design.
// - Automatic rowids: while concurrent transactions are open every insert
//   reserves its rowid here and new rowids start past the reservations, so
//   concurrent inserts into one table never pick the same rowid.
// - Plain writers (BEGIN IMMEDIATE, autocommit) still take the one write
//   lock. One that begins while a concurrent transaction is open logs its
//   row writes too; every commit made while a concurrent transaction is
//   open records its written table keys in the history, or "all" when it
//   did not log them (it began while none was open), which conflicts with
//   every concurrent transaction that wrote. A concurrent COMMIT while the
//   lock is held fails with SQLITE_BUSY and stays open.
// - COMMIT: nothing committed since the snapshot → publish the private pages
//   (fast path). Otherwise the schema must be unchanged and no table key it
//   wrote may be in a later commit's keys (else SQLITE_BUSY_SNAPSHOT,
//   "conflict"); its net rows and index entries are then replayed onto the
//   latest state in a fresh write transaction, UNIQUE and foreign keys are
//   re-checked there (replay.ts), sqlite_sequence is merged, and that is
//   published. Either way one PageStore.commit publishes it, so a failure
//   anywhere leaves none of it.
// - DDL inside BEGIN CONCURRENT is refused (the replay works on one schema).
// - Memory: limits.concurrentTransactionBytes bounds a transaction's private
//   pages and row log (SQLITE_NOMEM, rolled back); core.pinnedVersionBytes
//   bounds the superseded page versions open snapshots keep alive (the
//   oldest concurrent transaction is aborted; its next statement gets
//   SQLITE_ABORT).
//
// Invariant: the history holds every commit made after the oldest open
// concurrent transaction's snapshot (see commit-history.ts).
import { CommitHistory } from "./commit-history.js";
import { RowidReservations } from "./rowid-reservations.js";
import type { KeyPolicy, RowWrites } from "./row-writes.js";

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
  recordCommit(seq: number, writes: RowWrites | null, policy: KeyPolicy): void {
    if (this.open.size > 0) this.history.record(seq, writes === null ? "all" : writes.writtenKeys(policy));
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
