// Pushing committed changes to every subscriber of one database, in commit
// order, one message per transaction. Subscribers at the same cursor share
// one read of the capture table, and subscribers with the same filter share
// one encoded message, so a thousand subscribers cost one read and one
// JSON.stringify per distinct (cursor, filter) and then a send each.
// Invariant: a subscriber's cursor only advances past a transaction that was
// sent to it or that its filter drops, so resuming from the last change_id a
// client processed never skips or reorders anything.
import type { ChangeLog } from "./change-log.js";
import { CloseCode } from "./close-codes.js";
import type { Subscriber } from "./subscriber.js";
import { project } from "./subscription.js";

/** Rows read from the capture table per read; transactions are never split, so one read may return more. */
export const READ_PAGE = 500;

export function pump(log: ChangeLog, subscribers: Iterable<Subscriber>): void {
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
      const encoded = new Map<string, (string | null)[]>();
      for (const subscriber of group) {
        const messages = encoded.get(subscriber.filterKey) ?? batch.transactions.map((t) => {
          const message = project(t, subscriber.filter);
          return message === null ? null : JSON.stringify(message);
        });
        encoded.set(subscriber.filterKey, messages);
        if (deliver(subscriber, batch.transactions, messages, batch.scannedTo, batch.atEnd) && !batch.atEnd) next.push(subscriber);
      }
    }
    active = next;
  }
}

/**
 * Sends a batch's messages to one subscriber as far as its buffer allows.
 * Returns whether it took the whole batch (and so may take the next one).
 */
function deliver(subscriber: Subscriber, transactions: { changeId: number }[], messages: (string | null)[], scannedTo: number, atEnd: boolean): boolean {
  for (let i = 0; i < transactions.length; i++) {
    const { changeId } = transactions[i];
    const message = messages[i];
    if (message !== null) {
      const admission = subscriber.admit(changeId);
      if (admission === "wait") return false;
      if (admission === "overflow") {
        subscriber.close(CloseCode.BEHIND, `fell behind: more than its window of changes unacknowledged; resume with since=<last change_id processed>`);
        return false;
      }
      subscriber.send(message, changeId);
    }
    subscriber.advance(changeId, false);
  }
  subscriber.advance(scannedTo, atEnd);
  return true;
}
