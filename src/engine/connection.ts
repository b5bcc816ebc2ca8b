// A connection: its transaction state (autocommit, or an explicit BEGIN with
// a read snapshot and possibly the write lock), its view of the schema, the
// counters behind changes()/last_insert_rowid(), and the preparation and
// execution of statements. Several connections may share one DatabaseCore.
//
// Semantics are SQLite's in WAL mode: a reader sees the snapshot taken at its
// first read and never blocks; one writer at a time holds the write lock;
// a deferred transaction that read an older snapshot cannot start writing
// after another commit (SQLITE_BUSY_SNAPSHOT).
import type { BtreeDatabase, ReadTransaction, TransactionMark, WriteTransaction } from "./btree/index.js";
import { SqliteError } from "./errors.js";
import { functionExists, lookupFunction } from "./func/registry.js";
import type { FunctionContext } from "./func/types.js";
import { compileStatement } from "./exec/compile.js";
import { PlanCollector, type CompileEnv } from "./exec/compile-env.js";
import type { FunctionLookup } from "./exec/compile-expr.js";
import type { PragmaSettings } from "./exec/pragma.js";
import type { StatementProgram } from "./exec/program.js";
import { StatementRuntime } from "./exec/runtime.js";
import type { TableValuedFunction } from "./exec/table-function.js";
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
}

export const DEFAULT_LIMITS: EngineLimits = {
  sqlLength: 1_000_000_000,
  valueLength: 1_000_000_000,
  variables: 32_766,
  statementSteps: Number.POSITIVE_INFINITY,
  statementTimeoutMs: Number.POSITIVE_INFINITY,
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

  constructor(readonly btree: BtreeDatabase) {}
}

/** A statement compiled for one connection at one schema version. */
export interface PreparedProgram {
  program: StatementProgram;
  runtime: StatementRuntime;
  schema: Schema;
}

