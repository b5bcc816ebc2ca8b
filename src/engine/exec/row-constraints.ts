// What every row write checks before it touches a tree, whichever way the
// table stores its rows (rowid table or WITHOUT ROWID): column affinity or
// STRICT typing, generated column values and their NOT NULL, NOT NULL with
// its conflict resolution, value size limits, CHECK constraints, and the
// wording of UNIQUE / PRIMARY KEY failures. (WITHOUT ROWID tables have no
// generated columns yet: CREATE TABLE refuses them.)
import { SqliteError, type SqliteErrorCode } from "../errors.js";
import type { Check, Index, Table } from "../schema/schema.js";
import type { ConflictAction } from "../sql/ast.js";
import { applyAffinity, strictValue } from "../value/affinity.js";
import { truthValue } from "../value/arith.js";
import { utf8Length } from "../value/text.js";
import type { SqlValue } from "../value/types.js";
import type { Evaluator } from "./compile-expr.js";
import { computeGenerated, type GeneratedValue } from "./generated.js";
import type { ArrayRowSlot } from "./row-slot.js";

/** How a write resolves a constraint conflict (statement OR-clause, else the constraint's own). */
export type Resolution = ConflictAction;

/** Compiled per-table pieces that need expressions (CHECK, index expressions, partial-index WHERE). */
export interface TableExprs {
  /** Slot the expressions read the candidate row from (columns by index, rowid). */
  slot: ArrayRowSlot;
  checks: { check: Check; eval: Evaluator }[];
  /** Per index: evaluators for expression columns (null for plain columns) and the WHERE. */
  indexes: { columns: (Evaluator | null)[]; where: Evaluator | null }[];
  /** Generated columns in computation order, reading the slot. */
  generated: GeneratedValue[];
  /** The VIRTUAL ones among them (computed when a stored row is read). */
  virtual: GeneratedValue[];
}

export class RowConstraints {
  constructor(
    readonly table: Table,
    protected readonly exprs: TableExprs,
    private readonly maxValueLength: number,
  ) {}

  /** The row with column affinities applied and generated columns computed (what BEFORE triggers see as NEW). */
  withAffinity(values: readonly SqlValue[]): SqlValue[] {
    const row = values.map((v, i) => (i === this.table.rowidAlias ? v : applyAffinity(v, this.table.columns[i].affinity)));
    if (this.exprs.generated.length > 0) this.fillGenerated(row, this.table.rowidAlias >= 0 ? row[this.table.rowidAlias] : null);
    return row;
  }

  /** Computes the generated columns of a row into it (leaving the candidate slot on that row). */
  fillGenerated(values: SqlValue[], rowid: SqlValue): void {
    const slot = this.exprs.slot;
    slot.row = values;
    slot.rowidValue = rowid;
    computeGenerated(this.table, this.exprs.generated, values);
  }

  /**
   * Computes the VIRTUAL generated columns of a row read from storage (its
   * records leave them out) into it; the candidate slot is left as it was,
   * since callers read stored rows in the middle of a write.
   */
  fillVirtual(values: SqlValue[], rowid: SqlValue): void {
    if (this.exprs.virtual.length === 0) return;
    const slot = this.exprs.slot;
    const [savedRow, savedRowid] = [slot.row, slot.rowidValue];
    slot.row = values;
    slot.rowidValue = rowid;
    computeGenerated(this.table, this.exprs.virtual, values);
    slot.row = savedRow;
    slot.rowidValue = savedRowid;
  }

