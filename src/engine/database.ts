// The public engine API, in the shape of better-sqlite3: a Database is a
// connection to one database (in memory, over a page store, or opened from a
// file image); statements are prepared once and run many times.
import { BtreeDatabase, portableImage } from "./btree/index.js";
import { Connection, DatabaseCore, type EngineLimits } from "./connection.js";
import { SqliteError } from "./errors.js";
import { MemoryPageStore } from "./pager/memory-page-store.js";
import type { PageStore } from "./pager/page-store.js";
import { parseScript } from "./sql/parse.js";
import { Statement } from "./statement.js";
import { registerTableFunctions } from "./builtins.js";
import { writeCapturedChanges } from "./cdc/commit.js";

export interface DatabaseOptions {
  /** Where pages live; a fresh in-memory store by default. */
  store?: PageStore;
  /** Open a copy of this SQLite file image (ignored when `store` is given). */
  image?: Uint8Array;
  /** Page cache bound in bytes (default 4 MiB). */
  cacheBytes?: number;
  /** Page size of a new database (default 4096). */
  pageSize?: number;
  /** Limits (SQL length, value size, parameters, statement steps and time); SQLite's defaults otherwise. */
  limits?: Partial<EngineLimits>;
}

export class Database {
  private readonly connection: Connection;
  private open = true;
  private savepointDepth = 0;
  /** Connections made with connect() do not own the database: closing them leaves it open. */
  private readonly ownsCore: boolean;

  constructor(options: DatabaseOptions = {}, shared?: DatabaseCore) {
    if (shared) {
      this.connection = new Connection(shared);
      this.ownsCore = false;
      return;
    }
    const store = options.store ?? (options.image ? MemoryPageStore.fromImage(options.image) : new MemoryPageStore());
    const btree = BtreeDatabase.open(store, { cacheBytes: options.cacheBytes, pageSize: options.pageSize });
    const core = new DatabaseCore(btree);
    registerTableFunctions(core);
    core.commitHooks.push(writeCapturedChanges);
    this.connection = new Connection(core);
    this.ownsCore = true;
    Object.assign(this.connection.limits, options.limits);
  }

  /** The connection's limits; assign to change them (e.g. `db.limits.statementTimeoutMs = 1000`). */
  get limits(): EngineLimits {
    return this.connection.limits;
  }

  /**
   * Stops the statement running on this connection (from a user function or a
   * trigger, say) with SQLITE_INTERRUPT; its changes are rolled back.
   */
  interrupt(): void {
    this.connection.interrupt();
  }

  /**
   * Another connection to the same database, with its own transaction state
   * (readers see their own snapshot; one writer at a time: a second writer
   * gets SQLITE_BUSY). Closing it leaves this database open.
   */
  connect(): Database {
    this.checkOpen();
    return new Database({}, this.connection.core);
  }

  /** Whether a transaction is open (inside BEGIN ... COMMIT). */
  get inTransaction(): boolean {
    return this.connection.inTransaction;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Compiles one statement. */
  prepare(sql: string): Statement {
    this.checkOpen();
    const statements = this.parse(sql);
    if (statements.length === 0) throw new SqliteError("The supplied SQL string contains no statements", "SQLITE_MISUSE");
    if (statements.length > 1) throw new SqliteError("The supplied SQL string contains more than one statement", "SQLITE_MISUSE");
    return new Statement(this.connection, statements[0], sql);
  }

  /** Runs a script of statements (no parameters, results discarded). */
  exec(sql: string): this {
    this.checkOpen();
    for (const s of this.parse(sql)) new Statement(this.connection, s, sql).run();
    return this;
  }

  private parse(sql: string): ReturnType<typeof parseScript> {
    if (sql.length > this.limits.sqlLength) throw new SqliteError("string or blob too big", "SQLITE_TOOBIG");
    const statements = parseScript(sql);
    for (const s of statements) {
      if (s.parameters.count > this.limits.variables) throw new SqliteError("too many SQL variables");
    }
    return statements;
  }

  /**
   * Wraps `fn` in a transaction: BEGIN before, COMMIT after, ROLLBACK if it
   * throws. Variants `.deferred`, `.immediate`, `.exclusive`, `.concurrent`
   * choose the BEGIN (`.concurrent` needs PRAGMA journal_mode = 'mvcc'; its
   * COMMIT may fail with SQLITE_BUSY_SNAPSHOT, after which `fn` can be retried).
   * Called inside a transaction, it uses a savepoint instead, as better-sqlite3 does.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): TransactionFunction<A, R> {
    const make = (mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT") => (...args: A): R => {
      if (this.inTransaction) return this.inSavepoint(() => fn(...args));
      this.exec(`BEGIN ${mode}`);
      try {
        const result = fn(...args);
        this.exec("COMMIT");
        return result;
      } catch (e) {
        if (this.inTransaction) this.exec("ROLLBACK");
        throw e;
      }
    };
    const wrapped = make("DEFERRED") as TransactionFunction<A, R>;
    wrapped.deferred = make("DEFERRED");
    wrapped.immediate = make("IMMEDIATE");
    wrapped.exclusive = make("EXCLUSIVE");
    wrapped.concurrent = make("CONCURRENT");
    return wrapped;
  }

  private inSavepoint<R>(f: () => R): R {
    const name = `tessera_tx_${++this.savepointDepth}`;
    this.exec(`SAVEPOINT ${name}`);
    try {
      const result = f();
      this.exec(`RELEASE ${name}`);
      return result;
    } catch (e) {
      this.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw e;
    } finally {
      this.savepointDepth--;
    }
  }

  /**
   * The committed database as a standard SQLite file image (an MVCC
   * database's header mark is reset, so SQLite opens it; the image opens in
   * Tessera in the default journal mode).
   */
  serialize(): Uint8Array {
    this.checkOpen();
    return portableImage(this.connection.core.btree.serialize());
  }

  /** Whether this connection is inside a BEGIN CONCURRENT transaction. */
  get inConcurrentTransaction(): boolean {
    return this.connection.inConcurrentTransaction;
  }

  /** Rolls back any open transaction and releases the database. */
  close(): void {
    if (!this.open) return;
    this.connection.close();
    if (this.ownsCore) this.connection.core.btree.close();
    this.open = false;
  }

  private checkOpen(): void {
    if (!this.open) throw new SqliteError("The database connection is not open", "SQLITE_MISUSE");
  }
}

export type TransactionFunction<A extends unknown[], R> = ((...args: A) => R) & {
  deferred: (...args: A) => R;
  immediate: (...args: A) => R;
  exclusive: (...args: A) => R;
  concurrent: (...args: A) => R;
};
