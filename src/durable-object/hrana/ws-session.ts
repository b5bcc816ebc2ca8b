// Hrana over WebSocket (subprotocols hrana3-protobuf, hrana3, hrana2, hrana1;
// protobuf through ws-protobuf.ts, JSON otherwise): the hello
// with its JWT, many streams per socket (each its own connection), SQL texts
// stored per socket, and cursors. Requests on one stream run in order; streams
// are independent, so one stream waiting for the write lock does not hold up
// another stream of the same socket (which may be the one holding it).
import type { Access } from "../access.js";
import type { DatabaseService } from "../database-service.js";
import type { Stream } from "../streams.js";
import { StatementRefused, toHranaError } from "./errors.js";
import { cursorEntries, type CursorEntry } from "./cursor.js";
import { runRequest } from "./pipeline.js";
import { batchSteps, integer, object, parseJson, streamRequest } from "./protocol.js";
import { decodeClientMsg, encodeServerMsg } from "./ws-protobuf.js";

/** The subprotocols served; the client's order of preference decides among them. */
export const WS_SUBPROTOCOLS = ["hrana3-protobuf", "hrana3", "hrana2", "hrana1"];

export type TokenCheck = (jwt: string | null) => Promise<{ access: Access } | { message: string; code: string }>;

interface Cursor {
  entries: CursorEntry[];
  next: number;
}

/** Picks the subprotocol from the client's offer, or null when none is served. */
export function chooseSubprotocol(offer: string | null): string | null {
  const offered = (offer ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => WS_SUBPROTOCOLS.includes(p)) ?? null;
}

export class HranaSocketSession {
  private access: Access | null = null;
  private readonly storedSql = new Map<number, string>();
  private readonly streams = new Map<number, Stream>();
  /** The tail of each stream's request chain. */
  private readonly queues = new Map<number, Promise<void>>();
  private readonly cursors = new Map<number, Promise<Cursor>>();
  private closed = false;
  private inbox: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  private readonly protobuf: boolean;

  constructor(
    private readonly service: DatabaseService,
    private readonly socket: WebSocket,
    subprotocol: string | null,
    private readonly checkToken: TokenCheck,
  ) {
    this.protobuf = subprotocol === "hrana3-protobuf";
    // Messages are handled one after another (decoding a Blob is asynchronous and
    // must not reorder them); the requests they carry then run on their streams' queues.
    socket.addEventListener("message", (event) => {
      this.inbox = this.inbox.then(() => this.onMessage(event.data)).catch((e: unknown) => this.fail(e instanceof Error ? e.message : String(e)));
    });
    socket.addEventListener("close", () => this.shutdown());
    socket.addEventListener("error", () => this.shutdown());
    this.detach = service.attachSocket((reason) => this.closeBy(reason));
  }

  /** The server ends the session (the database was deleted or replaced): 1001, going away, with the reason. */
  private closeBy(reason: string): void {
    if (this.closed) return;
    this.socket.close(1001, reason);
    this.shutdown();
  }

  private send(message: Record<string, unknown>): void {
    if (!this.closed) this.socket.send(this.protobuf ? encodeServerMsg(message) : JSON.stringify(message));
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.socket.close(1002, reason.slice(0, 120));
    this.shutdown();
  }

  private shutdown(): void {
    this.closed = true;
    this.detach();
    for (const stream of this.streams.values()) this.service.streams.close(stream);
    this.streams.clear();
    this.cursors.clear();
  }

