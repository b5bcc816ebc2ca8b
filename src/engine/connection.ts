// A connection: its transaction state (autocommit, or an explicit BEGIN with
// a read snapshot and possibly the write lock), its view of the schema, the
// counters behind changes()/last_insert_rowid(), and the preparation and
// execution of statements. Several connections may share one DatabaseCore.
//
// Semantics are SQLite's in WAL mode: a reader sees the snapshot taken at its
// first read and never blocks; one writer at a time holds the write lock;
// a deferred transaction that read an older snapshot cannot start writing
// after another commit (SQLITE_BUSY_SNAPSHOT).
//
// In MVCC journal mode a BEGIN CONCURRENT transaction takes no lock: it reads
// the snapshot taken at BEGIN and writes privately; its COMMIT is validated
// against the rows other transactions committed since (write-write conflict:
// SQLITE_BUSY_SNAPSHOT, nothing applied) and, when others committed
// meanwhile, replayed onto the latest state (see mvcc/). A COMMIT while a
// plain transaction holds the write lock fails with SQLITE_BUSY and leaves
// the transaction open, to be retried.
import { FORMAT_MVCC, HDR, type BtreeDatabase, type HeaderField, type ReadTransaction, type TransactionMark, type WriteTransaction } from "./btree/index.js";
import { SqliteError, type ConstraintResolution } from "./errors.js";
import { functionExists, lookupFunction } from "./func/registry.js";
import type { FunctionContext } from "./func/types.js";
import { compileStatement } from "./exec/compile.js";
import { PlanCollector, type CompileEnv } from "./exec/compile-env.js";
import type { FunctionLookup } from "./exec/compile-expr.js";
import type { PragmaSettings } from "./exec/pragma.js";
import type { StatementProgram } from "./exec/program.js";
import { StatementRuntime } from "./exec/runtime.js";
import type { TableValuedFunction } from "./exec/table-function.js";
import { ConcurrencyControl, type ConcurrentTransaction } from "./mvcc/concurrency.js";
import { ReplayConflict, replayRowWrites } from "./mvcc/replay.js";
import { keyPolicy, RowWrites, type KeyPolicy } from "./mvcc/row-writes.js";
import type { Conflict } from "./mvcc/commit-history.js";
import { loadSchema } from "./schema/load-schema.js";
import type { Schema } from "./schema/schema.js";
import type { Statement } from "./sql/ast.js";
import type { SqlValue } from "./value/types.js";

/** Limits enforced per connection, with SQLite's errors (defaults are SQLite's own). */
export interface EngineLimits {
  /** Longest SQL text, in characters (SQLITE_TOOBIG). */
  sqlLength: number;
  /** Largest string or blob a statement may store or bind, in bytes (SQLITE_TOOBIG). */
  valueLength: number;
  /** Most bind parameters one statement may have ("too many SQL variables"). */
  variables: number;
  /** Most loop steps one statement may take (SQLITE_INTERRUPT); Infinity for no limit. */
  statementSteps: number;
  /** Longest a statement may run, in milliseconds (SQLITE_INTERRUPT); Infinity for no limit. */
  statementTimeoutMs: number;
  /** Most bytes a BEGIN CONCURRENT transaction may hold privately (changed pages and row log) before it is aborted. */
  concurrentTransactionBytes: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  sqlLength: 1_000_000_000,
  valueLength: 1_000_000_000,
  variables: 32_766,
  statementSteps: Number.POSITIVE_INFINITY,
  statementTimeoutMs: Number.POSITIVE_INFINITY,
  concurrentTransactionBytes: 64 * 1024 * 1024,
};

/**
 * Runs at every commit that changed something, after validation and right
 * before the changes are published: `target` is the transaction that will
 * be published and `source` the one the statements ran in (the same one
 * except when a BEGIN CONCURRENT transaction is replayed onto the latest
 * state). Writes it makes to `target` are part of the same commit; throwing
 * aborts the commit.
 */
export type CommitHook = (target: WriteTransaction, source: WriteTransaction, conn: Connection) => void;

