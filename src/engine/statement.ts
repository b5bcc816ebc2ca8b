// A prepared statement of the public API: parameter binding (positional and
// named), running it, and turning engine values into JavaScript values
// (INTEGER as number, or bigint beyond 2^53; REAL as number; BLOB as
// Uint8Array), as objects keyed by column name or as arrays with raw().
import type { Connection, PreparedProgram } from "./connection.js";
import { SqliteError } from "./errors.js";
import type { ResultColumnInfo } from "./exec/select-types.js";
import { lookupFunction } from "./func/registry.js";
import type { ScriptStatement } from "./sql/ast.js";
import { callsFunction } from "./sql/ast-search.js";
import { INT64_MAX, INT64_MIN, IntegralReal, intValue, realValue, type SqlValue } from "./value/types.js";

/**
 * A JavaScript value accepted as a parameter. A number binds as INTEGER when
 * it is a safe integer, else as REAL; wrap it in an IntegralReal to bind a
 * REAL with an integral value (a protocol's `2.0`).
 */
export type BindValue = null | undefined | number | bigint | string | boolean | Uint8Array | ArrayBuffer | IntegralReal;
/** Parameters: positional values, arrays of them, and/or one object of named values. */
export type BindParameters = (BindValue | readonly BindValue[] | Record<string, BindValue>)[];

/** A result value as the API returns it. */
export type ResultValue = null | number | bigint | string | Uint8Array;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** Rows the statement's last run read and wrote in storage (libSQL's rows_read / rows_written; see RowCounts). */
export interface RowCountsResult {
  rowsRead: number;
  rowsWritten: number;
}

export interface ColumnDescription {
  name: string;
  column: string | null;
  table: string | null;
  database: string | null;
  type: string | null;
}

