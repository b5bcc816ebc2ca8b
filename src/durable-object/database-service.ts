// Everything one database serves, independent of the Durable Object shell:
// the engine over the page store, the Hrana streams and the write-lock signal.
// Requests run a stream from its baton (or a new stream), then hand back the
// next baton, or close the stream.
import { Database } from "../engine/index.js";
import type { Access } from "./access.js";
import { BatonSigner } from "./baton.js";
import { DEMO_DATABASE, seedDemoIfEmpty } from "./demo-seed.js";
import type { ExecContext } from "./hrana/execute.js";
import type { Limits } from "./limits.js";
import { LockSignal } from "./lock-signal.js";
import { StreamRegistry, type Stream } from "./streams.js";
import type { DatabaseSettings } from "./database-settings.js";
import type { PageStore } from "../engine/index.js";

export interface ServiceOptions {
  name: string;
  store: PageStore;
  batonSecret: Uint8Array;
  /** Baton secrets of this database before it was deleted: their batons read as expired. */
  retiredBatonSecrets: readonly Uint8Array[];
  limits: Limits;
  /** Asks for an alarm at `at` (ms since epoch) to expire idle streams. */
  scheduleExpiry: (at: number) => void;
  settings: DatabaseSettings;
  /** Told whenever a request on the database settled, so it may have committed (change data capture pushes then). */
  onRequestSettled?: () => void;
}

/** Page size for databases created in a Durable Object (see do-page-store.ts). */
const NEW_DATABASE_PAGE_SIZE = 16384;

export class DatabaseService {
  readonly db: Database;
  readonly lock: LockSignal;
  readonly streams: StreamRegistry;
  readonly limits: Limits;
  /** How to close each open WebSocket session of this database, with a reason its client sees. */
  private readonly socketClosers = new Set<(reason: string) => void>();

  constructor(private readonly options: ServiceOptions) {
    this.limits = options.limits;
    const isNew = options.store.pageCount() === 0;
    // The lock signal fires exactly when a request settled: the moment a commit may have happened.
    this.lock = new LockSignal(options.onRequestSettled);
    this.db = new Database({ store: options.store, pageSize: NEW_DATABASE_PAGE_SIZE });
    // New databases serve many clients at once: MVCC mode, so that BEGIN CONCURRENT works (see README).
    if (isNew) this.db.exec("PRAGMA journal_mode = 'mvcc'");
    if (options.name === DEMO_DATABASE) seedDemoIfEmpty(this.db);
    const retired = options.retiredBatonSecrets.map((secret) => new BatonSigner(secret));
    this.streams = new StreamRegistry(
      this.db,
      new BatonSigner(options.batonSecret),
      this.limits,
      () => this.lock.notify(),
      (conn) => this.configure(conn),
      retired,
    );
  }

  /** The settings in force; changing them applies to connections opened from now on. */
  get settings(): DatabaseSettings {
    return this.options.settings;
  }

  set settings(settings: DatabaseSettings) {
    this.options.settings = settings;
  }

  private configure(conn: Database): void {
    conn.exec(`PRAGMA concurrent_transactions = '${this.options.settings.concurrentTransactions}'`);
  }

  context(stream: Stream, access: Access): ExecContext {
    return { stream, readOnly: access === "ro", limits: this.limits, lock: this.lock, budget: { remaining: this.limits.maxResponseBytes } };
  }

  /**
   * Runs `work` on the stream named by `baton` (a new one without it). Returns
   * the next baton, or null when `work` asked to close the stream; a stream
   * whose work threw unexpectedly is closed, rolling back its transaction.
   */
  async withStream<T>(baton: string | null, work: (stream: Stream) => Promise<{ value: T; close: boolean }>): Promise<{ value: T; baton: string | null }> {
    this.expireIdle(Date.now());
    const stream = baton === null ? this.streams.open() : await this.streams.take(baton);
    let outcome: { value: T; close: boolean };
    try {
      outcome = await work(stream);
    } catch (e) {
      this.streams.close(stream);
      throw e;
    } finally {
      this.lock.notify();
    }
    if (outcome.close) {
      this.streams.close(stream);
      return { value: outcome.value, baton: null };
    }
    const next = await this.streams.release(stream);
    this.options.scheduleExpiry(stream.expiresAt);
    return { value: outcome.value, baton: next };
  }

  /** Ends a request on a WebSocket's stream: its idle clock (for an open transaction) starts now. */
  releaseSocketStream(stream: Stream): void {
    if (stream.closed) return;
    this.streams.idleFrom(stream);
    if (stream.conn.inTransaction) this.options.scheduleExpiry(stream.expiresAt);
  }

  /** Registers an open WebSocket session, closed by shutdown(); returns its unregistration. */
  attachSocket(close: (reason: string) => void): () => void {
    this.socketClosers.add(close);
    return () => this.socketClosers.delete(close);
  }

  /**
   * Closes the WebSocket sessions (telling their clients `reason`), the idle
   * streams and the database, which fails whatever a busy stream still
   * tries: before the pages are replaced (import) or deleted. The Durable
   * Object then opens a new service, whose registry knows none of the old
   * batons (STREAM_EXPIRED).
   */
  shutdown(reason: string): void {
    for (const close of [...this.socketClosers]) close(reason);
    this.socketClosers.clear();
    this.streams.expireIdle(Number.POSITIVE_INFINITY);
    this.db.close();
    this.lock.notify();
  }

  /** Expires streams idle at `now`; returns when the next one expires, if any. */
  expireIdle(now: number): number | null {
    this.streams.expireIdle(now);
    return this.streams.nextExpiry();
  }
}