/** State shared by every connection to one database: the B-tree file and the write lock. */
export class DatabaseCore {
  /** The connection holding the write lock, if any. */
  writer: Connection | null = null;
  readonly tableFunctions = new Map<string, TableValuedFunction>();
  readonly commitHooks: CommitHook[] = [];
  readonly concurrency = new ConcurrencyControl();
  /**
   * Most bytes of superseded page versions that open BEGIN CONCURRENT
   * snapshots may pin; past it, the oldest of them is aborted.
   */
  pinnedVersionBytes = 32 * 1024 * 1024;

  constructor(readonly btree: BtreeDatabase) {}

  /** Whether the latest committed state is in MVCC journal mode (PRAGMA journal_mode = 'mvcc'). */
  get mvcc(): boolean {
    return this.btree.formatVersion() === FORMAT_MVCC;
  }

  /** Aborts the oldest concurrent transactions while their snapshots pin more than the budget. */
  enforceVersionBudget(): void {
    const pager = this.btree.pager;
    while (pager.retainedBytes > this.pinnedVersionBytes) {
      const oldest = this.concurrency.oldest();
      if (!oldest) return;
      oldest.abort(
        `BEGIN CONCURRENT transaction aborted: its snapshot pinned more than ${this.pinnedVersionBytes} bytes of old page versions; retry it`,
      );
    }
  }
}

/** A statement compiled for one connection at one schema version. */
export interface PreparedProgram {
  program: StatementProgram;
  runtime: StatementRuntime;
  schema: Schema;
}

export class Connection {
  private read: ReadTransaction | null = null;
  /**
   * The last read transaction, ended: autocommit statements resume it while
   * nothing is committed in between, keeping its parsed pages and the
   * cursors their statements opened on it instead of starting afresh.
   */
  private idleRead: ReadTransaction | null = null;
  private write: WriteTransaction | null = null;
  /** Inside BEGIN ... COMMIT (or a transaction opened by SAVEPOINT). */
  private explicit = false;
  /** Open savepoints, innermost last; a null mark means "before this transaction wrote anything". */
  private savepoints: { name: string; mark: TransactionMark | null }[] = [];
  /** State when the explicit transaction began writing (ROLLBACK TO an earlier savepoint returns here). */
  private writeStartMark: TransactionMark | null = null;
  /** The transaction was opened by SAVEPOINT: releasing the outermost savepoint commits it. */
  private openedBySavepoint = false;
  /** The open BEGIN CONCURRENT transaction, if the current transaction is one. */
  private concurrent: ConcurrentTransaction | null = null;
  /** Set when the shared state aborted this connection's concurrent transaction; reported by its next statement. */
  private aborted: SqliteError | null = null;
  /** Row-log entries of the concurrent transaction already counted in `privateLogBytes`. */
  private countedRowOps = 0;
  private privateLogBytes = 0;
  private schemaCache: Schema | null = null;
  /** The read transaction `schemaCache` was last checked against (null after checking a write transaction, whose header changes). */
  private schemaCheckedOn: ReadTransaction | null = null;
  lastInsertRowid: number | bigint = 0;
  changes = 0;
  totalChanges = 0;
  readonly settings: PragmaSettings = {
    foreignKeys: false,
    recursiveTriggers: false,
    caseSensitiveLike: false,
    busyTimeout: 0,
    cacheSize: -2000,
    journalMode: "wal",
    concurrentTransactions: "off",
  };
  readonly functionContext: FunctionContext;
  private statementTime = 0;
  readonly limits: EngineLimits = { ...DEFAULT_LIMITS };
  /** The statement running now, if any (for interrupt()). */
  private running: StatementRuntime | null = null;
  /** Iterations open on this connection (Statement.iterate): while any is, writes are refused, as in better-sqlite3. */
  private openIterations = 0;

  constructor(readonly core: DatabaseCore) {
    const conn = this;
    this.functionContext = {
      changes: () => conn.changes,
      totalChanges: () => conn.totalChanges,
      lastInsertRowid: () => conn.lastInsertRowid,
      // Read on first use and then fixed for the rest of the statement, as SQLite does (sqlite3StmtCurrentTime).
      statementTime: () => {
        if (conn.statementTime === 0 && conn.running !== null) conn.statementTime = Date.now();
        return conn.statementTime || Date.now();
      },
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      caseSensitiveLike: () => conn.settings.caseSensitiveLike,
      tableColumns: (table) => conn.schema().table(table)?.columns.map((c) => c.name),
    };
  }

