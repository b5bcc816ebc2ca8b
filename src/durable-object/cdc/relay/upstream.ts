// How a relay reaches the database it relays: one WebSocket subscription to
// its change feed (all tables and operations, the largest window), whose
// messages the relay acknowledges once it holds them (a few times a second:
// each ack is a message the database's object handles), and pages of the
// pull API for subscribers that start further back than the relay holds.
// Through the DATABASE namespace when relays and databases are one Worker
// (straight to the database's object, read-only, as the router would send
// it), or through the CDC_UPSTREAM service binding when the relays run in
// another Worker or process (through that Worker's router, with
// CDC_UPSTREAM_TOKEN).
import { ACCESS_HEADER, RELAY_HEADER } from "../../access.js";
import type { Env } from "../../../router/env.js";
import { rawJson } from "../change-log.js";
import { CloseCode, SubscriptionClosed } from "../close-codes.js";
import { MAX_WINDOW, type TransactionMessage } from "../subscription.js";

/** A page of the pull API (see change-feed.ts). */
export interface PullPage {
  transactions: TransactionMessage[];
  next: number;
  caught_up: boolean;
  /** The newest change_id of the database. */
  latest: number;
}

/** What the stream reports to the relay. */
export interface UpstreamEvents {
  /** Messages received, covering every change up to `through`. */
  received(stream: UpstreamStream, messages: TransactionMessage[], through: number): void;
  /** The stream ended: `closed` says why when the subscription cannot resume (capture off, database replaced...), null when it can. */
  lost(stream: UpstreamStream, closed: SubscriptionClosed | null): void;
}

/**
 * Acks are sent at most this long after a frame arrives, or at once when
 * ACK_SHARE of the window is unacknowledged: the database's object then
 * handles a few acks a second, not one per commit, and its window never
 * fills while the relay keeps up.
 */
export const ACK_DELAY_MS = 100;
const ACK_SHARE = 4;

/** Close codes after which subscribing again cannot help: the relay's subscribers get them too. */
const FINAL_CODES: ReadonlySet<number> = new Set([CloseCode.BAD_REQUEST, CloseCode.UNAUTHORIZED, CloseCode.FORBIDDEN, CloseCode.CAPTURE_OFF, CloseCode.RESYNC]);

/** Integers beyond 2^53 and +-9e999 as the database wrote them, so that the relay re-encodes them to the same text. */
function parseExact(text: string): unknown {
  if (!/\d{16}|e999/i.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
    const source = context?.source;
    if (typeof value !== "number" || source === undefined) return value;
    return !Number.isFinite(value) || (!Number.isSafeInteger(value) && /^-?\d+$/.test(source)) ? rawJson(source) : value;
  });
}

/** A refusal from the database (an HTTP error, or a close code) as the subscription error it means. */
function closedBy(code: number, reason: string, errorCode = "CDC_UPSTREAM"): SubscriptionClosed | null {
  return FINAL_CODES.has(code) ? new SubscriptionClosed(code as CloseCode, reason, errorCode) : null;
}

export class Upstream {
  constructor(
    private readonly env: Env,
    private readonly database: string,
  ) {}

  private request(query: URLSearchParams, headers: Record<string, string>): Promise<Response> {
    const path = `/db/${this.database}/changes?${query}`;
    const upstream = this.env.CDC_UPSTREAM;
    if (upstream !== undefined) {
      const token = this.env.CDC_UPSTREAM_TOKEN;
      return upstream.fetch(`http://upstream${path}`, { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers });
    }
    const stub = this.env.DATABASE.get(this.env.DATABASE.idFromName(this.database));
    return stub.fetch(`http://database${path}`, { headers: { ...headers, [ACCESS_HEADER]: "ro", [RELAY_HEADER]: "1" } });
  }

  /** A page of the pull API: up to `limit` changes after `since` (every table). Throws SubscriptionClosed when refused. */
  async page(since: number, limit: number): Promise<PullPage> {
    const response = await this.request(new URLSearchParams({ since: String(since), limit: String(limit) }), {});
    const text = await response.text();
    if (!response.ok) {
      const body = (() => {
        try {
          return JSON.parse(text) as { message?: string; code?: string };
        } catch {
          return {};
        }
      })();
      const message = body.message ?? `the database answered ${response.status}`;
      throw closedBy(response.status + 4000, message, body.code) ?? new Error(`relay: pulling changes failed: ${response.status} ${message}`);
    }
    return parseExact(text) as PullPage;
  }

