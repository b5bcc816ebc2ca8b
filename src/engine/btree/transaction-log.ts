// Logs that belong to one write transaction and roll back with it: the
// B-tree row operations MVCC validates and replays at commit, the row
// changes change data capture records, and whatever else a layer above
// needs to keep per transaction.
//
// Invariant: a log's length at a TransactionMark is restored by rollbackTo,
// so a statement or savepoint rollback forgets exactly the entries made
// since the mark, in step with the pages.

/** Names one kind of log and the type of its entries. */
export class LogKey<T> {
  /** Phantom member so that keys of different entry types are not interchangeable. */
  declare readonly entryType: T;

  constructor(readonly name: string) {}
}

/** One B-tree write, as MVCC needs it: which key of which tree now holds what. */
export type RowOp =
  /** A table B-tree row written (`record`) or deleted (`record` null). */
  | { readonly tree: number; readonly index: false; readonly rowid: number | bigint; readonly record: Uint8Array | null }
  /** An index B-tree entry added (`present`) or removed. */
  | { readonly tree: number; readonly index: true; readonly key: Uint8Array; readonly present: boolean };

export const ROW_OPS = new LogKey<RowOp>("row-ops");

/** The record of a written table row in a log that keeps only which rows were written (a plain writer's: see trackRowOps). */
export const UNRECORDED_ROW = new Uint8Array(0);

/** The logs of one transaction, by key. */
export class TransactionLogs {
  private readonly logs = new Map<LogKey<unknown>, unknown[]>();

  /** The log for `key`, created empty on first use. */
  get<T>(key: LogKey<T>): T[] {
    let log = this.logs.get(key as LogKey<unknown>);
    if (log === undefined) {
      log = [];
      this.logs.set(key as LogKey<unknown>, log);
    }
    return log as T[];
  }

  /** The log for `key` if it was ever used. */
  peek<T>(key: LogKey<T>): readonly T[] | undefined {
    return this.logs.get(key as LogKey<unknown>) as T[] | undefined;
  }

  /** Lengths now, for a mark. */
  lengths(): Map<LogKey<unknown>, number> {
    const out = new Map<LogKey<unknown>, number>();
    for (const [key, log] of this.logs) out.set(key, log.length);
    return out;
  }

  /** Truncates every log to its length in `lengths` (logs begun since then empty out). */
  truncate(lengths: ReadonlyMap<LogKey<unknown>, number>): void {
    for (const [key, log] of this.logs) log.length = lengths.get(key) ?? 0;
  }
}

/** Shared rowid bookkeeping of concurrent transactions (see mvcc/rowid-reservations.ts). */
export interface RowidReservationBook {
  /** The largest rowid in use in table `tree` by any open transaction (0 when none). */
  floor(tree: number): number | bigint;
  reserve(tree: number, rowid: number | bigint): void;
}