  /** Binary frames arrive as ArrayBuffer or, for sockets accepted in a Durable Object, as Blob. */
  private async onMessage(data: string | ArrayBuffer | Blob): Promise<void> {
    if (data instanceof Blob) data = await data.arrayBuffer();
    if (this.protobuf === (typeof data === "string")) return this.fail(this.protobuf ? "hrana3-protobuf takes binary messages" : "binary messages need the hrana3-protobuf subprotocol");
    let msg: Record<string, unknown>;
    try {
      msg = typeof data === "string" ? object(parseJson(data), "message") : decodeClientMsg(new Uint8Array(data));
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : "malformed message");
    }
    if (msg.type === "hello") {
      const outcome = await this.checkToken(typeof msg.jwt === "string" ? msg.jwt : null);
      if ("access" in outcome) {
        this.access = outcome.access;
        this.send({ type: "hello_ok" });
      } else {
        this.send({ type: "hello_error", error: outcome });
        this.fail(outcome.message);
      }
      return;
    }
    if (msg.type !== "request") return this.fail(`unknown message type ${JSON.stringify(msg.type)}`);
    if (this.access === null) return this.fail("the first message must be a hello");
    let requestId: number;
    let request: Record<string, unknown>;
    try {
      requestId = integer(msg.request_id, "request_id");
      request = object(msg.request, "request");
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : "malformed request");
    }
    const respond = (work: () => Promise<unknown>) =>
      work().then(
        (response) => this.send({ type: "response_ok", request_id: requestId, response }),
        (e: unknown) => this.send({ type: "response_error", request_id: requestId, error: toHranaError(e) }),
      );
    const streamId = request.stream_id;
    if (typeof streamId === "number" && request.type === "open_cursor") return this.openCursor(streamId, request, respond);
    if (typeof streamId === "number") return this.enqueue(streamId, () => respond(() => this.runStreamRequest(streamId, request)));
    if (request.type === "fetch_cursor" || request.type === "close_cursor") return void respond(() => this.runCursorRequest(request));
    return void respond(async () => this.runSocketRequest(request));
  }

  private enqueue(streamId: number, work: () => Promise<void>): void {
    const tail = (this.queues.get(streamId) ?? Promise.resolve()).then(work);
    this.queues.set(streamId, tail);
  }

  /** The open stream `streamId`, marked as in a request until afterStreamRequest. */
  private stream(streamId: number): Stream {
    const stream = this.streams.get(streamId);
    if (!stream) throw new StatementRefused(`no open stream ${streamId} on this socket`, "STREAM_UNKNOWN");
    if (stream.closed) throw new StatementRefused("the stream expired: its transaction was idle too long and was rolled back", "STREAM_EXPIRED");
    stream.inRequest = true;
    return stream;
  }

  private afterStreamRequest(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (stream) this.service.releaseSocketStream(stream);
    this.service.lock.notify();
  }

  private async runStreamRequest(streamId: number, request: Record<string, unknown>): Promise<unknown> {
    const access = this.access as Access;
    try {
      switch (request.type) {
        case "open_stream":
          if (this.streams.has(streamId)) throw new StatementRefused(`stream ${streamId} is already open`, "STREAM_IN_USE");
          this.streams.set(streamId, this.service.streams.open(this.storedSql));
          return { type: "open_stream" };
        case "close_stream": {
          const stream = this.streams.get(streamId);
          this.streams.delete(streamId);
          this.queues.delete(streamId);
          if (stream) this.service.streams.close(stream);
          return { type: "close_stream" };
        }
        default:
          return await runRequest(this.service.context(this.stream(streamId), access), streamRequest(request));
      }
    } finally {
      this.afterStreamRequest(streamId);
    }
  }

  /**
   * Registers the cursor at once (so a fetch_cursor sent right behind it finds
   * it) and computes its entries in the stream's turn.
   */
  private openCursor(streamId: number, request: Record<string, unknown>, respond: (work: () => Promise<unknown>) => Promise<void>): void {
    let settle: (cursor: Cursor) => void = () => undefined;
    let cursorId: number;
    try {
      cursorId = integer(request.cursor_id, "cursor_id");
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : "malformed open_cursor");
    }
    const taken = this.cursors.has(cursorId);
    if (!taken) this.cursors.set(cursorId, new Promise<Cursor>((resolve) => (settle = resolve)));
    this.enqueue(streamId, () =>
      respond(async () => {
        if (taken) throw new StatementRefused(`cursor ${cursorId} is already open`, "CURSOR_IN_USE");
        try {
          settle({ entries: await cursorEntries(this.service.context(this.stream(streamId), this.access as Access), batchSteps(request.batch)), next: 0 });
          return { type: "open_cursor" };
        } catch (e) {
          settle({ entries: [], next: 0 });
          throw e;
        } finally {
          this.afterStreamRequest(streamId);
        }
      }),
    );
  }

  private async runCursorRequest(request: Record<string, unknown>): Promise<unknown> {
    const cursorId = integer(request.cursor_id, "cursor_id");
    if (request.type === "close_cursor") {
      this.cursors.delete(cursorId);
      return { type: "close_cursor" };
    }
    const pending = this.cursors.get(cursorId);
    if (!pending) throw new StatementRefused(`no open cursor ${cursorId}`, "CURSOR_UNKNOWN");
    const cursor = await pending;
    const maxCount = Math.max(1, integer(request.max_count, "max_count"));
    const entries = cursor.entries.slice(cursor.next, cursor.next + maxCount);
    cursor.next += entries.length;
    return { type: "fetch_cursor", entries, done: cursor.next >= cursor.entries.length };
  }

  private runSocketRequest(request: Record<string, unknown>): unknown {
    switch (request.type) {
      case "store_sql": {
        const sqlId = integer(request.sql_id, "sql_id");
        if (typeof request.sql !== "string") throw new StatementRefused("store_sql needs sql", "PROTOCOL_ERROR");
        if (this.storedSql.size >= this.service.limits.maxStoredSql) throw new StatementRefused("too many stored SQL texts", "TOO_MANY_STORED_SQL");
        this.storedSql.set(sqlId, request.sql);
        return { type: "store_sql" };
      }
      case "close_sql":
        this.storedSql.delete(integer(request.sql_id, "sql_id"));
        return { type: "close_sql" };
      default:
        throw new StatementRefused(`unknown request type ${JSON.stringify(request.type)}`, "PROTOCOL_ERROR");
    }
  }
}