  get inTransaction(): boolean {
    return this.explicit;
  }

  /** Whether the open transaction is a BEGIN CONCURRENT one. */
  get inConcurrentTransaction(): boolean {
    return this.concurrent !== null;
  }

  /** The transaction statements read through right now. */
  currentTx(): ReadTransaction {
    const tx = this.write ?? this.read;
    if (!tx) throw new SqliteError("no transaction is active", "SQLITE_MISUSE");
    return tx;
  }

  currentWriteTx(): WriteTransaction {
    if (!this.write) throw new SqliteError("no write transaction is active", "SQLITE_MISUSE");
    return this.write;
  }

  /** Compiles a parsed statement against the schema of the current (or a fresh) snapshot. */
  prepare(ast: Statement, source: string): PreparedProgram {
    return this.withReadSnapshot(() => this.compile(ast, source));
  }

  private compile(ast: Statement, source: string): PreparedProgram {
    const schema = this.schema();
    const runtime = new StatementRuntime(this.functionContext);
    const env: CompileEnv = {
      schema,
      runtime,
      source,
      tx: () => this.currentTx(),
      writeTx: () => this.currentWriteTx(),
      lookupFunction: functionLookup,
      lookupTableFunction: (name) => this.core.tableFunctions.get(name),
      ctes: null,
      outer: null,
      triggerStack: [],
      settings: this.settings,
      maxValueLength: this.limits.valueLength,
      plan: new PlanCollector(),
      subqueries: { count: 0 },
    };
    return { program: compileStatement(ast, env), runtime, schema };
  }

  /**
   * Runs a prepared statement inside the current transaction (or its own,
   * in autocommit mode), recompiling it first if the schema changed.
   */
  run(prepared: PreparedProgram, ast: Statement, source: string, params: SqlValue[], emit: (row: SqlValue[]) => boolean): PreparedProgram {
    this.reportAbort();
    if (this.openIterations > 0 && prepared.program.writes) throw busyIterating();
    const autocommit = !this.explicit;
    let current = prepared;
    let statementMark: TransactionMark | null = null;
    let started = false;
    try {
      if (this.concurrent && current.program.changesSchema) {
        throw new SqliteError("schema changes are not allowed inside BEGIN CONCURRENT: run them in their own transaction");
      }
      if (current.program.writes) this.beginWrite();
      else this.beginRead();
      if (this.schema() !== current.schema) {
        current = this.compile(ast, source);
        if (current.program.writes && !this.write) this.beginWrite();
      }
      // Inside a transaction a failed statement is undone alone; statements that cannot fail half-way skip the mark.
      statementMark = !autocommit && this.write && current.program.writes && !current.program.singleRowWrite ? this.write.mark() : null;
      const rt = current.runtime;
      // The statement time is taken when a function first asks for it.
      this.startRun(rt, params, 0);
      started = true;
      current.program.run(emit);
      if (current.program.countsChanges) {
        this.changes = rt.changes;
        this.totalChanges += rt.changes;
      }
      if (rt.lastInsertRowid !== null) this.lastInsertRowid = rt.lastInsertRowid;
      if (current.program.changesSchema) this.schemaCache = null;
      if (autocommit) this.commit();
      else if (this.concurrent) this.checkPrivateBudget();
      return current;
    } catch (e) {
      const resolution = constraintResolution(e, current.program);
      if (started && current.program.countsChanges) {
        // A failed statement sets changes() too: to the rows OR FAIL keeps (they count), else to none.
        const kept = resolution === "FAIL" ? current.runtime.changes : 0;
        this.changes = kept;
        this.totalChanges += kept;
      }
      if (resolution === "FAIL") {
        if (autocommit) this.commit();
      } else if (resolution === "ROLLBACK") this.rollback();
      else if (autocommit) this.rollback();
      else if (statementMark && this.write) {
        this.write.rollbackTo(statementMark);
        this.schemaCache = null;
      }
      throw e;
    } finally {
      this.statementTime = 0;
      this.running = null;
    }
  }

