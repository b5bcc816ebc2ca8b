// Name resolution: which FROM-clause source (of this query or an enclosing
// one, for correlated subqueries) a column reference means, following
// SQLite's rules for qualified names, USING/NATURAL join columns, the rowid
// aliases and ambiguity errors.
import { SqliteError } from "../errors.js";
import type { Evaluator } from "../exec/compile-expr.js";
import type { RowSlot } from "../exec/row-slot.js";
import type { BuiltinFunction } from "../func/types.js";
import type { ColumnRef, FunctionCall } from "../sql/ast.js";
import type { Affinity } from "../value/affinity.js";
import { foldName } from "../schema/schema.js";

/** What a source says about one of its columns. */
export interface SourceColumn {
  name: string;
  affinity: Affinity;
  collation: string;
  /** Declared type, for result-column metadata; null for expressions. */
  declaredType: string | null;
  /** Origin table and column, for result-column metadata. */
  originTable: string | null;
  originColumn: string | null;
  /** Hidden columns (table-valued function arguments) are left out of `*`. */
  hidden: boolean;
}

/** One source of a FROM clause: a table, view, subquery, CTE or table-valued function. */
export interface Source {
  /** Name that qualifies its columns: the alias, else the table name. */
  name: string;
  columns: SourceColumn[];
  slot: RowSlot;
  /** Whether `rowid`/`oid`/`_rowid_` resolve to this source's rowid. */
  hasRowid: boolean;
  /** Index of the INTEGER PRIMARY KEY column, or -1. */
  rowidAlias: number;
  /** Columns merged into an earlier source by USING/NATURAL: skipped by `*`. */
  usingHidden: Set<number>;
  /**
   * For a USING/NATURAL column of this source that RIGHT or FULL JOINs merged
   * other sources' columns into: those columns, read in order when this one
   * is NULL by the unqualified name (and by `*`).
   */
  usingCoalesce?: Map<number, { source: Source; column: number }[]>;
  /** Set when some expression reads this source (for covering-index decisions). */
  usedColumns: Set<number>;
}

export interface ResolvedColumn {
  source: Source;
  /** Column index, or -1 for the rowid. */
  column: number;
  /** 0 for this query's sources, 1 for the enclosing query's, and so on. */
  depth: number;
  /** For an unqualified USING column merged by RIGHT/FULL JOINs: the columns read when this one is NULL. */
  coalesce?: { source: Source; column: number }[];
}

const ROWID_NAMES = new Set(["rowid", "oid", "_rowid_"]);

export class Scope {
  /** Set when a reference resolved through this scope to an outer one. */
  correlated = false;
  /**
   * Where an aggregate query's output compiles the aggregate calls of its
   * subqueries that read only this query's columns: SQLite computes those
   * in this query (`SELECT (SELECT max(o.a) FROM i) FROM o` is one row).
   */
  aggregates?: (call: FunctionCall, fn: BuiltinFunction) => Evaluator;

  constructor(
    readonly sources: Source[],
    readonly outer: Scope | null,
  ) {}

  /** Resolves a column reference; undefined when nothing matches (the caller may fall back, e.g. "x" as a string). */
  resolve(ref: ColumnRef): ResolvedColumn | undefined {
    let scope: Scope | null = this;
    let depth = 0;
    while (scope) {
      const found = scope.resolveHere(ref);
      if (found) {
        if (depth > 0) this.markCorrelated(depth);
        return { ...found, depth };
      }
      scope = scope.outer;
      depth++;
    }
    return undefined;
  }

  private markCorrelated(depth: number): void {
    let scope: Scope | null = this;
    for (let d = 0; d < depth && scope; d++) {
      scope.correlated = true;
      scope = scope.outer;
    }
  }

  private resolveHere(ref: ColumnRef): Omit<ResolvedColumn, "depth"> | undefined {
    const column = foldName(ref.column.name);
    const table = ref.table ? foldName(ref.table.name) : null;
    let match: Omit<ResolvedColumn, "depth"> | undefined;
    for (const source of this.sources) {
      if (table !== null && foldName(source.name) !== table) continue;
      const i = source.columns.findIndex((c) => foldName(c.name) === column);
      if (i >= 0) {
        // A USING/NATURAL column exists in both sources; the unqualified name means the left one.
        if (table === null && source.usingHidden.has(i)) continue;
        if (match) throw new SqliteError(`ambiguous column name: ${qualified(ref)}`);
        const coalesce = table === null ? source.usingCoalesce?.get(i) : undefined;
        match = coalesce ? { source, column: i, coalesce } : { source, column: i };
      }
    }
    if (match) return match;
    if (ROWID_NAMES.has(column)) {
      for (const source of this.sources) {
        if (table !== null && foldName(source.name) !== table) continue;
        if (!source.hasRowid) continue;
        if (match) throw new SqliteError(`ambiguous column name: ${qualified(ref)}`);
        match = { source, column: source.rowidAlias >= 0 ? source.rowidAlias : -1 };
      }
    }
    return match;
  }

  /** Whether some source of this scope has the given name (for `t.*` and error messages). */
  hasSource(name: string): boolean {
    const key = foldName(name);
    return this.sources.some((s) => foldName(s.name) === key);
  }
}

export function qualified(ref: ColumnRef): string {
  return [ref.schema?.name, ref.table?.name, ref.column.name].filter((p) => p !== undefined).join(".");
}
