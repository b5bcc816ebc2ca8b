// A change relay: a Durable Object that serves a database's change
// subscriptions over WebSocket in its place, so that the database's own
// object sends each commit once per relay instead of once per subscriber.
// The router spreads a database's change sockets over CDC_RELAYS relays
// (named `<database>/<n>`). A relay is one subscriber of the database
// (upstream.ts) and holds what it receives in memory (relay-log.ts); its
// subscribers get the same protocol as from the database (subscribe, acks,
// windows, heartbeats, close codes: socket-subscriptions.ts, and the same
// paced fan-out), and a subscriber starting further back than the relay
// holds is filled in from the database's pull API.
// Lifecycle: the relay subscribes upstream when a subscriber needs it and
// lets go when the last one leaves. Its outgoing socket keeps it in memory
// meanwhile; if it is evicted all the same, its subscribers' sockets (hibernatable)
// survive, and the next wake (an ack, the heartbeat alarm) subscribes again
// from the lowest cursor among them, so they miss nothing. When the database
// ends the subscription for good (capture off, database deleted or
// replaced), every subscriber gets the same close code.
import { DurableObject } from "cloudflare:workers";
import { tokenExpiryFromHeaders, verifiedAccess } from "../../access.js";
import type { Env } from "../../../router/env.js";
import { jsonError } from "../../../router/json-error.js";
import type { ChangeSource } from "../change-log.js";
import { CloseCode, SubscriptionClosed } from "../close-codes.js";
import { PacedFanout, type PassSource } from "../paced-fanout.js";
import { PING, PONG, SocketSubscriptions } from "../socket-subscriptions.js";
import { RelayLog } from "./relay-log.js";
import { Upstream, type UpstreamStream } from "./upstream.js";

/** Changes a relay keeps after every subscriber has passed them, so that clients resuming shortly after need no pull. */
export const RELAY_KEEP_CHANGES = 5_000;
/** Most changes a relay holds; subscribers holding more back are cut off (4408), and deeper starts are refused. */
export const RELAY_MAX_CHANGES = 20_000;
/** Changes per pull page when filling in a subscriber's start. */
const PULL_PAGE = 1_000;
/** Waits before subscribing upstream again after losing the subscription (the last repeats). */
const RETRY_MS = [0, 250, 1_000, 5_000];

export const RELAY_TOO_FAR_BEHIND = `more than ${RELAY_MAX_CHANGES} changes behind the newest: catch up with the pull API (GET changes?since=...), then subscribe with since=<its next>`;
const UPSTREAM_LOST = "the relay lost its subscription to the database; resume with since=<last change_id processed>";

