// What one fan-out pass has for the subscribers that share a cursor and a
// filter: the transactions of one read that their filter selects, each
// encoded once, and the WebSocket frames carrying the first n of them, also
// encoded once for every subscriber that takes as many. A single transaction
// goes as its own `transaction` message; several go as one `transactions`
// frame, so a subscriber costs one send per pass however many commits the
// pass covers.

export interface EncodedTransaction {
  /** The transaction's last change_id (its commit record). */
  changeId: number;
  /** Where a cursor stands just before it: every change_id up to here was read (delivered or filtered out). */
  after: number;
  /** Its `transaction` message as JSON text. */
  json: string;
}

export class TransactionRun {
  private readonly frames = new Map<number, string>();

  constructor(readonly transactions: readonly EncodedTransaction[]) {}

  /** The first `count` transactions (count >= 1) as one WebSocket frame. */
  frame(count: number): string {
    let frame = this.frames.get(count);
    if (frame === undefined) {
      frame = count === 1 ? this.transactions[0].json : framed(this.transactions.slice(0, count));
      this.frames.set(count, frame);
    }
    return frame;
  }
}

/**
 * `{"type":"transactions","change_id":<the last one's>,"transactions":[...]}`
 * spliced from the encoded messages (not a second JSON.stringify of every change).
 */
function framed(transactions: readonly EncodedTransaction[]): string {
  const last = transactions[transactions.length - 1].changeId;
  return `{"type":"transactions","change_id":${last},"transactions":[${transactions.map((t) => t.json).join(",")}]}`;
}