  /** Readies a statement's runtime for a run; `time` is its statement time, 0 to take it when first asked for. */
  private startRun(rt: StatementRuntime, params: SqlValue[], time: number): void {
    rt.budget.start(this.limits.statementSteps, this.limits.statementTimeoutMs);
    this.running = rt;
    rt.params = params;
    rt.executionId++;
    rt.changes = 0;
    rt.rows.reset();
    rt.lastInsertRowid = null;
    this.statementTime = time;
  }

  /**
   * Starts an iteration over a read-only statement's rows: outside a
   * transaction it pins a snapshot of its own, so that every part of the
   * iteration reads the same state, with the same statement time. Until
   * endIteration, statements that write and transaction control are refused.
   */
  beginIteration(): Iteration {
    this.reportAbort();
    const read = this.explicit ? null : this.core.btree.beginRead();
    this.openIterations++;
    return { read, time: Date.now() };
  }

  endIteration(iteration: Iteration): void {
    iteration.read?.end();
    this.openIterations--;
  }

  /** Throws when an iteration is open (for transaction control, which the Statement runs itself). */
  checkNotIterating(): void {
    if (this.openIterations > 0) throw busyIterating();
  }

  /**
   * Runs a read-only program as part of an iteration, on its snapshot (or
   * the transaction's), recompiling it first if the schema changed.
   */
  runIteration(prepared: PreparedProgram, ast: Statement, source: string, params: SqlValue[], emit: (row: SqlValue[]) => boolean, iteration: Iteration): PreparedProgram {
    this.reportAbort();
    const outside = this.read;
    if (iteration.read) this.read = iteration.read;
    try {
      const current = this.schema() === prepared.schema ? prepared : this.compile(ast, source);
      this.startRun(current.runtime, params, iteration.time);
      current.program.run(emit);
      return current;
    } finally {
      this.statementTime = 0;
      this.running = null;
      if (iteration.read) this.read = outside;
    }
  }

  /** Makes the running statement (if any) stop with SQLITE_INTERRUPT at its next check. */
  interrupt(): void {
    if (this.running) this.running.budget.interrupted = true;
  }

  /** BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE]. */
  begin(mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT" | null): void {
    this.reportAbort();
    if (this.explicit) throw new SqliteError("cannot start a transaction within a transaction");
    if (this.runsAsConcurrent(mode)) {
      this.beginConcurrent();
      return;
    }
    this.explicit = true;
    if (mode === "IMMEDIATE" || mode === "EXCLUSIVE") {
      try {
        this.beginWrite();
      } catch (e) {
        this.explicit = false;
        throw e;
      }
    }
  }

