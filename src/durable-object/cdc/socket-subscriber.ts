// A change subscriber on a hibernatable WebSocket (accepted with
// ctx.acceptWebSocket and the tag "cdc"): its state lives in memory while the
// Durable Object is awake and in the socket's serialized attachment across
// hibernation, so an idle subscriber costs no memory or CPU while the object
// hibernates, and the state is found again when it wakes (a commit, an ack,
// the heartbeat alarm).
// Attachment (invariant): sends, acks and going live change the state in
// memory and mark it dirty; the change feed writes dirty states to their
// attachments on a timer (change-feed.ts), and the runtime never hibernates
// an object with a timer pending, so after every wake the attachments hold
// exactly the state the subscribers had. Moving the cursor past changes the
// filter drops does not even mark it dirty: a subscriber woken with an older
// cursor reads them again and drops them again.
// Buffer bound (invariant): a message goes out only while the change ids in
// flight (sent, not yet acknowledged) stay within the window, or when nothing
// is in flight (a transaction larger than the window still goes, alone). A
// catching-up subscriber waits for acks; a live one that would exceed it is
// closed with CloseCode.BEHIND (resume with since=<last change_id processed>)
// unless it had acknowledged everything sent before: then the excess is the
// server's doing (a pass found more commits than its window, the fan-out
// being paced), so the rest is held back until the ack of what went, like
// for a catching-up one (and stays held back, not cut off, as more commits).
// Several transactions that fit go in one frame.
import { CloseCode } from "./close-codes.js";
import { BEHIND_REASON, type Admission, type Subscriber } from "./subscriber.js";
import { filterKey, type Filter, type SubscriptionRequest } from "./subscription.js";
import type { TransactionRun } from "./transaction-run.js";

export const SOCKET_TAG = "cdc";
/** Also on a relay's subscription (it stands for the relay's own subscribers, who are counted there). */
export const RELAY_TAG = "cdc-relay";

/** The serialized attachment (structured-clone data, well under the 2 KiB limit with up to 100 table names). */
export type SocketAttachment =
  | { database: string; phase: "awaiting-subscribe" }
  /** Subscribed, waiting to learn where it starts (a relay asks the database). */
  | { database: string; phase: "starting" }
  | {
      database: string;
      phase: "subscribed";
      filter: Filter;
      window: number;
      cursor: number;
      /** change_id of the last message sent (0 before any). */
      sent: number;
      acked: number;
      live: boolean;
      /** Its window holds back transactions until its next ack (absent in attachments written before there was batching). */
      held?: boolean;
      /** When the subscriber's token expires (ms since epoch); null when it does not. */
      expiresAt: number | null;
    };

export function attachmentOf(socket: WebSocket): SocketAttachment | null {
  const value = socket.deserializeAttachment() as SocketAttachment | null;
  return value !== null && typeof value === "object" && "phase" in value ? value : null;
}

type Subscribed = Extract<SocketAttachment, { phase: "subscribed" }>;

export class SocketSubscriber implements Subscriber {
  readonly filterKey: string;
  private state: Subscribed;
  private dirty = false;
  closed = false;

  constructor(
    readonly socket: WebSocket,
    state: Subscribed,
  ) {
    this.state = state;
    this.filterKey = filterKey(state.filter);
  }

  /** A subscriber starting at `cursor` (the `since` checked against retention, or the newest change). */
  static start(socket: WebSocket, database: string, request: SubscriptionRequest, cursor: number, expiresAt: number | null): SocketSubscriber {
    const state: Subscribed = { database, phase: "subscribed", filter: request.filter, window: request.window, cursor, sent: cursor, acked: cursor, live: false, expiresAt };
    const subscriber = new SocketSubscriber(socket, state);
    subscriber.dirty = true;
    subscriber.persist();
    return subscriber;
  }

  get expiresAt(): number | null {
    return this.state.expiresAt;
  }

  get database(): string {
    return this.state.database;
  }

  get filter(): Filter {
    return this.state.filter;
  }

  get cursor(): number {
    return this.state.cursor;
  }

  get live(): boolean {
    return this.state.live;
  }

  take(run: TransactionRun): number {
    // Closed by the client since the pass began (sending now would throw): done with.
    if (this.socket.readyState !== WebSocket.OPEN) {
      this.closed = true;
      return 0;
    }
    // It acknowledged all it was sent, or what is left over was held back by an earlier pass (not its fault).
    const keepingUp = this.state.sent <= this.state.acked || (this.state.held ?? false);
    let count = 0;
    let admission: Admission = "send";
    for (const { changeId } of run.transactions) {
      admission = this.admit(count === 0 ? this.state.sent : run.transactions[count - 1].changeId, changeId, keepingUp);
      if (admission !== "send") break;
      count++;
    }
    const held = admission === "wait";
    if (held !== (this.state.held ?? false)) {
      this.state.held = held;
      this.dirty = true;
    }
    if (count > 0) {
      this.socket.send(run.frame(count));
      this.state.sent = run.transactions[count - 1].changeId;
      this.dirty = true;
    }
    if (admission === "overflow") this.close(CloseCode.BEHIND, BEHIND_REASON);
    return count;
  }

  /** Whether a message completing at `changeId` may follow what was sent up to `sent`. */
  private admit(sent: number, changeId: number, keepingUp: boolean): Admission {
    const { acked, window, live } = this.state;
    if (sent <= acked || changeId - acked <= window) return "send";
    return live && !keepingUp ? "overflow" : "wait";
  }

  /** Whether an ack should send what its window held back (a catching-up subscriber's always may). */
  get waitsForAck(): boolean {
    return (this.state.held ?? false) || !this.state.live;
  }

  advance(cursor: number, caughtUp: boolean): void {
    if (cursor > this.state.cursor) this.state.cursor = cursor;
    if (caughtUp && !this.state.live) {
      this.state.live = true;
      this.dirty = true;
      this.socket.send(JSON.stringify({ type: "live", change_id: this.state.cursor }));
    }
  }

  /** The client processed everything up to `changeId` (never beyond what was sent). */
  acknowledge(changeId: number): void {
    const acked = Math.min(changeId, this.state.sent);
    if (acked <= this.state.acked) return;
    this.state.acked = acked;
    this.dirty = true;
  }

  /** Its token has expired at `now`: the heartbeat closes it (4401) instead. */
  expired(now: number): boolean {
    return this.state.expiresAt !== null && this.state.expiresAt <= now;
  }

  heartbeat(): void {
    this.socket.send(JSON.stringify({ type: "heartbeat", change_id: this.state.cursor, time: Date.now() }));
  }

  close(code: CloseCode, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Writes the state to the attachment if it changed (so it survives hibernation; see the invariant above). */
  persist(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    this.socket.serializeAttachment(this.state);
  }
}