  /** Prepares column values for storage: affinity/STRICT typing, then NOT NULL (generated columns: see check). */
  coerce(values: SqlValue[], resolution: Resolution | null, defaults: readonly (() => SqlValue)[] = []): SqlValue[] | "ignore" {
    const t = this.table;
    for (let i = 0; i < t.columns.length; i++) {
      const c = t.columns[i];
      if (i === t.rowidAlias) continue;
      if (c.generated) {
        values[i] = null;
        continue;
      }
      let v = values[i];
      if (c.strictType) v = strictValue(v, c.strictType, t.name, c.name);
      else v = applyAffinity(v, c.affinity);
      if (v === null && c.notNull) {
        const action = resolution ?? c.notNullConflict;
        if (action === "IGNORE") return "ignore";
        const fallback = action === "REPLACE" && defaults[i] ? defaults[i]() : null;
        if (fallback !== null) v = applyAffinity(fallback, c.affinity);
        else throw constraintFailure(new SqliteError(`NOT NULL constraint failed: ${t.name}.${c.name}`, "SQLITE_CONSTRAINT_NOTNULL"), action);
      }
      if ((typeof v === "string" || v instanceof Uint8Array) && tooBig(v, this.maxValueLength)) {
        throw new SqliteError("string or blob too big", "SQLITE_TOOBIG");
      }
      values[i] = v;
    }
    return values;
  }

  /**
   * Computes the generated columns of the candidate row (already placed in
   * the expression slot, its other columns coerced) and checks their NOT
   * NULL constraints, then evaluates CHECK constraints.
   */
  check(resolution: Resolution | null): boolean {
    const t = this.table;
    if (this.exprs.generated.length > 0) {
      const values = this.exprs.slot.row as SqlValue[];
      computeGenerated(t, this.exprs.generated, values);
      for (const g of this.exprs.generated) {
        const c = t.columns[g.column];
        if (values[g.column] !== null || !c.notNull) continue;
        const action = resolution ?? c.notNullConflict;
        if (action === "IGNORE") return false;
        throw constraintFailure(new SqliteError(`NOT NULL constraint failed: ${t.name}.${c.name}`, "SQLITE_CONSTRAINT_NOTNULL"), action);
      }
    }
    for (const { check, eval: e } of this.exprs.checks) {
      const v = e();
      if (v !== null && truthValue(v) === false) {
        if (resolution === "IGNORE") return false;
        throw new SqliteError(`CHECK constraint failed: ${check.name ?? check.text}`, "SQLITE_CONSTRAINT_CHECK");
      }
    }
    return true;
  }

  /** The slot CHECK and index expressions read the candidate row from. */
  candidateSlot(): ArrayRowSlot {
    return this.exprs.slot;
  }

  protected uniqueError(index: Index): SqliteError {
    return uniqueConstraintError(this.table, index);
  }
}

/** SQLite's error for a duplicate key in UNIQUE or PRIMARY KEY index `index` of table `t`. */
export function uniqueConstraintError(t: Table, index: Index): SqliteError {
  const code: SqliteErrorCode = index.origin === "pk" ? "SQLITE_CONSTRAINT_PRIMARYKEY" : "SQLITE_CONSTRAINT_UNIQUE";
  if (index.columns.some((c) => c.column === -2)) return new SqliteError(`UNIQUE constraint failed: index '${index.name}'`, code);
  const names = index.columns.map((c) => `${t.name}.${c.column < 0 ? "rowid" : t.columns[c.column].name}`);
  return new SqliteError(`UNIQUE constraint failed: ${names.join(", ")}`, code);
}

/**
 * `error` tagged with how it ends the statement when that is the
 * constraint's own FAIL or ROLLBACK (a statement's OR FAIL / OR ROLLBACK is
 * the program's, and ABORT is the connection's default).
 */
export function constraintFailure(error: SqliteError, action: Resolution): SqliteError {
  if (action === "FAIL" || action === "ROLLBACK") error.resolution = action;
  return error;
}

/** Whether a text (in UTF-8 bytes) or blob is longer than `limit`; counts bytes only when it could matter. */
export function tooBig(v: string | Uint8Array, limit: number): boolean {
  if (v.length > limit) return true;
  if (v instanceof Uint8Array || v.length * 3 <= limit) return false;
  return utf8Length(v) > limit;
}