  commit(): void {
    this.reportAbort();
    if (this.concurrent) {
      this.commitConcurrent(this.concurrent);
      return;
    }
    if (this.write) {
      const w = this.write;
      const control = this.core.concurrency;
      let writes: RowWrites | null = null;
      let policy = NO_POLICY;
      try {
        if (control.active) {
          writes = w.rowOps ? RowWrites.fold(w.rowOps) : null;
          policy = keyPolicy(this.schema());
        }
        for (const hook of this.core.commitHooks) hook(w, w, this);
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.write = null;
      this.core.writer = null;
      const seq = w.commit();
      control.recordCommit(seq, writes, policy);
      this.core.enforceVersionBudget();
    }
    this.endRead();
    this.endTransaction();
  }

  /** Whether a BEGIN of `mode` starts a concurrent transaction (PRAGMA concurrent_transactions maps plain ones in MVCC mode). */
  private runsAsConcurrent(mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT" | null): boolean {
    if (mode === "CONCURRENT") return true;
    const setting = this.settings.concurrentTransactions;
    if (setting === "off" || !this.core.mvcc) return false;
    return setting === "all" || mode === null || mode === "DEFERRED";
  }

  /** BEGIN CONCURRENT: a snapshot now, private writes later, no lock. */
  private beginConcurrent(): void {
    if (!this.core.mvcc) throw new SqliteError("BEGIN CONCURRENT requires PRAGMA journal_mode = 'mvcc'");
    this.read = this.openRead();
    const conn = this;
    const entry: ConcurrentTransaction = {
      baseSeq: this.read.snapshot!.seq,
      abort: (reason) => conn.abortConcurrent(reason),
    };
    this.explicit = true;
    this.concurrent = entry;
    this.countedRowOps = 0;
    this.privateLogBytes = 0;
    const control = this.core.concurrency;
    control.begin(entry);
    // Rows the open plain writer inserted while no concurrent transaction was open were not reserved: reserve
    // them now (when it logs its rows), so that this transaction's automatic rowids pass them instead of conflicting.
    const plain = this.core.writer?.write;
    for (const op of plain?.rowOps ?? []) if (!op.index && op.record !== null) control.reservations.reserve(op.tree, op.rowid);
    // And from now on it draws its new rowids past this transaction's too.
    if (plain) plain.rowidReservations = control.reservations;
  }

  /**
   * COMMIT of a BEGIN CONCURRENT transaction: publish directly when nothing
   * was committed since its snapshot; otherwise validate its written rows
   * against the commits since and replay them onto the latest state. Any
   * failure rolls the whole transaction back; only SQLITE_BUSY (the write
   * lock is held) leaves it open.
   */
  private commitConcurrent(entry: ConcurrentTransaction): void {
    const core = this.core;
    const w = this.write;
    if (w && core.writer && core.writer !== this) {
      throw new SqliteError("database is locked: another transaction holds the write lock; retry COMMIT", "SQLITE_BUSY");
    }
    let seq: number | null = null;
    let writes: RowWrites | null = null;
    let policy = NO_POLICY;
    if (w) {
      try {
        const schema = this.schema();
        policy = keyPolicy(schema);
        writes = RowWrites.fold(w.rowOps ?? []);
        if (core.btree.pager.latestSeq === entry.baseSeq) {
          for (const hook of core.commitHooks) hook(w, w, this);
          seq = w.commit();
        } else {
          seq = this.replayOntoLatest(entry, w, writes, schema, policy);
          w.rollback();
        }
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.write = null;
      core.concurrency.recordCommit(seq, writes, policy);
    }
    core.concurrency.end(entry);
    this.concurrent = null;
    this.endRead();
    this.endTransaction();
    if (seq !== null) core.enforceVersionBudget();
  }

  private replayOntoLatest(entry: ConcurrentTransaction, w: WriteTransaction, writes: RowWrites, schema: Schema, policy: KeyPolicy): number {
    const core = this.core;
    if (core.btree.getHeader("schemaCookie") !== schema.cookie) throw conflictError("the schema changed since the transaction began");
    const clash = core.concurrency.history.conflict(entry.baseSeq, writes.writtenKeys(policy));
    if (clash) throw conflictError(describeConflict(clash, schema));
    const target = core.btree.beginWrite();
    try {
      // Header values the transaction set (PRAGMA user_version, application_id, journal_mode) travel with its rows.
      const base = w.pages.base.readPage(1);
      for (const field of ["userVersion", "applicationId"] as const) {
        const value = w.getHeader(field);
        if (value !== readHeaderField(base, field)) target.setHeader(field, value);
      }
      if (w.formatVersion() !== base[FORMAT_VERSION_OFFSET]) target.setFormatVersion(w.formatVersion());
      replayRowWrites(target, writes, schema, { foreignKeys: this.settings.foreignKeys });
      for (const hook of core.commitHooks) hook(target, w, this);
      return target.commit();
    } catch (e) {
      target.rollback();
      throw e instanceof ReplayConflict ? conflictError(e.detail) : e;
    }
  }

  /** Ends the concurrent transaction from outside; the connection reports `reason` at its next statement. */
  private abortConcurrent(reason: string): void {
    const entry = this.concurrent;
    if (!entry) return;
    this.write?.rollback();
    this.write = null;
    this.endRead();
    this.core.concurrency.end(entry);
    this.concurrent = null;
    this.aborted = new SqliteError(reason, "SQLITE_ABORT");
  }

  /**
   * Every statement but ROLLBACK (COMMIT included) reports an abort from
   * outside (see abortConcurrent) with SQLITE_ABORT; the transaction is over
   * once reported.
   */
  private reportAbort(): void {
    const e = this.aborted;
    if (!e) return;
    this.aborted = null;
    this.endTransaction();
    throw e;
  }

  /** Aborts the concurrent transaction when its private pages and row log exceed the budget. */
  private checkPrivateBudget(): void {
    const w = this.write;
    if (!w) return;
    const ops = w.rowOps ?? [];
    if (ops.length < this.countedRowOps) {
      // A statement or savepoint rollback shortened the log: count it again.
      this.countedRowOps = 0;
      this.privateLogBytes = 0;
    }
    for (let i = this.countedRowOps; i < ops.length; i++) {
      const op = ops[i];
      this.privateLogBytes += 32 + (op.index ? op.key.length : (op.record?.length ?? 0));
    }
    this.countedRowOps = ops.length;
    const bytes = w.pages.dirtyPageCount * w.pageSize + this.privateLogBytes;
    const limit = this.limits.concurrentTransactionBytes;
    if (bytes > limit) {
      this.rollback();
      throw new SqliteError(`BEGIN CONCURRENT transaction rolled back: it holds ${bytes} bytes of changes, more than its budget of ${limit}`, "SQLITE_NOMEM");
    }
  }

  rollback(): void {
    this.aborted = null;
    if (this.concurrent) {
      this.core.concurrency.end(this.concurrent);
      this.concurrent = null;
    }
    if (this.write) {
      const w = this.write;
      this.write = null;
      // A BEGIN CONCURRENT transaction writes without the lock: the lock may be another connection's.
      if (this.core.writer === this) this.core.writer = null;
      // The cached schema (and every statement compiled against it) stays valid unless this transaction
      // changed the schema: DDL bumps the cookie, and statement or savepoint rollbacks already dropped the cache.
      if (w.getHeader("schemaCookie") !== readHeaderField(w.pages.base.readPage(1), "schemaCookie")) this.schemaCache = null;
      w.rollback();
    }
    this.endRead();
    this.endTransaction();
  }

  /** SAVEPOINT name: opens a transaction when none is open. */
  savepoint(name: string): void {
    this.reportAbort();
    if (!this.explicit) {
      this.begin(null);
      this.openedBySavepoint = true;
    }
    this.savepoints.push({ name, mark: this.write ? this.write.mark() : null });
  }

  /** RELEASE name: forgets it and every later savepoint; releasing the outermost of a SAVEPOINT-opened transaction commits. */
  release(name: string): void {
    this.reportAbort();
    const i = this.findSavepoint(name);
    this.savepoints.length = i;
    if (i === 0 && this.openedBySavepoint) this.commit();
  }

  /** ROLLBACK TO name: undoes everything since the savepoint, which stays open. */
  rollbackToSavepoint(name: string): void {
    this.reportAbort();
    const i = this.findSavepoint(name);
    const mark = this.savepoints[i].mark ?? this.writeStartMark;
    if (this.write && mark) this.write.rollbackTo(mark);
    this.savepoints.length = i + 1;
    this.schemaCache = null;
  }

  private findSavepoint(name: string): number {
    const key = name.toLowerCase();
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i].name.toLowerCase() === key) return i;
    throw new SqliteError(`no such savepoint: ${name}`);
  }

