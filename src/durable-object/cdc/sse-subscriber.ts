// A change subscriber over Server-Sent Events, for clients without
// WebSockets: `event: transaction` with `id: <change_id>` (so a reconnecting
// EventSource resumes with Last-Event-ID), heartbeats as comments, and on
// termination an `event: close` carrying the close code. It lives in memory
// while its response streams (a streaming response keeps the Durable Object
// awake; only WebSocket subscribers hibernate).
// Buffer bound (invariant): the response stream's queue is the buffer. While
// catching up, messages go only while the queue is below its high-water mark
// (the stream pulls for more as the client reads); a live subscriber whose
// queue grows past SSE_MAX_QUEUED_BYTES is closed with CloseCode.BEHIND. The
// queue is checked before each event, so a run of several transactions is
// written as consecutive events, each admitted on its own.
import { CloseCode, TOKEN_EXPIRED_REASON } from "./close-codes.js";
import { BEHIND_REASON, type Admission, type Subscriber } from "./subscriber.js";
import { filterKey, type Filter } from "./subscription.js";
import type { TransactionRun } from "./transaction-run.js";

const HIGH_WATER_BYTES = 64 * 1024;
export const SSE_MAX_QUEUED_BYTES = 1024 * 1024;
export const SSE_HEARTBEAT_MS = 15_000;

const encoder = new TextEncoder();

export class SseSubscriber implements Subscriber {
  readonly filterKey: string;
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private heartbeats: ReturnType<typeof setInterval> | undefined;
  cursor: number;
  live = false;
  closed = false;

  constructor(
    readonly filter: Filter,
    cursor: number,
    /** When the token expires (ms since epoch): the stream then ends with 4401. */
    private readonly expiresAt: number | null,
    /** Called when the client reads (the stream wants more) and when the subscriber ends. */
    private readonly onDrain: () => void,
    private readonly onEnd: (subscriber: SseSubscriber) => void,
  ) {
    this.cursor = cursor;
    this.filterKey = filterKey(filter);
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.onDrain(),
        cancel: () => this.end(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }),
    );
    this.write(`retry: 1000\n: subscribed at change ${cursor}\n\n`);
    this.heartbeats = setInterval(() => this.heartbeat(), SSE_HEARTBEAT_MS);
  }

  take(run: TransactionRun): number {
    let count = 0;
    for (const { changeId, json } of run.transactions) {
      const admission = this.admit();
      if (admission === "overflow") this.close(CloseCode.BEHIND, BEHIND_REASON);
      if (admission !== "send") break;
      this.write(`id: ${changeId}\nevent: transaction\ndata: ${json}\n\n`);
      count++;
    }
    return count;
  }

  private admit(): Admission {
    const room = this.controller.desiredSize ?? 0;
    if (room > 0) return "send";
    if (!this.live) return "wait";
    return HIGH_WATER_BYTES - room > SSE_MAX_QUEUED_BYTES ? "overflow" : "send";
  }

  advance(cursor: number, caughtUp: boolean): void {
    this.cursor = Math.max(this.cursor, cursor);
    if (caughtUp && !this.live) {
      this.live = true;
      this.write(`event: live\ndata: ${JSON.stringify({ type: "live", change_id: this.cursor })}\n\n`);
    }
  }

  heartbeat(): void {
    if (this.expiresAt !== null && this.expiresAt <= Date.now()) return this.close(CloseCode.UNAUTHORIZED, TOKEN_EXPIRED_REASON);
    this.write(`: heartbeat ${this.cursor}\n\n`);
  }

  close(code: CloseCode, reason: string): void {
    if (this.closed) return;
    this.write(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    this.controller.close();
    this.end();
  }

  private write(text: string): void {
    if (!this.closed) this.controller.enqueue(encoder.encode(text));
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeats);
    this.onEnd(this);
  }
}
