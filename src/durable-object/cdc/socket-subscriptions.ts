// The WebSocket side of a change feed, shared by the database's object
// (change-feed.ts) and the relays (relay/change-relay.ts): accepting a
// hibernatable socket, its subscription (from the query, or from a first
// message carrying the token), acks, heartbeats and token expiry (run by the
// owner's alarm), the subscribers kept in memory while the object is awake
// and written to their attachments before it may hibernate, and pumping one
// subscriber that its ack unblocked. Where a subscription starts and what
// changes it reads come from the owner (SocketFeedOwner).
import type { Access } from "../access.js";
import { authorizeToken } from "../../router/auth.js";
import type { Env } from "../../router/env.js";
import type { ChangeSource } from "./change-log.js";
import { CloseCode, SubscriptionClosed, TOKEN_EXPIRED_REASON } from "./close-codes.js";
import { FanoutPass } from "./fanout.js";
import { attachmentOf, RELAY_TAG, SOCKET_TAG, SocketSubscriber, type SocketAttachment } from "./socket-subscriber.js";
import { fieldsOfQuery, parseSubscription, type SubscriptionRequest } from "./subscription.js";

/** Heartbeats to WebSocket subscribers, sent by the alarm (which wakes a hibernated object for it). */
export const HEARTBEAT_MS = 30_000;
/** A socket that has not sent its subscribe message (with its token) by then is closed. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** The runtime answers this message itself, without waking the object: a client-side liveness check. */
export const PING = JSON.stringify({ type: "ping" });
export const PONG = JSON.stringify({ type: "pong" });
/**
 * How long subscriber state may stay in memory only before it is written to
 * the socket attachments: one write per subscriber per this period, not one
 * per send or ack. Its timer also keeps the object from hibernating before
 * that write (the runtime does not hibernate an object with a timer pending).
 */
export const PERSIST_DELAY_MS = 1_000;

export const CAPTURE_OFF_REASON = "change data capture was turned off for this database";

/** What the socket's attachment holds before its subscribe message: who it is, what the router verified. */
type Awaiting = Extract<SocketAttachment, { phase: "awaiting-subscribe" }> & {
  access: Access | null;
  /** When the token the router verified expires (null: it does not, or none was verified yet). */
  expiresAt: number | null;
  acceptedAt: number;
  query: Record<string, unknown>;
};

/** What the object owning the sockets provides. */
export interface SocketFeedOwner {
  /**
   * Where a new subscription to `database` starts: after `since` (checked
   * against what is retained), or at the newest change. Throws (or rejects
   * with) SubscriptionClosed when it cannot start.
   */
  startCursor(database: string, since: number | null): number | Promise<number>;
  /** What a subscriber reads from, or why it cannot read (it is closed with that code and reason). */
  changes(database: string): ChangeSource | SubscriptionClosed;
}