  /** Ends the transaction state after COMMIT or ROLLBACK. */
  private endTransaction(): void {
    this.explicit = false;
    // Every autocommit statement ends here: no new array when there were no savepoints.
    if (this.savepoints.length > 0) this.savepoints = [];
    this.writeStartMark = null;
    this.openedBySavepoint = false;
  }

  private beginRead(): void {
    if (!this.read && !this.write) this.read = this.openRead();
  }

  /** A read transaction on the latest committed state: the last one again when nothing was committed since it ended. */
  private openRead(): ReadTransaction {
    const idle = this.idleRead;
    this.idleRead = null;
    return idle !== null && idle.resume() ? idle : this.core.btree.beginRead();
  }

  /** Ends the read transaction (if any), keeping it for openRead to resume. */
  private endRead(): void {
    const read = this.read;
    if (read === null) return;
    read.end();
    this.read = null;
    this.idleRead = read;
  }

  private beginWrite(): void {
    if (this.write) return;
    const core = this.core;
    if (this.concurrent) {
      // No lock: private pages on top of the snapshot taken at BEGIN.
      const read = this.read!;
      this.write = core.btree.beginWrite(read);
      this.endRead();
      this.write.trackRowOps();
      this.write.rowidReservations = core.concurrency.reservations;
      this.writeStartMark = this.write.mark();
      return;
    }
    if (core.writer && core.writer !== this) throw new SqliteError("database is locked", "SQLITE_BUSY");
    if (this.read) {
      // A deferred transaction upgrading to write must still be reading the latest state.
      if (this.read.snapshot?.seq !== core.btree.pager.latestSeq) {
        throw new SqliteError("database is locked: the snapshot this transaction read is no longer the latest", "SQLITE_BUSY_SNAPSHOT");
      }
      this.write = core.btree.beginWrite(this.read);
      this.endRead();
    } else this.write = core.btree.beginWrite();
    core.writer = this;
    if (core.mvcc) {
      // Concurrent transactions (open now or begun before this commits) validate against the rows it writes.
      this.write.trackRowOps(true);
      // Open ones must not be handed rowids this one uses, nor it theirs.
      if (core.concurrency.active) this.write.rowidReservations = core.concurrency.reservations;
    }
    if (this.explicit) this.writeStartMark = this.write.mark();
  }