export class ChangeRelay extends DurableObject<Env> {
  private readonly sockets: SocketSubscriptions;
  private readonly fanout = new PacedFanout(
    () => this.passSource(),
    () => this.afterPass(),
  );
  private database: string | null = null;
  private log: RelayLog | null = null;
  private stream: UpstreamStream | null = null;
  private connecting: Promise<RelayLog> | null = null;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sockets = new SocketSubscriptions(ctx, env, { startCursor: (database, since) => this.startCursor(database, since), changes: () => this.changes() }, (at) => this.requestAlarm(at));
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const [, , name, endpoint] = url.pathname.split("/");
    if (endpoint !== "changes" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(400, "a change relay serves WebSocket subscriptions to GET /db/<name>/changes only", "BAD_REQUEST");
    }
    this.database = name;
    return this.sockets.accept(name, url, verifiedAccess(request.headers), tokenExpiryFromHeaders(request.headers));
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Woken after an eviction: subscribe upstream again before serving the ack.
    if (this.log === null && this.sockets.count() > 0) await this.connected().catch(() => undefined);
    await this.sockets.onMessage(socket, message);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.sockets.onClosed(socket);
    if (code !== 1005 && code !== 1006) socket.close(code, reason);
    this.releaseIfIdle();
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.sockets.onClosed(socket);
    this.releaseIfIdle();
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const next = this.sockets.maintain(Date.now());
    if (next !== null) this.requestAlarm(next);
    if (this.log === null && this.sockets.count() > 0) await this.connected().catch(() => undefined);
  }

  /** Subscribers on this relay now (the management API sums them). */
  subscriberCount(): number {
    return this.sockets.count();
  }

  private upstream(): Upstream {
    const database = this.database ?? this.databaseOfSockets();
    if (database === null) throw new Error("relay: no database to relay");
    this.database = database;
    return new Upstream(this.env, database);
  }

  /** After an eviction the name is known again from the sockets' attachments. */
  private databaseOfSockets(): string | null {
    for (const subscriber of this.sockets.subscribers()) return subscriber.database;
    return null;
  }

  /** The log, once the relay is subscribed upstream (subscribing if it is not). */
  private connected(): Promise<RelayLog> {
    if (this.log !== null && this.stream !== null) return Promise.resolve(this.log);
    this.connecting ??= this.subscribeUpstream().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async subscribeUpstream(): Promise<RelayLog> {
    // Resume where the log ends; after an eviction, from the subscriber furthest behind; else from the newest change.
    const since = this.log?.head ?? this.lowestCursor();
    try {
      const stream = await this.upstream().subscribe(since);
      const log = this.log !== null && this.log.head === stream.cursor ? this.log : new RelayLog(stream.cursor);
      this.log = log;
      this.stream = stream;
      stream.listen({ received: (from, messages, through) => this.received(from, messages, through), lost: (from, closed) => this.lost(from, closed) });
      this.retries = 0;
      // Whoever asked may have left meanwhile.
      this.releaseIfIdle();
      this.fanout.request();
      return log;
    } catch (e) {
      if (e instanceof SubscriptionClosed) this.endAll(e);
      else {
        console.error("tessera: a change relay could not subscribe to its database", e);
        this.retryLater();
      }
      throw e;
    }
  }

  private received(stream: UpstreamStream, messages: Parameters<RelayLog["append"]>[0], through: number): void {
    if (this.stream !== stream || this.log === null) return;
    this.log.append(messages, through);
    stream.ack(through);
    this.fanout.request();
  }

  private lost(stream: UpstreamStream, closed: SubscriptionClosed | null): void {
    if (this.stream !== stream) return;
    this.stream = null;
    if (closed !== null) this.endAll(closed);
    else this.retryLater();
  }

  /** The database ended the subscription for good: so it ends for every subscriber, with the database's reason. */
  private endAll(closed: SubscriptionClosed): void {
    this.log = null;
    this.sockets.closeAll(closed.code, closed.message);
  }

  /** Subscribes upstream again soon, while anyone is subscribed here. */
  private retryLater(): void {
    if (this.retryTimer !== null) return;
    const wait = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.sockets.count() > 0) this.connected().catch(() => undefined);
    }, wait);
  }

  /** The last subscriber left: the database need not send here any more (and the relay may be evicted). */
  private releaseIfIdle(): void {
    if (this.sockets.count() > 0) return;
    this.stream?.close();
    this.stream = null;
    this.log = null;
  }

  private lowestCursor(): number | null {
    let lowest: number | null = null;
    for (const subscriber of this.sockets.subscribers()) lowest = Math.min(lowest ?? Infinity, subscriber.cursor);
    return lowest;
  }

  private changes(): ChangeSource | SubscriptionClosed {
    return this.log ?? new SubscriptionClosed(CloseCode.DELIVERY_FAILED, UPSTREAM_LOST, "CDC_RELAY_UPSTREAM_LOST");
  }

  /** Where a subscription starts: checked with the database, and filled in from its pull API when before what the relay holds. */
  private async startCursor(database: string, since: number | null): Promise<number> {
    this.database = database;
    const log = await this.connected();
    const upstream = this.upstream();
    // The database says what is newest (and refuses a start ahead of it or before its retention).
    if (since === null) return (await upstream.page(log.head, 1)).latest;
    if (since > log.head) {
      await upstream.page(since, 1);
      return since;
    }
    if (since < log.base) await this.fillIn(upstream, log, since);
    return since;
  }

  /** Prepends the changes after `since` up to where the log starts, from the pull API. */
  private async fillIn(upstream: Upstream, log: RelayLog, since: number): Promise<void> {
    const pages: Awaited<ReturnType<Upstream["page"]>>["transactions"] = [];
    let next = since;
    let changes = 0;
    while (next < log.base) {
      const page = await upstream.page(next, PULL_PAGE);
      if (page.next <= next) throw new Error(`relay: the pull API made no progress after ${next}`);
      pages.push(...page.transactions);
      for (const t of page.transactions) changes += t.changes.length;
      if (changes + log.size > RELAY_MAX_CHANGES) throw new SubscriptionClosed(CloseCode.BEHIND, RELAY_TOO_FAR_BEHIND, "CDC_RELAY_TOO_FAR_BEHIND");
      next = page.next;
    }
    if (this.log !== log) throw new Error("relay: the log was replaced while filling in a subscriber's start");
    log.prepend(pages, since, next);
  }

  private passSource(): PassSource | null {
    const log = this.log;
    if (log === null) return null;
    const subscribers = [...this.sockets.subscribers()];
    if (subscribers.length === 0) return null;
    return { log, subscribers, current: () => this.log === log };
  }

  /**
   * Keeps the log bounded: drops what every subscriber passed (keeping the
   * newest RELAY_KEEP_CHANGES for resumes), and past RELAY_MAX_CHANGES cuts
   * off the subscribers that hold more back (resumable, 4408).
   */
  private afterPass(): void {
    this.sockets.persistSoon();
    const log = this.log;
    if (log === null || log.size <= RELAY_KEEP_CHANGES) return;
    let cut = log.cutKeeping(RELAY_KEEP_CHANGES);
    const lowest = this.lowestCursor() ?? cut;
    if (lowest < cut) {
      cut = log.size > RELAY_MAX_CHANGES ? log.cutKeeping(RELAY_MAX_CHANGES) : lowest;
      for (const subscriber of this.sockets.subscribers()) if (subscriber.cursor < cut) subscriber.close(CloseCode.BEHIND, RELAY_TOO_FAR_BEHIND);
    }
    log.dropThrough(Math.max(cut, log.base));
  }

  private requestAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