export class Statement {
  private prepared: PreparedProgram | null;
  private rawMode = false;
  private pluckMode = false;
  private canonicalMode = false;
  /** The row get() keeps: set by takeFirst, which is made once rather than per call. */
  private firstRow: SqlValue[] | undefined = undefined;
  /** Bound values of the common call shape (index 0 unused), refilled by every run (a run reads them only while it runs). */
  private readonly boundValues: SqlValue[];
  /** Every parameter is a plain `?` (no `?NNN`, no names): calls of one value per `?` take bindPlainPositional. */
  private readonly plainParameters: boolean;
  private readonly takeFirst = (row: SqlValue[]): boolean => {
    this.firstRow = row;
    return false;
  };
  /** Set while an iterate() is open: the statement's runtime is in use. */
  private iterating = false;
  /** Whether reruns give the same rows (no random() and the like); computed at the first iterate(). */
  private repeatable: boolean | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly parsed: ScriptStatement,
    /** The text the statement's AST offsets refer to. */
    private readonly source: string,
  ) {
    this.prepared = isTransactionControl(parsed) ? null : connection.prepare(parsed.statement, source);
    this.plainParameters = parsed.parameters.names.every((name) => name === null);
    this.boundValues = new Array<SqlValue>(parsed.parameters.count + 1).fill(null);
  }

  /** The statement's SQL text. */
  get sql(): string {
    return this.parsed.text;
  }

  /** Whether the statement returns rows. */
  get reader(): boolean {
    return (this.prepared?.program.columns.length ?? 0) > 0;
  }

  /** Rows as arrays instead of objects. */
  raw(on = true): this {
    this.rawMode = on;
    if (on) this.pluckMode = this.canonicalMode = false;
    return this;
  }

  /**
   * Rows as arrays of engine values in canonical form (src/engine/value/types.ts):
   * unlike raw(), a REAL whose value is integral stays distinguishable from an
   * INTEGER (as an IntegralReal). For protocol layers and conformance tools.
   */
  canonical(on = true): this {
    this.canonicalMode = on;
    if (on) this.rawMode = this.pluckMode = false;
    return this;
  }

  /** Only the first column of each row. */
  pluck(on = true): this {
    this.pluckMode = on;
    if (on) this.rawMode = this.canonicalMode = false;
    return this;
  }

  columns(): ColumnDescription[] {
    return (this.prepared?.program.columns ?? []).map((c: ResultColumnInfo) => ({
      name: c.name,
      column: c.column,
      table: c.table,
      database: c.table ? "main" : null,
      type: c.declaredType,
    }));
  }

  /** Rows read and written by the most recent run (zero before any, and for transaction control). */
  rowCounts(): RowCountsResult {
    const rows = this.prepared?.runtime.rows;
    return { rowsRead: rows?.read ?? 0, rowsWritten: rows?.written ?? 0 };
  }

  run(...params: BindParameters): RunResult {
    this.execute(params, takeAll);
    return { changes: this.connection.changes, lastInsertRowid: this.connection.lastInsertRowid };
  }

  get(...params: BindParameters): unknown {
    this.firstRow = undefined;
    this.execute(params, this.takeFirst);
    const first = this.firstRow;
    this.firstRow = undefined;
    return first === undefined ? undefined : this.shape(first);
  }

  all(...params: BindParameters): unknown[] {
    const rows: unknown[] = [];
    this.execute(params, (row) => {
      rows.push(this.shape(row));
      return true;
    });
    return rows;
  }

  /**
   * Iterates the rows, computed as the iterator is pulled. The executor
   * pushes rows, so a read-only statement runs in growing batches (64
   * rows, then twice as many each time), each run skipping the rows already
   * given, all on one snapshot: about twice the work of all() when read to
   * the end, much less when left early, and never all rows in memory.
   * Statements that write, and those calling non-deterministic functions
   * (random()...), whose reruns could differ, run once at the first pull.
   * As in better-sqlite3, until the iteration ends (read to the end, or
   * left with break/return()), the connection refuses statements that
   * write and transaction control, and this statement refuses to run.
   */
  *iterate(...params: BindParameters): IterableIterator<unknown> {
    const prepared = this.prepared;
    this.repeatable ??= !callsNondeterministic(this.parsed.statement);
    if (!prepared || prepared.program.writes || !this.repeatable) {
      yield* this.all(...params);
      return;
    }
    this.checkNotIterating();
    const values = bindParameters(this.parsed, params);
    const connection = this.connection;
    const iteration = connection.beginIteration();
    this.iterating = true;
    try {
      let given = 0;
      for (let batch = FIRST_BATCH; ; batch *= 2) {
        const rows: SqlValue[][] = [];
        let seen = 0;
        this.prepared = connection.runIteration(this.prepared as PreparedProgram, this.parsed.statement, this.source, values, (row) => {
          if (seen++ < given) return true;
          rows.push(row);
          return rows.length < batch;
        }, iteration);
        for (const row of rows) yield this.shape(row);
        if (rows.length < batch) return;
        given += rows.length;
      }
    } finally {
      this.iterating = false;
      connection.endIteration(iteration);
    }
  }

  private checkNotIterating(): void {
    if (this.iterating) throw new SqliteError("This statement is busy executing a query", "SQLITE_MISUSE");
  }

  private execute(params: BindParameters, emit: (row: SqlValue[]) => boolean): void {
    this.checkNotIterating();
    const stmt = this.parsed.statement;
    if (!this.prepared) {
      this.connection.checkNotIterating();
      if (params.some((p) => !(Array.isArray(p) && p.length === 0))) throw new SqliteError("transaction statements take no parameters", "SQLITE_RANGE");
      runTransactionControl(this.connection, stmt);
      return;
    }
    const count = this.parsed.parameters.count;
    const values = (this.plainParameters && bindPlainPositional(count, params, this.boundValues)) || bindParameters(this.parsed, params);
    this.prepared = this.connection.run(this.prepared, stmt, this.source, values, emit);
  }

  private shape(row: SqlValue[]): unknown {
    if (this.canonicalMode) return row;
    if (this.pluckMode) return toJs(row[0]);
    if (this.rawMode) {
      const out = new Array<ResultValue>(row.length);
      for (let i = 0; i < row.length; i++) out[i] = toJs(row[i]);
      return out;
    }
    const columns = (this.prepared as PreparedProgram).program.columns;
    const out: Record<string, ResultValue> = {};
    for (let i = 0; i < columns.length; i++) out[columns[i].name] = toJs(row[i]);
    return out;
  }
}

/** Rows of the first batch an iteration computes. */
const FIRST_BATCH = 64;

/** Whether the statement calls a function whose result may differ between runs (random(), randomblob()...). */
function callsNondeterministic(node: unknown): boolean {
  return callsFunction(node, (call) => {
    const f = lookupFunction(call.name.name.toLowerCase(), call.star ? 0 : call.args.length);
    return f?.kind === "scalar" && !f.deterministic;
  });
}

function isTransactionControl(parsed: ScriptStatement): boolean {
  const k = parsed.statement.kind;
  return k === "Begin" || k === "Commit" || k === "Rollback" || k === "Savepoint" || k === "Release";
}

