// `GET /db/<name>/changes` in the database's Durable Object: the
// subscription forms (hibernatable WebSocket, see socket-subscriptions.ts;
// Server-Sent Events; pull), where a subscription starts (checked against
// what is retained), pushing new changes after each request that may have
// committed (paced: paced-fanout.ts), and the maintenance the alarm runs
// (the sockets' heartbeats, retention pruning). Relays (relay/) subscribe
// here like any WebSocket client.
import { readableCaptureTable, type Database } from "../../engine/index.js";
import { RELAY_HEADER, tokenExpiryFromHeaders, type Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import type { Env } from "../../router/env.js";
import { jsonError } from "../../router/json-error.js";
import { PRUNE_DELAY_MS, pruneRetained, prunes } from "./capture-settings.js";
import { ChangeLog } from "./change-log.js";
import { CloseCode, httpStatusOf, SubscriptionClosed } from "./close-codes.js";
import { PacedFanout, type PassSource } from "./paced-fanout.js";
import { CAPTURE_OFF_REASON, SocketSubscriptions } from "./socket-subscriptions.js";
import { SseSubscriber } from "./sse-subscriber.js";
import type { Subscriber } from "./subscriber.js";
import { fieldsOfQuery, parseSubscription, project, type SubscriptionRequest } from "./subscription.js";

/** The pull API's page: `limit` changes by default, at most MAX_PULL_LIMIT. */
const DEFAULT_PULL_LIMIT = 100;
const MAX_PULL_LIMIT = 1000;
/** Storage key of the database's name. */
const DATABASE_KEY = "tessera:cdc-database";
export class ChangeFeed {
  private readonly sse = new Set<SseSubscriber>();
  readonly sockets: SocketSubscriptions;
  /** The reader of each open service (a new service after import gets a new one). */
  private readonly readers = new WeakMap<DatabaseService, { conn: Database; log: ChangeLog | null }>();
  private readonly fanout = new PacedFanout(
    () => this.passSource(),
    () => this.sockets.persistSoon(),
  );
  /** The database this object serves, once known (kept in storage too, for an alarm after eviction). */
  private database: string | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    env: Env,
    private readonly open: (name: string) => DatabaseService,
    /** The open service, if any: what settled requests ran on (never reopens a closed database). */
    private readonly current: () => DatabaseService | undefined,
    /** Asks for an alarm at `at` (the object keeps the earliest of all its wishes). */
    private readonly requestAlarm: (at: number) => void,
  ) {
    const owner = {
      startCursor: (database: string, since: number | null) => this.startCursor(this.reader(this.open(database)), since),
      changes: (database: string) => this.reader(this.open(database)) ?? new SubscriptionClosed(CloseCode.CAPTURE_OFF, CAPTURE_OFF_REASON, "CDC_OFF"),
    };
    this.sockets = new SocketSubscriptions(ctx, env, owner, requestAlarm);
  }

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
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") return this.sockets.accept(name, url, access, expiresAt, request.headers.has(RELAY_HEADER));
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

  /** Subscribers connected now (WebSocket, including those still to send their subscribe message, and SSE). */
  subscriberCount(): number {
    return this.sse.size + this.sockets.count();
  }

  /**
   * The alarm's share: the sockets' (heartbeats, closing those that never
   * subscribed or whose token expired), pruning changes past retention
   * (here, never inside a user's transaction). Returns when it wants the
   * next alarm, if ever.
   */
  maintain(now: number): number | null {
    let next = this.sockets.maintain(now);
    const name = this.databaseName();
    if (name !== null) {
      const prune = pruneRetained(this.open(name).db, now);
      if (prune !== null) next = Math.min(next ?? Infinity, prune);
    }
    return next;
  }

  /** Ends every subscription (the database is being deleted or replaced): clients must resync. */
  closeAll(code: CloseCode, reason: string): void {
    for (const subscriber of this.sse) subscriber.close(code, reason);
    this.sockets.closeAll(code, reason);
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
    return Response.json({ transactions, next: batch.scannedTo, caught_up: batch.atEnd, latest: (log as ChangeLog).range().latest });
  }

  private subscribers(): Subscriber[] {
    return [...this.sse, ...this.sockets.subscribers()];
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
      for (const s of subscribers) s.close(CloseCode.CAPTURE_OFF, CAPTURE_OFF_REASON);
      return null;
    }
    return { log, subscribers, current: () => this.current() === service && this.reader(service) === log };
  }
}