  /** Runs `f` with a snapshot to read the schema from, opening a temporary one outside transactions. */
  private withReadSnapshot<T>(f: () => T): T {
    if (this.read || this.write) return f();
    this.read = this.openRead();
    try {
      return f();
    } finally {
      this.endRead();
    }
  }

  /** The catalog as the current transaction sees it (cached by schema cookie). */
  schema(): Schema {
    const tx = this.currentTx();
    // A read transaction's state never changes (and a resumed one is the same state): its cookie was read already.
    if (tx === this.schemaCheckedOn && this.schemaCache !== null) return this.schemaCache;
    const cookie = tx.getHeader("schemaCookie");
    if (!this.schemaCache || this.schemaCache.cookie !== cookie) this.schemaCache = loadSchema(tx);
    this.schemaCheckedOn = this.write === null ? tx : null;
    return this.schemaCache;
  }

  close(): void {
    this.rollback();
    this.idleRead = null;
  }
}

/** An open Statement.iterate(): its snapshot (null inside a transaction) and statement time. */
export interface Iteration {
  read: ReadTransaction | null;
  time: number;
}

function busyIterating(): SqliteError {
  return new SqliteError("This database connection is busy executing a query", "SQLITE_BUSY");
}

/** How a statement's error ends it: by the RAISE that made it, else by the statement's OR FAIL / OR ROLLBACK for constraint errors. */
function constraintResolution(e: unknown, program: StatementProgram): ConstraintResolution | undefined {
  if (!(e instanceof SqliteError) || !e.code.startsWith("SQLITE_CONSTRAINT")) return undefined;
  return e.resolution ?? program.onConstraintError;
}

/** The policy while no concurrent transaction needs a commit's keys (nothing is recorded then). */
const NO_POLICY: KeyPolicy = { exempt: new Set(), keyed: new Map() };

function conflictError(detail: string): SqliteError {
  return new SqliteError(`database is locked: write-write conflict (${detail}); the transaction was rolled back, retry it`, "SQLITE_BUSY_SNAPSHOT");
}

function describeConflict(conflict: Conflict, schema: Schema): string {
  if (conflict.kind === "untracked") return "a transaction committed since this one began changed rows it did not track";
  let name = `tree ${conflict.tree}`;
  for (const t of schema.allTables()) if (t.rootPage === conflict.tree) name = t.name;
  const row = typeof conflict.row === "string" ? "a row (by PRIMARY KEY)" : `rowid ${conflict.row}`;
  return `${name} ${row} was changed by a transaction that committed after this one began`;
}

/** Header byte of the file format write version (FORMAT_MVCC in MVCC journal mode). */
const FORMAT_VERSION_OFFSET = 18;

function readHeaderField(page1: Uint8Array, field: HeaderField): number {
  return new DataView(page1.buffer, page1.byteOffset, page1.byteLength).getUint32(HDR[field]);
}

function functionLookup(name: string, nArgs: number): FunctionLookup {
  const f = lookupFunction(name, nArgs);
  if (f) return f;
  return functionExists(name) ? "wrong-arity" : undefined;
}
