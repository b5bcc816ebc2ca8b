// Pushing committed changes to every subscriber of one database, in commit
// order, grouped by transaction. Subscribers at the same cursor share one
// read of the capture table, and subscribers with the same filter share one
// run of encoded transactions (and its frames), so a thousand subscribers
// cost one read and one JSON.stringify per distinct (cursor, filter), then a
// send each: one frame per subscriber per read, however many transactions
// it holds. A subscriber whose filter drops everything read costs a cursor
// bump.
// Invariant: a subscriber's cursor only advances past a transaction that was
// sent to it or that its filter drops, so resuming from the last change_id a
// client processed never skips or reorders anything.
// A subscriber whose delivery throws (its transport refusing a send) is cut
// off, resumably, and the pass goes on: otherwise it would hold back the
// subscribers after it, in this pass and in every later one.
import type { CapturedTransaction, ChangeBatch, ChangeSource } from "./change-log.js";
import { CloseCode } from "./close-codes.js";
import type { Subscriber } from "./subscriber.js";
import { project, type Filter } from "./subscription.js";
import { TransactionRun, type EncodedTransaction } from "./transaction-run.js";

/** Rows read from the capture table per read; transactions are never split, so one read may return more. */
export const READ_PAGE = 500;

export const DELIVERY_FAILED_REASON = "delivering changes to this subscriber failed on the server; resume with since=<last change_id processed>";

type Read = { batch: ChangeBatch; runs: Map<string, TransactionRun> };

/** The work of (part of) a pass: frames sent, and subscribers looked at (each read page of each, whether or not it sent). */
export interface PassWork {
  sends: number;
  visits: number;
}

/**
 * One fan-out pass, which may be delivered in slices of subscribers (with
 * other work in between). Reads that reached the newest change (what live
 * subscribers share) are kept for every slice; a later slice reusing one may
 * miss what committed since, which is for the next pass, as it would be had
 * the slice come first. Other reads (pages of a replay) are shared within a
 * slice only, so a long replay is not held in memory.
 */
export class FanoutPass {
  private readonly tails = new Map<number, Read>();

  constructor(private readonly log: ChangeSource) {}

  /** Delivers what was committed after each subscriber's cursor; returns the work that took. */
  deliver(subscribers: Iterable<Subscriber>): PassWork {
    let sends = 0;
    let visits = 0;
    let active = [...subscribers].filter((s) => !s.closed);
    while (active.length > 0) {
      const next: Subscriber[] = [];
      const pages = new Map<number, Read>();
      visits += active.length;
      for (const subscriber of active) {
        const { batch, run } = this.runFor(subscriber, pages);
        const { transactions } = run;
        try {
          const taken = transactions.length === 0 ? 0 : subscriber.take(run);
          if (taken > 0) sends++;
          if (taken < transactions.length) {
            // It waits (or was closed) before this transaction: its cursor stops just before it.
            if (!subscriber.closed) subscriber.advance(transactions[taken].after, false);
            continue;
          }
          subscriber.advance(batch.scannedTo, batch.atEnd);
        } catch (error) {
          console.error("tessera: delivering changes to a subscriber failed; it is closed (1011)", error);
          subscriber.close(CloseCode.DELIVERY_FAILED, DELIVERY_FAILED_REASON);
          continue;
        }
        if (!batch.atEnd) next.push(subscriber);
      }
      active = next;
    }
    return { sends, visits };
  }

  /** The read after the subscriber's cursor, and its filter's run of it. */
  private runFor(subscriber: Subscriber, pages: Map<number, Read>): { batch: ChangeBatch; run: TransactionRun } {
    const { cursor } = subscriber;
    let read = this.tails.get(cursor) ?? pages.get(cursor);
    if (read === undefined) {
      read = { batch: this.log.read(cursor, READ_PAGE), runs: new Map() };
      (read.batch.atEnd ? this.tails : pages).set(cursor, read);
    }
    let run = read.runs.get(subscriber.filterKey);
    if (run === undefined) {
      run = new TransactionRun(encode(read.batch.transactions, subscriber.filter, cursor));
      read.runs.set(subscriber.filterKey, run);
    }
    return { batch: read.batch, run };
  }
}

/** The transactions `filter` selects, encoded, each with the cursor just before it. */
function encode(transactions: CapturedTransaction[], filter: Filter, cursor: number): EncodedTransaction[] {
  const encoded: EncodedTransaction[] = [];
  let after = cursor;
  for (const transaction of transactions) {
    const message = project(transaction, filter);
    if (message !== null) encoded.push({ changeId: transaction.changeId, after, json: JSON.stringify(message) });
    after = transaction.changeId;
  }
  return encoded;
}
