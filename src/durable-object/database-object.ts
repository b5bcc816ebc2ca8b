// One Durable Object per database: owns the engine over the page store in DO
// storage, the Hrana streams (in memory; an alarm expires idle ones), the
// change feed (cdc/change-feed.ts: subscribers on hibernatable WebSockets,
// pushed after each request; the same alarm runs its heartbeats and
// retention) and the database's endpoints. Reached only through the router, which has checked
// the caller's token and says what it grants (access.ts). The management API
// calls its RPC methods (size, export, import, destroy); the first open in an
// instance registers the database in the catalog.
import { DurableObject } from "cloudflare:workers";
import { loadBatonSecret } from "./baton.js";
import { accessFromHeaders, verifiedAccess, type Access } from "./access.js";
import { ChangeFeed } from "./cdc/change-feed.js";
import { PING, PONG } from "./cdc/socket-subscriptions.js";
import { CloseCode } from "./cdc/close-codes.js";
import { captureSettings, configureCapture, type CaptureSettings, type CaptureUpdate } from "./cdc/capture-settings.js";
import { DatabaseService } from "./database-service.js";
import { DurableObjectPageStore } from "./do-page-store.js";
import { errorResponse, responseForError } from "./hrana/errors.js";
import { handleCursor, handleLegacyBatch, handleLegacyExecute, handlePipeline, handleProtobufCursor, handleProtobufPipeline } from "./hrana/http.js";
import { handleQuery } from "./json-api.js";
import { chooseSubprotocol, HranaSocketSession, WS_SUBPROTOCOLS } from "./hrana/ws-session.js";
import { limitsFromEnv } from "./limits.js";
import { authorizeToken } from "../router/auth.js";
import type { Env } from "../router/env.js";
import { imagePageSize, imagePages } from "../router/management/sqlite-image.js";
import { catalogStub } from "./catalog/catalog-object.js";
import { SqliteError } from "../engine/errors.js";
import { FORMAT_MVCC } from "../engine/btree/index.js";
import { loadSettings, patchSettings, saveSettings, type DatabaseSettings } from "./database-settings.js";

type Handler = (service: DatabaseService, request: Request, access: Access) => Promise<Response>;

/** A Map, not an object literal: endpoints come from URLs ("constructor" must not find anything). */
const POST_ROUTES = new Map<string, Handler>([
  ["v2/pipeline", handlePipeline],
  ["v3/pipeline", handlePipeline],
  ["v3/cursor", handleCursor],
  ["v3-protobuf/pipeline", handleProtobufPipeline],
  ["v3-protobuf/cursor", handleProtobufCursor],
  ["v1/execute", handleLegacyExecute],
  ["v1/batch", handleLegacyBatch],
  ["query", handleQuery],
]);

