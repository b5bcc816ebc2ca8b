// Cursors kept for as long as their transaction lasts: an inner loop of a
// join, or a row write, runs many times per statement, and opening a cursor
// each time costs more than the lookup itself.
import type { ReadTransaction } from "../btree/index.js";

/**
 * A cursor opener that returns the same cursor while the transaction is the
 * same, and moves it to the next transaction (reattach) rather than opening
 * another. Every use must start with a seek or a move to first/last (so a
 * cursor reused after a savepoint rollback is safe), and one use must end
 * before the next begins.
 */
export function cursorFor<T extends ReadTransaction, C extends { reattach(tx: T): void }>(open: (tx: T) => C): (tx: T) => C {
  let owner: T | null = null;
  let cursor: C | null = null;
  return (tx) => {
    if (cursor === null) cursor = open(tx);
    else if (owner !== tx) cursor.reattach(tx);
    owner = tx;
    return cursor;
  };
}