  /**
   * Subscribes after `since` (null: from the newest change); resolves with
   * the stream once the database said where it starts. What arrives before
   * the relay listens is kept for it.
   */
  async subscribe(since: number | null): Promise<UpstreamStream> {
    const query = new URLSearchParams({ window: String(MAX_WINDOW) });
    if (since !== null) query.set("since", String(since));
    const response = await this.request(query, { upgrade: "websocket" });
    const socket = response.webSocket;
    if (socket === null) {
      const reason = await response.text();
      throw closedBy(response.status + 4000, reason) ?? new Error(`relay: the database refused the subscription: ${response.status} ${reason}`);
    }
    socket.accept();
    return new Promise((resolve, reject) => {
      let stream: UpstreamStream | null = null;
      socket.addEventListener("message", (event) => {
        if (typeof event.data !== "string") return;
        const message = parseExact(event.data) as { type: string; change_id: number; transactions?: TransactionMessage[] };
        if (message.type === "subscribed") {
          stream = new UpstreamStream(socket, message.change_id);
          resolve(stream);
        } else if (stream !== null && (message.type === "transaction" || message.type === "transactions")) {
          stream.deliver(message.type === "transaction" ? [message as unknown as TransactionMessage] : (message.transactions ?? []), message.change_id);
        }
      });
      const ended = (code: number, reason: string) => {
        const closed = closedBy(code, reason);
        if (stream === null) reject(closed ?? new Error(`relay: the subscription to the database closed before it started (${code} ${reason})`));
        else stream.end(closed);
      };
      socket.addEventListener("close", (event) => ended(event.code, event.reason));
      socket.addEventListener("error", () => ended(1006, "error"));
    });
  }
}

/** The live subscription to the database. */
export class UpstreamStream {
  private ended = false;
  /** The newest change_id the relay holds, and the newest acknowledged. */
  private held: number;
  private acked: number;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private events: UpstreamEvents | null = null;
  /** What arrived before the relay listened: messages, then maybe the end. */
  private readonly early: Array<{ messages: TransactionMessage[]; through: number }> = [];
  private earlyEnd: { closed: SubscriptionClosed | null } | null = null;

  constructor(
    private readonly socket: WebSocket,
    /** Where the database started it (the change_id after which it sends). */
    readonly cursor: number,
  ) {
    this.held = cursor;
    this.acked = cursor;
  }

  /** Starts reporting to `events`, first what arrived before. */
  listen(events: UpstreamEvents): void {
    this.events = events;
    for (const { messages, through } of this.early.splice(0)) events.received(this, messages, through);
    if (this.earlyEnd !== null) events.lost(this, this.earlyEnd.closed);
  }

  deliver(messages: TransactionMessage[], through: number): void {
    if (this.events === null) this.early.push({ messages, through });
    else this.events.received(this, messages, through);
  }

  end(closed: SubscriptionClosed | null): void {
    if (this.ended) return;
    this.ended = true;
    if (this.events === null) this.earlyEnd = { closed };
    else this.events.lost(this, closed);
  }

  /** Tells the database the relay holds everything up to `changeId` (it may send more). */
  /** The relay holds everything up to `changeId` (the database may send more): acknowledged soon. */
  ack(changeId: number): void {
    this.held = changeId;
    if (this.held - this.acked >= MAX_WINDOW / ACK_SHARE) this.sendAck();
    else this.ackTimer ??= setTimeout(() => this.sendAck(), ACK_DELAY_MS);
  }

  private sendAck(): void {
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.ended || this.held <= this.acked) return;
    this.acked = this.held;
    this.socket.send(JSON.stringify({ type: "ack", change_id: this.acked }));
  }

  /** Ends it (the relay has no subscribers left, or replaces it). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.close(1000, "the relay has no subscribers");
  }
}