export class DatabaseObject extends DurableObject<Env> {
  private service: DatabaseService | undefined;
  private store: DurableObjectPageStore | undefined;
  private registered = false;
  /** The alarm time this instance asked for, if it is still pending. */
  private alarmAt: number | null = null;
  /**
   * Baton secrets this instance deleted with the database: batons of the
   * deleted database then read as STREAM_EXPIRED, not as forged (an
   * eviction forgets them; such batons are then just invalid).
   */
  private readonly retiredBatonSecrets: Uint8Array[] = [];
  private readonly feed: ChangeFeed;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.feed = new ChangeFeed(ctx, env, (name) => this.open(name), () => this.service, (at) => this.requestAlarm(at));
    // Answered by the runtime without waking the object: change subscribers may check liveness for free.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const [, , name, ...rest] = url.pathname.split("/");
    const endpoint = rest.join("/");
    if (endpoint === "health" && request.method === "GET") {
      return Response.json({ status: "ok", database: name, objectId: this.ctx.id.toString(), openStreams: this.service?.streams.size ?? 0 });
    }
    if (endpoint === "" && request.headers.get("upgrade")?.toLowerCase() === "websocket") return this.acceptSocket(name, request);
    if (endpoint === "changes") return this.feed.handle(name, request, verifiedAccess(request.headers));
    const handler = POST_ROUTES.get(endpoint);
    if (!handler) return errorResponse(404, `no endpoint ${url.pathname}`, "NOT_FOUND");
    if (request.method !== "POST") return errorResponse(405, `${endpoint} takes POST`, "METHOD_NOT_ALLOWED");
    const access = accessFromHeaders(request.headers);
    try {
      return await handler(this.open(name), request, access);
    } catch (e) {
      return responseForError(e);
    }
  }

  /** Expires the streams idle at `now` and asks for an alarm at the next expiry. */
  async expireIdleStreams(now = Date.now()): Promise<void> {
    const next = this.service?.expireIdle(now) ?? null;
    this.alarmAt = null;
    if (next !== null) this.requestAlarm(next);
  }

  override async alarm(): Promise<void> {
    await this.expireIdleStreams();
    const next = this.feed.maintain(Date.now());
    if (next !== null) this.requestAlarm(next);
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.feed.sockets.onMessage(socket, message);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.feed.sockets.onClosed(socket);
    // Completes the closing handshake the client started (1005/1006 cannot be sent back).
    if (code !== 1005 && code !== 1006) socket.close(code, reason);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.feed.sockets.onClosed(socket);
  }

  /** Capture mode, retention and retained range of this database (management API). */
  cdcSettings(name: string): CaptureSettings {
    return captureSettings(this.open(name).db, this.feed);
  }

  /** Changes capture mode and/or retention (management API); turning capture off ends the subscriptions. */
  configureCdc(name: string, update: CaptureUpdate): CaptureSettings {
    const service = this.open(name);
    configureCapture(service.db, update);
    this.feed.afterRequest();
    return captureSettings(service.db, this.feed);
  }

  /** Hrana over WebSocket: the 101 names the chosen subprotocol (clients fail without it); the token comes in the hello. */
  private acceptSocket(name: string, request: Request): Response {
    const offer = request.headers.get("sec-websocket-protocol");
    const protocol = chooseSubprotocol(offer);
    if (offer !== null && protocol === null) {
      return errorResponse(400, `no supported WebSocket subprotocol offered; this server speaks ${WS_SUBPROTOCOLS.join(", ")}`, "UNSUPPORTED_SUBPROTOCOL");
    }
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    new HranaSocketSession(this.open(name), server, protocol, async (jwt) => {
      const outcome = await authorizeToken(jwt, this.env, name);
      return "access" in outcome ? outcome : { message: outcome.message, code: outcome.code };
    });
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "sec-websocket-protocol": protocol } : {} });
  }

  /** Bytes of the database file (page count x page size); 0 before the first write. */
  sizeBytes(): number {
    const store = this.pageStore();
    return store.pageCount() * (store.pageSize ?? 0);
  }

  /** The committed database as a SQLite file image. */
  exportImage(name: string): Uint8Array {
    return this.open(name).db.serialize();
  }

  /** The database's settings (see database-settings.ts). */
  getSettings(): DatabaseSettings {
    return loadSettings(this.ctx.storage.kv);
  }

  /** Changes settings; returns the new ones, or a message when the patch is invalid. */
  updateSettings(patch: unknown): { settings: DatabaseSettings } | { error: string } {
    const next = patchSettings(loadSettings(this.ctx.storage.kv), patch);
    if (typeof next === "string") return { error: next };
    saveSettings(this.ctx.storage.kv, next);
    if (this.service) this.service.settings = next;
    return { settings: next };
  }

  /**
   * Replaces the database with `image` (already checked with checkImage) in
   * one storage transaction: the old pages and page size go, the image's
   * pages come, all or nothing. Open streams and WebSocket sessions are
   * closed first.
   */
  importImage(image: Uint8Array): void {
    const pageSize = imagePageSize(image);
    if (pageSize === null) throw new SqliteError("not a SQLite database image", "SQLITE_NOTADB");
    // Like every database the service creates, an imported one runs in MVCC journal mode (format bytes 18-19).
    image = image.slice();
    image[18] = FORMAT_MVCC;
    image[19] = FORMAT_MVCC;
    this.feed.closeAll(CloseCode.RESYNC, "the database was replaced by an import: resync from a snapshot");
    this.closeDatabase("the database was replaced by an import; reconnect");
    const storage = this.ctx.storage;
    storage.transactionSync(() => {
      // The page size may change, which a store's commit refuses: empty the
      // store's tables (layout in do-page-store.ts), then commit the image
      // through a fresh store that runs inside this transaction.
      new DurableObjectPageStore(storage);
      storage.sql.exec("DELETE FROM tessera_pages");
      storage.sql.exec("DELETE FROM tessera_store_meta");
      const inThisTransaction = { sql: storage.sql, transactionSync: <T>(closure: () => T): T => closure() };
      new DurableObjectPageStore(inThisTransaction).commit(imagePages(image, pageSize), image.length / pageSize, pageSize);
    });
  }

  /** Deletes the database: every stream, WebSocket session, page and secret of this object. */
  async destroy(): Promise<void> {
    this.feed.closeAll(CloseCode.RESYNC, "the database was deleted");
    this.closeDatabase("the database was deleted");
    this.retiredBatonSecrets.push(loadBatonSecret(this.ctx.storage.sql));
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.alarmAt = null;
    this.registered = false;
  }

  private closeDatabase(reason: string): void {
    this.service?.shutdown(reason);
    this.store?.close();
    this.service = undefined;
    this.store = undefined;
  }

  private pageStore(): DurableObjectPageStore {
    this.store ??= new DurableObjectPageStore(this.ctx.storage);
    return this.store;
  }

  /** Databases created on first use appear in the catalog: one call per instance. */
  private registerOnFirstUse(name: string): void {
    if (this.registered) return;
    this.registered = true;
    const catalog = catalogStub(this.env);
    if (catalog) this.ctx.waitUntil(catalog.register(name).catch((e: unknown) => console.error(`tessera: registering ${name} in the catalog failed`, e)));
  }

  private open(name: string): DatabaseService {
    this.registerOnFirstUse(name);
    this.feed.bind(name);
    this.service ??= new DatabaseService({
      name,
      store: this.pageStore(),
      batonSecret: loadBatonSecret(this.ctx.storage.sql),
      retiredBatonSecrets: this.retiredBatonSecrets,
      limits: limitsFromEnv(this.env),
      scheduleExpiry: (at) => this.requestAlarm(at),
      onRequestSettled: () => this.feed.afterRequest(),
      settings: loadSettings(this.ctx.storage.kv),
    });
    return this.service;
  }

  private requestAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
