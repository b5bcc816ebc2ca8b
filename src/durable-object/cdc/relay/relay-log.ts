// A relay's copy of part of a database's change log, in memory: the whole
// transactions after `base` up to `head`, as the database sent them (the
// live stream appends, pull pages fetched for a subscriber starting further
// back prepend). The relay's fan-out reads it like the database's own
// capture table (ChangeSource), so its subscribers see the same messages in
// the same order.
// Invariants:
// - every transaction with a change_id in (base, head] is held, in commit
//   order (the database sends an unfiltered subscriber every transaction
//   that has changes; one without any is not a message, so skipping it
//   loses nothing);
// - so a subscriber cursor in [base, head] reads exactly what the database
//   would give it; one below base must not be read (the relay prepends
//   before starting such a subscriber, and only drops what every subscriber
//   has passed, or cuts off the ones that held too much back).
import type { CapturedChange, CapturedTransaction, ChangeBatch, ChangeSource } from "../change-log.js";
import type { TransactionMessage } from "../subscription.js";

export class RelayLog implements ChangeSource {
  private transactions: CapturedTransaction[] = [];
  private changes = 0;
  /** Nothing at or before this change_id is held. */
  private from: number;
  /** Every transaction up to this change_id is held (from `base` on). */
  private to: number;

  constructor(start: number) {
    this.from = start;
    this.to = start;
  }

  get base(): number {
    return this.from;
  }

  get head(): number {
    return this.to;
  }

  /** Changes held (the memory it takes grows with it). */
  get size(): number {
    return this.changes;
  }

  /** The live stream's next messages, covering everything up to `through` (their last change_id). */
  append(messages: readonly TransactionMessage[], through: number): void {
    for (const message of messages) {
      if (message.change_id <= this.to) continue;
      this.transactions.push(capturedOf(message));
      this.changes += message.changes.length;
    }
    this.to = Math.max(this.to, through);
  }

  /**
   * Messages read from the database's pull API covering (after, through],
   * with through >= base: the log then starts at `after` (when that is
   * further back than it did).
   */
  prepend(messages: readonly TransactionMessage[], after: number, through: number): void {
    if (after >= this.from) return;
    if (through < this.from) throw new Error(`relay log: a page ending at ${through} leaves a gap before ${this.from}`);
    const older = messages.filter((m) => m.change_id > after && m.change_id <= this.from).map(capturedOf);
    this.transactions = [...older, ...this.transactions];
    for (const t of older) this.changes += t.changes.length;
    this.from = after;
  }

  /** Drops the transactions up to change_id `cursor` (no subscriber may read from before it again). */
  dropThrough(cursor: number): void {
    if (cursor <= this.from) return;
    for (const t of this.transactions.splice(0, this.indexAfter(cursor))) this.changes -= t.changes.length;
    this.from = Math.min(cursor, this.to);
  }

  /** The change_id to drop through so that about `changes` changes stay held (newest kept). */
  cutKeeping(changes: number): number {
    let kept = 0;
    for (let i = this.transactions.length - 1; i >= 0; i--) {
      kept += this.transactions[i].changes.length;
      if (kept > changes) return this.transactions[i].changeId;
    }
    return this.from;
  }

  read(after: number, maxChanges: number): ChangeBatch {
    if (after < this.from) throw new Error(`relay log: change ${after} is before the held changes (from ${this.from})`);
    const first = this.indexAfter(after);
    let end = first;
    for (let count = 0; end < this.transactions.length && (end === first || count < maxChanges); end++) count += this.transactions[end].changes.length;
    const transactions = this.transactions.slice(first, end);
    const atEnd = end === this.transactions.length;
    const scannedTo = atEnd ? Math.max(after, this.to) : transactions[transactions.length - 1].changeId;
    return { transactions, scannedTo, atEnd };
  }

  /** The index of the first transaction after change_id `cursor`. */
  private indexAfter(cursor: number): number {
    let low = 0;
    let high = this.transactions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.transactions[mid].changeId <= cursor) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** A message back into the captured form the fan-out projects (the same fields, so it encodes to the same JSON). */
function capturedOf(message: TransactionMessage): CapturedTransaction {
  return {
    changeId: message.change_id,
    txnId: message.txn_id,
    time: message.time,
    changes: message.changes.map(
      (c): CapturedChange => ({
        changeId: c.change_id,
        operation: c.op,
        table: c.table,
        id: c.id,
        before: c.before,
        after: c.after,
        ...(c.updates !== undefined ? { updates: c.updates } : {}),
        ...(c.undecoded ? { undecoded: c.undecoded } : {}),
      }),
    ),
  };
}