export class Connection {
  private read: ReadTransaction | null = null;
  private write: WriteTransaction | null = null;
  /** Inside BEGIN ... COMMIT (or a transaction opened by SAVEPOINT). */
  private explicit = false;
  /** Open savepoints, innermost last; a null mark means "before this transaction wrote anything". */
  private savepoints: { name: string; mark: TransactionMark | null }[] = [];
  /** State when the explicit transaction began writing (ROLLBACK TO an earlier savepoint returns here). */
  private writeStartMark: TransactionMark | null = null;
  /** The transaction was opened by SAVEPOINT: releasing the outermost savepoint commits it. */
  private openedBySavepoint = false;
  private schemaCache: Schema | null = null;
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
  };
  readonly functionContext: FunctionContext;
  private statementTime = 0;
  readonly limits: EngineLimits = { ...DEFAULT_LIMITS };
  /** The statement running now, if any (for interrupt()). */
  private running: StatementRuntime | null = null;

  constructor(readonly core: DatabaseCore) {
    const conn = this;
    this.functionContext = {
      changes: () => conn.changes,
      totalChanges: () => conn.totalChanges,
      lastInsertRowid: () => conn.lastInsertRowid,
      statementTime: () => conn.statementTime || Date.now(),
      randomBytes: (bytes) => crypto.getRandomValues(bytes),
      caseSensitiveLike: () => conn.settings.caseSensitiveLike,
      tableColumns: (table) => conn.schema().table(table)?.columns.map((c) => c.name),
    };
  }

  get inTransaction(): boolean {
    return this.explicit;
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
    const autocommit = !this.explicit;
    let current = prepared;
    let statementMark: TransactionMark | null = null;
    try {
      if (current.program.writes) this.beginWrite();
      else this.beginRead();
      if (this.schema() !== current.schema) {
        current = this.compile(ast, source);
        if (current.program.writes && !this.write) this.beginWrite();
      }
      // Inside a transaction a failed statement is undone alone; statements that cannot fail half-way skip the mark.
      statementMark = !autocommit && this.write && current.program.writes && !current.program.singleRowWrite ? this.write.mark() : null;
      const rt = current.runtime;
      rt.budget.start(this.limits.statementSteps, this.limits.statementTimeoutMs);
      this.running = rt;
      rt.params = params;
      rt.executionId++;
      rt.changes = 0;
      rt.lastInsertRowid = null;
      this.statementTime = Date.now();
      current.program.run(emit);
      if (current.program.countsChanges) {
        this.changes = rt.changes;
        this.totalChanges += rt.changes;
      }
      if (rt.lastInsertRowid !== null) this.lastInsertRowid = rt.lastInsertRowid;
      if (current.program.changesSchema) this.schemaCache = null;
      if (autocommit) this.commit();
      return current;
    } catch (e) {
      if (autocommit) this.rollback();
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

  /** Makes the running statement (if any) stop with SQLITE_INTERRUPT at its next check. */
  interrupt(): void {
    if (this.running) this.running.budget.interrupted = true;
  }

  /** BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE]. */
  begin(mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT" | null): void {
    if (this.explicit) throw new SqliteError("cannot start a transaction within a transaction");
    if (mode === "CONCURRENT") throw new SqliteError("BEGIN CONCURRENT is not supported yet");
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
    if (this.write) {
      const w = this.write;
      try {
        for (const hook of this.core.commitHooks) hook(w, w, this);
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.write = null;
      this.core.writer = null;
      w.commit();
    }
    if (this.read) {
      this.read.end();
      this.read = null;
    }
    this.endTransaction();
  }

  rollback(): void {
    if (this.write) {
      const w = this.write;
      this.write = null;
      this.core.writer = null;
      w.rollback();
      this.schemaCache = null;
    }
    if (this.read) {
      this.read.end();
      this.read = null;
    }
    this.endTransaction();
  }

  /** SAVEPOINT name: opens a transaction when none is open. */
  savepoint(name: string): void {
    if (!this.explicit) {
      this.begin(null);
      this.openedBySavepoint = true;
    }
    this.savepoints.push({ name, mark: this.write ? this.write.mark() : null });
  }

  /** RELEASE name: forgets it and every later savepoint; releasing the outermost of a SAVEPOINT-opened transaction commits. */
  release(name: string): void {
    const i = this.findSavepoint(name);
    this.savepoints.length = i;
    if (i === 0 && this.openedBySavepoint) this.commit();
  }

  /** ROLLBACK TO name: undoes everything since the savepoint, which stays open. */
  rollbackToSavepoint(name: string): void {
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
    this.savepoints = [];
    this.writeStartMark = null;
    this.openedBySavepoint = false;
  }

  private beginRead(): void {
    if (!this.read && !this.write) this.read = this.core.btree.beginRead();
  }

  private beginWrite(): void {
    if (this.write) return;
    const core = this.core;
    if (core.writer && core.writer !== this) throw new SqliteError("database is locked", "SQLITE_BUSY");
    if (this.read) {
      // A deferred transaction upgrading to write must still be reading the latest state.
      if (this.read.snapshot?.seq !== core.btree.pager.latestSeq) {
        throw new SqliteError("database is locked: the snapshot this transaction read is no longer the latest", "SQLITE_BUSY_SNAPSHOT");
      }
      this.write = core.btree.beginWrite(this.read);
      this.read.end();
      this.read = null;
    } else this.write = core.btree.beginWrite();
    core.writer = this;
    if (this.explicit) this.writeStartMark = this.write.mark();
  }

  /** Runs `f` with a snapshot to read the schema from, opening a temporary one outside transactions. */
  private withReadSnapshot<T>(f: () => T): T {
    if (this.read || this.write) return f();
    this.read = this.core.btree.beginRead();
    try {
      return f();
    } finally {
      this.read.end();
      this.read = null;
    }
  }

  /** The catalog as the current transaction sees it (cached by schema cookie). */
  schema(): Schema {
    const tx = this.currentTx();
    const cookie = tx.getHeader("schemaCookie");
    if (!this.schemaCache || this.schemaCache.cookie !== cookie) this.schemaCache = loadSchema(tx);
    return this.schemaCache;
  }

  close(): void {
    this.rollback();
  }
}

function functionLookup(name: string, nArgs: number): FunctionLookup {
  const f = lookupFunction(name, nArgs);
  if (f) return f;
  return functionExists(name) ? "wrong-arity" : undefined;
}