export class SocketSubscriptions {
  /** The subscribed sockets' subscribers, kept across passes; rebuilt from the attachments after a wake. */
  private readonly sockets = new Map<WebSocket, SocketSubscriber>();
  /** Whether `sockets` holds every subscribed socket (after a wake it starts empty). */
  private loaded = false;
  private persistQueued = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly owner: SocketFeedOwner,
    /** Asks for an alarm at `at` (the object keeps the earliest of all its wishes). */
    private readonly requestAlarm: (at: number) => void,
  ) {}

  /** Accepts a change socket (hibernatable); it subscribes now when the router verified its token and the query says what to, else with its first message. */
  accept(name: string, url: URL, access: Access | null, expiresAt: number | null, relay = false): Response {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, relay ? [SOCKET_TAG, RELAY_TAG] : [SOCKET_TAG]);
    let query: Record<string, unknown>;
    try {
      query = fieldsOfQuery(url.searchParams);
    } catch (e) {
      server.serializeAttachment({ database: name, phase: "awaiting-subscribe", access, expiresAt, acceptedAt: Date.now(), query: {} } satisfies Awaiting);
      server.close(CloseCode.BAD_REQUEST, e instanceof Error ? e.message.slice(0, 120) : "bad query");
      return new Response(null, { status: 101, webSocket: client });
    }
    if (access !== null && Object.keys(query).length > 0) {
      this.start(server, name, () => parseSubscription(query), expiresAt);
    } else {
      server.serializeAttachment({ database: name, phase: "awaiting-subscribe", access, expiresAt, acceptedAt: Date.now(), query } satisfies Awaiting);
      this.requestAlarm(Date.now() + SUBSCRIBE_TIMEOUT_MS);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A message on a change socket (after a wake from hibernation too). */
  async onMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    // A socket being closed (its subscriber already dropped) takes no more messages.
    if (socket.readyState !== WebSocket.OPEN) return;
    try {
      const message = parseMessage(data);
      const subscriber = this.subscriberOf(socket);
      if (subscriber === null) {
        const attachment = attachmentOf(socket);
        if (attachment?.phase === "awaiting-subscribe") await this.subscribeFromMessage(socket, attachment as Awaiting, message);
        return;
      }
      if (message.type !== "ack") throw new SubscriptionClosed(CloseCode.BAD_REQUEST, `unexpected message type ${JSON.stringify(message.type)}; send {"type":"ack","change_id":N}`, "CDC_BAD_MESSAGE");
      const changeId = message.change_id;
      if (typeof changeId !== "number" || !Number.isSafeInteger(changeId)) throw new SubscriptionClosed(CloseCode.BAD_REQUEST, "an ack needs change_id (an integer)", "CDC_BAD_MESSAGE");
      subscriber.acknowledge(changeId);
      this.persistSoon();
      // Live subscribers are pushed to by the fan-out passes, unless their window held something back.
      if (subscriber.waitsForAck) this.pump(subscriber);
    } catch (e) {
      if (!(e instanceof SubscriptionClosed)) throw e;
      socket.close(e.code, e.message.slice(0, 120));
    }
  }

  /** A change socket closed (by the client, or failed): it is no longer pushed to. */
  onClosed(socket: WebSocket): void {
    const subscriber = this.sockets.get(socket);
    // A pass under way may still hold it.
    if (subscriber) subscriber.closed = true;
    this.sockets.delete(socket);
  }

  /** Sockets open now, including those still to send their subscribe message (relays' not counted). */
  count(): number {
    const open = (tag: string) => this.ctx.getWebSockets(tag).filter((socket) => socket.readyState === WebSocket.OPEN).length;
    return open(SOCKET_TAG) - open(RELAY_TAG);
  }

  /**
   * The alarm's share: heartbeats, closing sockets that never subscribed or
   * whose token expired, writing every state to its attachment. Returns when
   * it wants the next alarm, if ever.
   */
  maintain(now: number): number | null {
    let next: number | null = null;
    const sockets = this.ctx.getWebSockets(SOCKET_TAG);
    for (const socket of sockets) {
      const attachment = attachmentOf(socket);
      if (attachment?.phase === "awaiting-subscribe") {
        if (now - (attachment as Awaiting).acceptedAt >= SUBSCRIBE_TIMEOUT_MS) socket.close(CloseCode.UNAUTHORIZED, "no subscribe message with a token in time");
        else next = Math.min(next ?? Infinity, (attachment as Awaiting).acceptedAt + SUBSCRIBE_TIMEOUT_MS);
      } else if (attachment !== null) {
        const subscriber = this.subscriberOf(socket);
        if (subscriber === null || subscriber.closed) continue;
        if (subscriber.expired(now)) subscriber.close(CloseCode.UNAUTHORIZED, TOKEN_EXPIRED_REASON);
        else {
          subscriber.heartbeat();
          if (subscriber.expiresAt !== null) next = Math.min(next ?? Infinity, subscriber.expiresAt);
        }
      }
    }
    if (sockets.length > 0) next = Math.min(next ?? Infinity, now + HEARTBEAT_MS);
    this.persistAll();
    return next;
  }

  /** Ends every subscription, with `code` telling the clients what to do. */
  closeAll(code: CloseCode, reason: string): void {
    for (const subscriber of this.subscribers()) subscriber.close(code, reason);
    for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) socket.close(code, reason);
    this.sockets.clear();
  }

  /** The open socket subscribers: from memory, after loading them from the attachments once after a wake. */
  subscribers(): Iterable<SocketSubscriber> {
    if (!this.loaded) {
      for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) this.subscriberOf(socket);
      this.loaded = true;
    }
    // Closed by us, or by the client (onClosed); one closing unbeknown to us is found when sent to (take).
    for (const [socket, subscriber] of this.sockets) if (subscriber.closed) this.sockets.delete(socket);
    return this.sockets.values();
  }

  /** Writes the changed subscriber states to their attachments within PERSIST_DELAY_MS (see socket-subscriber.ts). */
  persistSoon(): void {
    if (this.persistQueued) return;
    this.persistQueued = true;
    setTimeout(() => {
      this.persistQueued = false;
      this.persistAll();
    }, PERSIST_DELAY_MS);
  }

  private persistAll(): void {
    for (const subscriber of this.sockets.values()) subscriber.persist();
  }

  private async subscribeFromMessage(socket: WebSocket, attachment: Awaiting, message: Record<string, unknown>): Promise<void> {
    if (message.type !== "subscribe") throw new SubscriptionClosed(CloseCode.BAD_REQUEST, 'the first message must be {"type":"subscribe", ...}', "CDC_BAD_MESSAGE");
    let expiresAt = attachment.expiresAt;
    if (attachment.access === null) {
      const outcome = await authorizeToken(typeof message.token === "string" ? message.token : null, this.env, attachment.database);
      if ("status" in outcome) throw new SubscriptionClosed(outcome.status === 401 ? CloseCode.UNAUTHORIZED : CloseCode.FORBIDDEN, outcome.message, outcome.code);
      expiresAt = outcome.expiresAt ?? null;
    }
    this.start(socket, attachment.database, () => parseSubscription({ ...attachment.query, ...message }), expiresAt);
  }

  /** Starts the subscription: at once when the owner knows where (the database), else when it found out (a relay). */
  private start(socket: WebSocket, name: string, request: () => SubscriptionRequest, expiresAt: number | null): void {
    let subscription: SubscriptionRequest;
    let cursor: number | Promise<number>;
    try {
      subscription = request();
      cursor = this.owner.startCursor(name, subscription.since);
    } catch (e) {
      return refuse(socket, e);
    }
    if (typeof cursor === "number") return this.begin(socket, name, subscription, cursor, expiresAt);
    // A second subscribe message while this one is pending is not one: the socket leaves the awaiting phase now.
    socket.serializeAttachment({ database: name, phase: "starting" } satisfies SocketAttachment);
    cursor.then(
      (at) => {
        if (socket.readyState === WebSocket.OPEN) this.begin(socket, name, subscription, at, expiresAt);
      },
      (e: unknown) => refuse(socket, e),
    );
  }

  private begin(socket: WebSocket, name: string, subscription: SubscriptionRequest, cursor: number, expiresAt: number | null): void {
    const subscriber = SocketSubscriber.start(socket, name, subscription, cursor, expiresAt);
    this.sockets.set(socket, subscriber);
    socket.send(JSON.stringify({ type: "subscribed", change_id: cursor, tables: subscription.filter.tables, operations: subscription.filter.operations, window: subscription.window }));
    // The alarm sends heartbeats, and ends the subscription when its token expires.
    this.requestAlarm(Math.min(Date.now() + HEARTBEAT_MS, expiresAt ?? Infinity));
    this.pump(subscriber);
  }

  /** Delivers to one subscriber what it can take now (it just started, or an ack opened its window). */
  private pump(subscriber: SocketSubscriber): void {
    const changes = this.owner.changes(subscriber.database);
    if (changes instanceof SubscriptionClosed) return subscriber.close(changes.code, changes.message);
    new FanoutPass(changes).deliver([subscriber]);
    this.persistSoon();
  }

  private subscriberOf(socket: WebSocket): SocketSubscriber | null {
    const known = this.sockets.get(socket);
    if (known) return known;
    // A closing socket's subscriber was dropped (and may have been closed by us): it is not brought back.
    if (socket.readyState !== WebSocket.OPEN) return null;
    const attachment = attachmentOf(socket);
    if (attachment?.phase !== "subscribed") return null;
    const subscriber = new SocketSubscriber(socket, attachment);
    this.sockets.set(socket, subscriber);
    return subscriber;
  }
}

/** Closes a socket whose subscription cannot start, with the close code that says why (1011 for a failure of ours). */
function refuse(socket: WebSocket, e: unknown): void {
  // Already closed with the others (a relay whose database ended the subscription).
  if (socket.readyState !== WebSocket.OPEN) return;
  if (e instanceof SubscriptionClosed) return socket.close(e.code, e.message.slice(0, 120));
  console.error("tessera: starting a change subscription failed", e);
  socket.close(CloseCode.DELIVERY_FAILED, "starting the subscription failed on the server; subscribe again");
}

function parseMessage(data: string | ArrayBuffer): Record<string, unknown> {
  if (typeof data !== "string") throw new SubscriptionClosed(CloseCode.BAD_REQUEST, "messages are JSON text", "CDC_BAD_MESSAGE");
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new SubscriptionClosed(CloseCode.BAD_REQUEST, "a message is not valid JSON", "CDC_BAD_MESSAGE");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new SubscriptionClosed(CloseCode.BAD_REQUEST, "a message must be a JSON object", "CDC_BAD_MESSAGE");
  return value as Record<string, unknown>;
}