function runTransactionControl(conn: Connection, stmt: ScriptStatement["statement"]): void {
  switch (stmt.kind) {
    case "Begin":
      conn.begin(stmt.mode);
      return;
    case "Commit":
      if (!conn.inTransaction) throw new SqliteError("cannot commit - no transaction is active");
      conn.commit();
      return;
    case "Rollback":
      if (stmt.savepoint) {
        conn.rollbackToSavepoint(stmt.savepoint.name);
        return;
      }
      if (!conn.inTransaction) throw new SqliteError("cannot rollback - no transaction is active");
      conn.rollback();
      return;
    case "Savepoint":
      conn.savepoint(stmt.name.name);
      return;
    case "Release":
      conn.release(stmt.name.name);
      return;
    default:
      throw new SqliteError(`${stmt.kind} is not a transaction statement`, "SQLITE_INTERNAL");
  }
}

/** Engine value to the value the API returns. */
export function toJs(v: SqlValue): ResultValue {
  return typeof v === "object" && v instanceof IntegralReal ? v.value : v;
}

/** The emit callback of run(): every row (none, or RETURNING's, which run() does not return). */
const takeAll = (): boolean => true;

/** JavaScript value to an engine value. */
export function fromJs(v: BindValue): SqlValue {
  switch (typeof v) {
    case "number":
      return Number.isSafeInteger(v) ? v : realValue(v);
    case "bigint":
      if (v < INT64_MIN || v > INT64_MAX) throw new SqliteError("BigInt value is out of the 64-bit integer range", "SQLITE_RANGE");
      return intValue(v);
    case "string":
      return v;
    case "boolean":
      return v ? 1 : 0;
    case "undefined":
      return null;
    default:
      if (v === null) return null;
      if (v instanceof Uint8Array || v instanceof IntegralReal) return v;
      if (v instanceof ArrayBuffer) return new Uint8Array(v);
      throw new SqliteError(`cannot bind a value of type ${Object.prototype.toString.call(v)}`, "SQLITE_MISMATCH");
  }
}

function isNamedObject(v: unknown): v is Record<string, BindValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof ArrayBuffer) && !(v instanceof IntegralReal);
}

/** Maps the call's arguments onto parameter indexes 1..count, as better-sqlite3 does. */
export function bindParameters(parsed: ScriptStatement, params: BindParameters): SqlValue[] {
  const { count, names } = parsed.parameters;
  const values: SqlValue[] = new Array(count + 1).fill(null);
  const positional: BindValue[] = [];
  let named: Record<string, BindValue> | null = null;
  for (const p of params) {
    if (Array.isArray(p)) positional.push(...(p as BindValue[]));
    else if (isNamedObject(p)) {
      if (named) throw new SqliteError("only one object of named parameters may be given", "SQLITE_RANGE");
      named = p;
    } else positional.push(p as BindValue);
  }
  let next = 0;
  for (let i = 1; i <= count; i++) {
    const name = names[i - 1];
    if (name === null || name.startsWith("?")) {
      if (next < positional.length) values[i] = fromJs(positional[next++]);
      else if (name === null || positional.length > 0) throw new SqliteError(`Too few parameter values were provided`, "SQLITE_RANGE");
      continue;
    }
    const key = name.slice(1);
    if (named && Object.hasOwn(named, key)) values[i] = fromJs(named[key]);
    else if (named && Object.hasOwn(named, name)) values[i] = fromJs(named[name]);
    else if (next < positional.length) values[i] = fromJs(positional[next++]);
    else throw new SqliteError(`Missing named parameter "${key}"`, "SQLITE_RANGE");
  }
  if (next < positional.length) throw new SqliteError("Too many parameter values were provided", "SQLITE_RANGE");
  return values;
}

/**
 * The common call shape, one plain value per `?` (no arrays, no named
 * object) of a statement with only plain `?` parameters, bound into `values`
 * (count + 1 long) without the general matching; null when the call has
 * another shape.
 */
function bindPlainPositional(count: number, params: BindParameters, values: SqlValue[]): SqlValue[] | null {
  if (params.length !== count) return null;
  for (let i = 0; i < count; i++) {
    const p = params[i];
    if (typeof p === "object" && p !== null && (Array.isArray(p) || isNamedObject(p))) return null;
  }
  for (let i = 0; i < count; i++) values[i + 1] = fromJs(params[i] as BindValue);
  return values;
}
