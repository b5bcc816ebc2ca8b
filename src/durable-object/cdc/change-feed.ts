// `GET /db/<name>/changes` in the Durable Object: the subscription forms
// (hibernatable WebSocket, Server-Sent Events, pull), where a subscription
// starts (checked against what is retained), pushing new changes after each
// request that may have committed (paced: paced-fanout.ts), keeping the socket subscribers in memory while awake and their
// attachments current before the object may hibernate, and the maintenance
// the alarm runs (heartbeats, stale unauthenticated sockets, retention
// pruning).
import { readableCaptureTable, type Database } from "../../engine/index.js";
import { tokenExpiryFromHeaders, type Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import { authorizeToken } from "../../router/auth.js";
import type { Env } from "../../router/env.js";
import { jsonError } from "../../router/json-error.js";
import { PRUNE_DELAY_MS, pruneRetained, prunes } from "./capture-settings.js";
import { ChangeLog } from "./change-log.js";
import { CloseCode, httpStatusOf, SubscriptionClosed, TOKEN_EXPIRED_REASON } from "./close-codes.js";
import { FanoutPass } from "./fanout.js";
import { PacedFanout, type PassSource } from "./paced-fanout.js";
import { attachmentOf, SOCKET_TAG, SocketSubscriber, type SocketAttachment } from "./socket-subscriber.js";
import { SseSubscriber } from "./sse-subscriber.js";
import type { Subscriber } from "./subscriber.js";
import { fieldsOfQuery, parseSubscription, project, type SubscriptionRequest } from "./subscription.js";

/** Heartbeats to WebSocket subscribers, sent by the alarm (which wakes a hibernated object for it). */
export const HEARTBEAT_MS = 30_000;
/** A socket that has not sent its subscribe message (with its token) by then is closed. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** The pull API's page: `limit` changes by default, at most MAX_PULL_LIMIT. */
const DEFAULT_PULL_LIMIT = 100;
const MAX_PULL_LIMIT = 1000;
/** Storage key of the database's name. */
const DATABASE_KEY = "tessera:cdc-database";
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

/** What the socket's attachment holds before its subscribe message: who it is, what the router verified. */
type Awaiting = Extract<SocketAttachment, { phase: "awaiting-subscribe" }> & {
  access: Access | null;
  /** When the token the router verified expires (null: it does not, or none was verified yet). */
  expiresAt: number | null;
  acceptedAt: number;
  query: Record<string, unknown>;
};

export class ChangeFeed {
  private readonly sse = new Set<SseSubscriber>();
  /** The subscribed sockets' subscribers, kept across pumps; rebuilt from the attachments after a wake. */
  private readonly sockets = new Map<WebSocket, SocketSubscriber>();
  /** Whether `sockets` holds every subscribed socket (after a wake it starts empty). */
  private socketsLoaded = false;
  /** The reader of each open service (a new service after import gets a new one). */
  private readonly readers = new WeakMap<DatabaseService, { conn: Database; log: ChangeLog | null }>();
  private readonly fanout = new PacedFanout(
    () => this.passSource(),
    () => this.persistSoon(),
  );
  private persistQueued = false;
  /** The database this object serves, once known (kept in storage too, for an alarm after eviction). */
  private database: string | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly open: (name: string) => DatabaseService,
    /** The open service, if any: what settled requests ran on (never reopens a closed database). */
    private readonly current: () => DatabaseService | undefined,
    /** Asks for an alarm at `at` (the object keeps the earliest of all its wishes). */
    private readonly requestAlarm: (at: number) => void,
  ) {}

  /** Learns the database's name (the object opens it): the alarm needs it to prune after an eviction. */
  bind(name: string): void {
    if (this.database === name) return;
    this.database = name;
    if (this.ctx.storage.kv.get(DATABASE_KEY) !== name) this.ctx.storage.kv.put(DATABASE_KEY, name);
  }

  private databaseName(): string | null {
    if (this.database === null) {
      const stored = this.ctx.storage.kv.get(DATABASE_KEY);
      if (typeof stored === "string") this.database = stored;
    }
    return this.database;
  }

  /** `GET changes`: a WebSocket upgrade, an SSE stream (Accept: text/event-stream) or a page of changes (JSON). */
  async handle(name: string, request: Request, access: Access | null): Promise<Response> {
    if (request.method !== "GET") return jsonError(405, "changes takes GET (a WebSocket upgrade, Server-Sent Events or a JSON page)", "METHOD_NOT_ALLOWED");
    const url = new URL(request.url);
    const expiresAt = tokenExpiryFromHeaders(request.headers);
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") return this.acceptSocket(name, url, access, expiresAt);
    if (access === null) return jsonError(401, "authentication required: send Authorization: Bearer <token>", "AUTH_REQUIRED");
    try {
      const { limit, ...fields } = fieldsOfQuery(url.searchParams);
      const events = request.headers.get("accept")?.includes("text/event-stream") ?? false;
      if (events && limit !== undefined) throw new SubscriptionClosed(CloseCode.BAD_REQUEST, '"limit" applies to the pull API only (no Accept: text/event-stream)', "CDC_BAD_SUBSCRIPTION");
      const subscription = parseSubscription(fields, request.headers.get("last-event-id"));
      return events ? this.streamEvents(name, subscription, expiresAt) : this.pull(name, subscription, limit === undefined ? null : String(limit));
    } catch (e) {
      if (e instanceof SubscriptionClosed) return jsonError(httpStatusOf(e.code), e.message, e.errorCode);
      throw e;
    }
  }

  /**
   * Called whenever a request on the database settled (it may have
   * committed): a fan-out pass pushes new changes soon.
   */
  afterRequest(): void {
    this.fanout.request();
  }

  /** A message on a change socket (after a wake from hibernation too). */
  async onSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    // A socket being closed (its subscriber already dropped) takes no more messages.
    if (socket.readyState !== WebSocket.OPEN) return;
    try {
      const message = parseMessage(data);
      const subscriber = this.socketSubscriber(socket);
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
      if (subscriber.waitsForAck) this.pumpOne(subscriber);
    } catch (e) {
      if (!(e instanceof SubscriptionClosed)) throw e;
      socket.close(e.code, e.message.slice(0, 120));
    }
  }

  /** A change socket closed (by the client, or failed): it is no longer pushed to. */
  onSocketClosed(socket: WebSocket): void {
    const subscriber = this.sockets.get(socket);
    // A pass under way may still hold it.
    if (subscriber) subscriber.closed = true;
    this.sockets.delete(socket);
  }

  /** Subscribers connected now (WebSocket, including those still to send their subscribe message, and SSE). */
  subscriberCount(): number {
    return this.sse.size + this.ctx.getWebSockets(SOCKET_TAG).length;
  }

  /**
   * The alarm's share: heartbeats, closing sockets that never subscribed,
   * pruning changes past retention (here, never inside a user's
   * transaction). Returns when it wants the next alarm, if ever.
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
        const subscriber = this.socketSubscriber(socket);
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
    const name = this.databaseName();
    if (name !== null) {
      const prune = pruneRetained(this.open(name).db, now);
      if (prune !== null) next = Math.min(next ?? Infinity, prune);
    }
    return next;
  }

  /** Ends every subscription (the database is being deleted or replaced): clients must resync. */
  closeAll(code: CloseCode, reason: string): void {
    for (const subscriber of this.subscribers()) subscriber.close(code, reason);
    for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) socket.close(code, reason);
    this.sockets.clear();
  }

  private reader(service: DatabaseService): ChangeLog | null {
    let reader = this.readers.get(service);
    const table = readableCaptureTable(service.db);
    if (reader === undefined || reader.log?.table !== table) {
      const conn = reader?.conn ?? service.db.connect();
      reader = { conn, log: table === null ? null : new ChangeLog(conn, table) };
      this.readers.set(service, reader);
    }
    return reader.log;
  }

  /** Where a new subscription starts: after `since`, checked against what is retained, or at the newest change. */
  private startCursor(log: ChangeLog | null, since: number | null): number {
    if (log === null) {
      throw new SubscriptionClosed(CloseCode.CAPTURE_OFF, "change data capture is off for this database: turn it on (PUT /v1/databases/<name>/cdc or PRAGMA capture_data_changes_conn('full'))", "CDC_OFF");
    }
    const { oldest, latest } = log.range();
    if (since === null) return latest;
    if (since > latest) throw new SubscriptionClosed(CloseCode.RESYNC, `since=${since} is ahead of the newest change (${latest}): the database was replaced; resync from a snapshot`, "CDC_RESYNC_REQUIRED");
    if (oldest > 0 && since < oldest - 1) {
      throw new SubscriptionClosed(CloseCode.RESYNC, `since=${since} is older than the retained changes (oldest ${oldest}); resync from a snapshot`, "CDC_RESYNC_REQUIRED");
    }
    return since;
  }

  private acceptSocket(name: string, url: URL, access: Access | null, expiresAt: number | null): Response {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [SOCKET_TAG]);
    let query: Record<string, unknown>;
    try {
      query = fieldsOfQuery(url.searchParams);
    } catch (e) {
      server.serializeAttachment({ database: name, phase: "awaiting-subscribe", access, expiresAt, acceptedAt: Date.now(), query: {} } satisfies Awaiting);
      server.close(CloseCode.BAD_REQUEST, e instanceof Error ? e.message.slice(0, 120) : "bad query");
      return new Response(null, { status: 101, webSocket: client });
    }
    if (access !== null && Object.keys(query).length > 0) {
      this.startSocket(server, name, () => parseSubscription(query), expiresAt);
    } else {
      server.serializeAttachment({ database: name, phase: "awaiting-subscribe", access, expiresAt, acceptedAt: Date.now(), query } satisfies Awaiting);
      this.requestAlarm(Date.now() + SUBSCRIBE_TIMEOUT_MS);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  private async subscribeFromMessage(socket: WebSocket, attachment: Awaiting, message: Record<string, unknown>): Promise<void> {
    if (message.type !== "subscribe") throw new SubscriptionClosed(CloseCode.BAD_REQUEST, 'the first message must be {"type":"subscribe", ...}', "CDC_BAD_MESSAGE");
    let expiresAt = attachment.expiresAt;
    if (attachment.access === null) {
      const outcome = await authorizeToken(typeof message.token === "string" ? message.token : null, this.env, attachment.database);
      if ("status" in outcome) throw new SubscriptionClosed(outcome.status === 401 ? CloseCode.UNAUTHORIZED : CloseCode.FORBIDDEN, outcome.message, outcome.code);
      expiresAt = outcome.expiresAt ?? null;
    }
    this.startSocket(socket, attachment.database, () => parseSubscription({ ...attachment.query, ...message }), expiresAt);
  }

  private startSocket(socket: WebSocket, name: string, request: () => SubscriptionRequest, expiresAt: number | null): void {
    try {
      const subscription = request();
      const cursor = this.startCursor(this.reader(this.open(name)), subscription.since);
      const subscriber = SocketSubscriber.start(socket, name, subscription, cursor, expiresAt);
      this.sockets.set(socket, subscriber);
      socket.send(JSON.stringify({ type: "subscribed", change_id: cursor, tables: subscription.filter.tables, operations: subscription.filter.operations, window: subscription.window }));
      // The alarm sends heartbeats, and ends the subscription when its token expires.
      this.requestAlarm(Math.min(Date.now() + HEARTBEAT_MS, expiresAt ?? Infinity));
      this.pumpOne(subscriber);
    } catch (e) {
      if (!(e instanceof SubscriptionClosed)) throw e;
      socket.close(e.code, e.message.slice(0, 120));
    }
  }

  private streamEvents(name: string, subscription: SubscriptionRequest, expiresAt: number | null): Response {
    const cursor = this.startCursor(this.reader(this.open(name)), subscription.since);
    const subscriber = new SseSubscriber(subscription.filter, cursor, expiresAt, () => this.afterRequest(), (ended) => this.sse.delete(ended));
    this.sse.add(subscriber);
    this.afterRequest();
    return new Response(subscriber.stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  }

  private pull(name: string, subscription: SubscriptionRequest, limitText: string | null): Response {
    const limit = limitText === null ? DEFAULT_PULL_LIMIT : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PULL_LIMIT) {
      throw new SubscriptionClosed(CloseCode.BAD_REQUEST, `"limit" must be between 1 and ${MAX_PULL_LIMIT}`, "CDC_BAD_SUBSCRIPTION");
    }
    const log = this.reader(this.open(name));
    // Without since, a page starts at the oldest retained change.
    const since = subscription.since ?? Math.max(0, (log?.range().oldest ?? 1) - 1);
    const cursor = this.startCursor(log, since);
    const batch = (log as ChangeLog).read(cursor, limit);
    const transactions = batch.transactions.map((t) => project(t, subscription.filter)).filter((m) => m !== null);
    return Response.json({ transactions, next: batch.scannedTo, caught_up: batch.atEnd });
  }

  private socketSubscriber(socket: WebSocket): SocketSubscriber | null {
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

  /** The open socket subscribers: from memory, after loading them from the attachments once after a wake. */
  private socketSubscribers(): Iterable<SocketSubscriber> {
    if (!this.socketsLoaded) {
      for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) this.socketSubscriber(socket);
      this.socketsLoaded = true;
    }
    // Closed by us, or by the client (onSocketClosed); one closing unbeknown to us is found when sent to (take).
    for (const [socket, subscriber] of this.sockets) if (subscriber.closed) this.sockets.delete(socket);
    return this.sockets.values();
  }

  private subscribers(): Subscriber[] {
    return [...this.sse, ...this.socketSubscribers()];
  }

  private pumpOne(subscriber: SocketSubscriber): void {
    const log = this.reader(this.open(subscriber.database));
    if (log === null) return subscriber.close(CloseCode.CAPTURE_OFF, "change data capture was turned off for this database");
    new FanoutPass(log).deliver([subscriber]);
    this.persistSoon();
  }

  /** What a fan-out pass works on: the open database's change log and every subscriber. */
  private passSource(): PassSource | null {
    const service = this.current();
    if (service === undefined) return null;
    if (prunes(service.db)) this.requestAlarm(Date.now() + PRUNE_DELAY_MS);
    const subscribers = this.subscribers();
    if (subscribers.length === 0) return null;
    const log = this.reader(service);
    if (log === null) {
      for (const s of subscribers) s.close(CloseCode.CAPTURE_OFF, "change data capture was turned off for this database");
      return null;
    }
    return { log, subscribers, current: () => this.current() === service && this.reader(service) === log };
  }

  /** Writes the changed subscriber states to their attachments within PERSIST_DELAY_MS (see socket-subscriber.ts). */
  private persistSoon(): void {
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
