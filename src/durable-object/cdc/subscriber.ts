// What the fan-out needs of a subscriber, whatever carries it (hibernatable
// WebSocket, Server-Sent Events): its filter, how far it has read, whether it
// has caught up, and taking as much of a run of transactions as its buffer
// admits.
import type { CloseCode } from "./close-codes.js";
import type { Filter } from "./subscription.js";
import type { TransactionRun } from "./transaction-run.js";

/**
 * For a message completing at some change_id: send it now; wait (the
 * subscriber is catching up and its buffer is full: it is paced, and resumes
 * when it drains); or overflow (a live subscriber's buffer is full: it fell
 * behind and is cut off with a resumable close).
 */
export type Admission = "send" | "wait" | "overflow";

/** Why a live subscriber whose buffer overflowed is closed (CloseCode.BEHIND). */
export const BEHIND_REASON = "fell behind: more than its window of changes unacknowledged; resume with since=<last change_id processed>";

export interface Subscriber {
  readonly filter: Filter;
  /** filterKey(filter), computed once. */
  readonly filterKey: string;
  /** Every change_id up to this one was delivered or filtered out. */
  readonly cursor: number;
  /** It has caught up with the newest change once: from then on, changes are pushed as they commit. */
  readonly live: boolean;
  readonly closed: boolean;
  /**
   * Sends the leading transactions of `run` its buffer admits, in order;
   * returns how many (the rest waits, or it was closed for overflowing).
   */
  take(run: TransactionRun): number;
  /** Records progress (delivered or filtered out) up to `cursor`; `caughtUp` when that is the newest change. */
  advance(cursor: number, caughtUp: boolean): void;
  heartbeat(): void;
  close(code: CloseCode, reason: string): void;
}
