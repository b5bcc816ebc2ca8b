// Hrana streams of one database: each is its own engine connection (its own
// transaction state), kept in memory between HTTP requests and found again by
// baton. Invariants:
// - A baton is valid once: taking a stream advances its sequence, so the
//   baton just used (or a copy of it) no longer matches.
// - A stream idle for limits.streamIdleMs is expired: its connection is closed
//   (an open transaction rolls back, releasing the write lock) and its id is
//   forgotten, so its batons then read as STREAM_EXPIRED. A stream in the
//   middle of a request is never expired.
// - Eviction of the Durable Object drops every stream with the memory that
//   held it; nothing uncommitted was ever stored, so that is an expiry too.
// - Streams of a WebSocket are never found by baton; they close with their
//   socket, or earlier by expiry when idle inside a transaction (so that an
//   idle socket cannot hold the write lock forever).
// - Deleting the database replaces its baton secret; batons signed with a
//   retired secret (known to this instance) still read as STREAM_EXPIRED.
import type { Database } from "../engine/index.js";
import { BatonSigner } from "./baton.js";
import { RequestError } from "./hrana/errors.js";
import type { Limits } from "./limits.js";

export class Stream {
  sequence = 0;
  expiresAt = 0;
  inRequest = false;
  closed = false;
  /** The open transaction began with libSQL's BEGIN ... READONLY: it may not write. */
  readOnlyTransaction = false;

  constructor(
    readonly id: string,
    readonly conn: Database,
    /** SQL texts kept by store_sql, by id (shared by all streams of one WebSocket). */
    readonly storedSql: Map<number, string>,
    /** Owned by a WebSocket: lives as long as the socket unless idle in a transaction. */
    readonly heldBySocket: boolean,
  ) {}
}

/** Whether idle expiry applies to the stream now. */
function expires(stream: Stream): boolean {
  return !stream.inRequest && (!stream.heldBySocket || stream.conn.inTransaction);
}

function streamExpired(): RequestError {
  return new RequestError(
    "the stream has expired or was closed (idle too long, the database restarted, or it was deleted or imported over); start a new one",
    "STREAM_EXPIRED",
    400,
  );
}

export class StreamRegistry {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly db: Database,
    private readonly signer: BatonSigner,
    private readonly limits: Limits,
    /** Called when a stream closes: it may have released the write lock. */
    private readonly onRelease: () => void,
    /** Applies the database's settings to a new stream's connection. */
    private readonly configure: (conn: Database) => void,
    /** Signers of earlier incarnations of this database (before a delete), whose streams are all gone. */
    private readonly retiredSigners: readonly BatonSigner[] = [],
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** A new stream, already marked as in a request (HTTP) or held by its socket. */
  open(socketSql?: Map<number, string>): Stream {
    if (this.streams.size >= this.limits.maxStreams) {
      throw new RequestError(`too many open streams on this database (limit ${this.limits.maxStreams}); close streams or retry later`, "TOO_MANY_STREAMS", 429);
    }
    const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const conn = this.db.connect();
    conn.limits.statementTimeoutMs = this.limits.statementTimeoutMs;
    this.configure(conn);
    const stream = new Stream(id, conn, socketSql ?? new Map(), socketSql !== undefined);
    stream.inRequest = true;
    this.streams.set(id, stream);
    return stream;
  }

  /** The stream a baton names, marked as in a request; its baton is spent. */
  async take(baton: string): Promise<Stream> {
    const claim = await this.signer.verify(baton);
    if (!claim && (await this.issuedByRetiredSigner(baton))) throw streamExpired();
    if (!claim) throw new RequestError("invalid baton: it was not issued by this database", "BATON_INVALID", 400);
    const stream = this.streams.get(claim.streamId);
    if (!stream || stream.closed) throw streamExpired();
    if (stream.sequence !== claim.sequence || stream.inRequest) {
      throw new RequestError("this baton was already used; each response carries the baton for the next request", "BATON_REUSED", 400);
    }
    stream.sequence++;
    stream.inRequest = true;
    return stream;
  }

  private async issuedByRetiredSigner(baton: string): Promise<boolean> {
    for (const signer of this.retiredSigners) if (await signer.verify(baton)) return true;
    return false;
  }

  /** Ends a request on a live stream: restarts its idle clock and returns its next baton. */
  async release(stream: Stream, now = Date.now()): Promise<string> {
    this.idleFrom(stream, now);
    return this.signer.sign({ streamId: stream.id, sequence: stream.sequence });
  }

  /** Ends a request: the stream's idle clock starts now. */
  idleFrom(stream: Stream, now = Date.now()): void {
    stream.inRequest = false;
    stream.expiresAt = now + this.limits.streamIdleMs;
  }

  close(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.conn.close();
    this.streams.delete(stream.id);
    this.onRelease();
  }

  /** Expires idle streams whose time is up at `now`; returns how many. */
  expireIdle(now: number): number {
    let expired = 0;
    for (const stream of [...this.streams.values()]) {
      if (expires(stream) && stream.expiresAt <= now) {
        this.close(stream);
        expired++;
      }
    }
    return expired;
  }

  /** When the next idle stream expires, if any. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const s of this.streams.values()) if (expires(s) && (next === null || s.expiresAt < next)) next = s.expiresAt;
    return next;
  }
}
