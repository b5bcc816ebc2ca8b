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
import type { CapturedTransaction, ChangeLog } from "./change-log.js";
import type { Subscriber } from "./subscriber.js";
import { project, type Filter } from "./subscription.js";
import { TransactionRun, type EncodedTransaction } from "./transaction-run.js";

/** Rows read from the capture table per read; transactions are never split, so one read may return more. */
export const READ_PAGE = 500;

/** Delivers what was committed after each subscriber's cursor; returns how many sends that took. */
export function pump(log: ChangeLog, subscribers: Iterable<Subscriber>): number {
  let sends = 0;
  let active = [...subscribers].filter((s) => !s.closed);
  while (active.length > 0) {
    const byCursor = new Map<number, Subscriber[]>();
    for (const s of active) {
      const group = byCursor.get(s.cursor);
      if (group) group.push(s);
      else byCursor.set(s.cursor, [s]);
    }
    const next: Subscriber[] = [];
    for (const [cursor, group] of byCursor) {
      const batch = log.read(cursor, READ_PAGE);
      const runs = new Map<string, TransactionRun>();
      for (const subscriber of group) {
        let run = runs.get(subscriber.filterKey);
        if (run === undefined) {
          run = new TransactionRun(encode(batch.transactions, subscriber.filter, cursor));
          runs.set(subscriber.filterKey, run);
        }
        const { transactions } = run;
        const taken = transactions.length === 0 ? 0 : subscriber.take(run);
        if (taken > 0) sends++;
        if (taken < transactions.length) {
          // It waits (or was closed) before this transaction: its cursor stops just before it.
          if (!subscriber.closed) subscriber.advance(transactions[taken].after, false);
          continue;
        }
        subscriber.advance(batch.scannedTo, batch.atEnd);
        if (!batch.atEnd) next.push(subscriber);
      }
    }
    active = next;
  }
  return sends;
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
