// Runtime loops over one FROM source, one per access path: full scans, rowid
// lookups and ranges, index lookups (equality prefix, IN, range), ordered
// index walks, and transient hash lookups into materialized rows. Each loop
// positions the source's row slot and calls the body for every row that
// passes the level's filters. Filters are always re-checked, so a lookup only
// has to be conservative (never miss a row), not exact.
import type { IndexCursor, ReadTransaction, RecordReader, TableCursor } from "../btree/index.js";
import { coveredPositions, type AccessPath, type Level } from "../plan/access.js";
import type { IndexableTerm } from "../plan/terms.js";
import type { Index, Table } from "../schema/schema.js";
import { applyAffinity, type Affinity } from "../value/affinity.js";
import { truthValue } from "../value/arith.js";
import { compareValues } from "../value/compare.js";
import { IntegralReal, realValue, type SqlValue } from "../value/types.js";
import type { Evaluator } from "./compile-expr.js";
import { cursorFor } from "./cursor-cache.js";
import { indexComparator } from "./index-key.js";
import type { ArrayRowSlot } from "./row-slot.js";
import type { StatementRuntime } from "./runtime.js";
import type { TableRowSlot } from "./table-slot.js";
import { foldFor, rowKey, valueKey } from "./value-key.js";
import { type EntryPositioner, withoutRowidPositioner, withoutRowidRows, withoutRowidWalk } from "./scan-without-rowid.js";
import { entryComparator } from "./without-rowid-keys.js";
import { primaryKeyIndex } from "../schema/without-rowid.js";

/** The rest of the join, run for each row of this level; returns false to stop everything. */
export type Body = () => boolean;
export type LevelLoop = (body: Body) => boolean;

/** A compiled lookup value: its evaluator and the affinity the comparison applies to it. */
export interface ProbeValue {
  eval: Evaluator;
  affinity: Affinity;
}

export interface CompiledTerm {
  form: IndexableTerm;
  value: ProbeValue | null;
  /** IN list items. */
  list: ProbeValue[] | null;
  /** IN (SELECT ...): produces the candidate values... */
  subquery: (() => SqlValue[]) | null;
  /** ...compared under the (numeric) affinity of the looked-up column. */
  subqueryAffinity: Affinity;
  /** Collation of the comparison (hash lookups fold keys by it). */
  collation: string;
}

/** What the loop builder needs about the source being scanned. */
export type LoopSource =
  | {
      kind: "table";
      table: Table;
      slot: TableRowSlot;
      tx: () => ReadTransaction;
      /** Columns the query reads (-1: rowid); complete once compilation ends. */
      used: ReadonlySet<number>;
    }
  | { kind: "rows"; slot: ArrayRowSlot; rows: () => readonly (readonly SqlValue[])[]; rowids: boolean };

export interface LoopParts {
  level: Level;
  source: LoopSource;
  /** Compiled filters (WHERE/ON conditions evaluated at this level). */
  filters: Evaluator[];
  joinFilters: Evaluator[];
  terms: (form: IndexableTerm) => CompiledTerm;
  runtime: StatementRuntime;
  /** Called for each row that passes the join filters (RIGHT/FULL JOIN: records the matched rows). */
  onMatch?: () => void;
}

function passes(filters: Evaluator[]): boolean {
  for (let i = 0; i < filters.length; i++) if (truthValue(filters[i]()) !== true) return false;
  return true;
}

export function buildLevelLoop(parts: LoopParts): LevelLoop {
  const { level, source, runtime } = parts;
  const filters = parts.filters;
  const joinFilters = parts.joinFilters;
  const visit = buildVisitor(level.path, source, parts);
  // Forward table scans tick and count each row themselves (see forwardScan), so
  // an unfiltered level hands them the body as is: one call less per row on the
  // hottest loop. Other visitors leave both to the wrappers below.
  const tick = !isForwardScan(level.path, source);
  // Rows read from storage (RowCounts): each row a table or index cursor lands on; hash lookups count when they read the table.
  const rows = runtime.rows;
  const storageReads = tick && source.kind === "table" && level.path.kind !== "hash" ? 1 : 0;
  const onMatch = parts.onMatch;
  if (!level.outer && !onMatch) {
    // An inner join's ON conditions filter like WHERE conditions, in the same order.
    const conditions = filters.concat(joinFilters);
    if (conditions.length === 0) {
      if (!tick) return visit;
      return (body) =>
        visit(() => {
          runtime.tick();
          rows.read += storageReads;
          return body();
        });
    }
    return (body) =>
      visit(() => {
        if (tick) runtime.tick();
        rows.read += storageReads;
        return passes(conditions) ? body() : true;
      });
  }
  if (!level.outer && onMatch) {
    return (body) =>
      visit(() => {
        if (tick) runtime.tick();
        rows.read += storageReads;
        if (!passes(joinFilters)) return true;
        onMatch();
        return passes(filters) ? body() : true;
      });
  }
  // LEFT JOIN: ON conditions decide whether a row matched; without any match
  // the body runs once with the NULL row. WHERE conditions apply to both.
  const slot = source.slot;
  return (body) => {
    let matched = false;
    const complete = visit(() => {
      if (tick) runtime.tick();
      rows.read += storageReads;
      if (!passes(joinFilters)) return true;
      matched = true;
      onMatch?.();
      return passes(filters) ? body() : true;
    });
    if (!complete) return false;
    if (matched) return true;
    slot.nullRow = true;
    try {
      return passes(filters) ? body() : true;
    } finally {
      slot.nullRow = false;
    }
  };
}

/** Visits candidate rows for a path, positioning the slot; `row` returns false to stop. */
function buildVisitor(path: AccessPath, source: LoopSource, parts: LoopParts): LevelLoop {
  if (source.kind === "rows") return rowsVisitor(path, source, parts);
  const { table, slot, tx } = source;
  const root = table.rootPage;
  const emit = (c: TableCursor, row: Body): boolean => {
    slot.set(c.rowid(), c.record());
    return row();
  };
  if (table.withoutRowid) return withoutRowidVisitor(path, source, parts);
  switch (path.kind) {
    case "scan":
    case "rowid-order": {
      if (isForwardScan(path, source)) return forwardScan(source, parts.runtime);
      const cursor = cursorFor((t) => t.openTable(root));
      return (row) => {
        const c = cursor(tx());
        for (let ok = c.last(); ok; ok = c.prev()) if (!emit(c, row)) return false;
        return true;
      };
    }
    case "rowid-eq": {
      const term = parts.terms(path.term);
      const cursor = cursorFor((t) => t.openTable(root));
      if (term.value) {
        // One value (a join's probe, once per outer row): no list to build.
        return (row) => {
          const rowid = exactRowid(probe(term));
          if (rowid === null) return true;
          const c = cursor(tx());
          return !c.seek(rowid, "eq") || emit(c, row);
        };
      }
      return (row) => {
        const keys = probeList(term, compareValues);
        if (keys.length === 0) return true;
        const c = cursor(tx());
        for (const k of keys) {
          const rowid = exactRowid(k);
          if (rowid !== null && c.seek(rowid, "eq") && !emit(c, row)) return false;
        }
        return true;
      };
    }
    case "rowid-range": {
      const lower = path.lower ? parts.terms(path.lower) : null;
      const upper = path.upper ? parts.terms(path.upper) : null;
      const cursor = cursorFor((t) => t.openTable(root));
      return (row) => {
        const lo = lower ? rowidBound(probe(lower), "lower") : undefined;
        const hi = upper ? rowidBound(probe(upper), "upper") : undefined;
        if (lo === null || hi === null) return true;
        const c = cursor(tx());
        if (lo === undefined) c.first();
        else c.seek(lo, "ge");
        let pastEnd = false;
        const complete = c.forEachFromHere((rowid, rec) => {
          if (hi !== undefined && rowid > hi) {
            pastEnd = true;
            return false;
          }
          slot.set(rowid, rec);
          return row();
        });
        return complete || pastEnd;
      };
    }
    case "index":
      return indexVisitor(path, source, parts, rowidPositioner(source, path.index));
    case "index-order": {
      const index = path.index;
      const cmp = indexComparator(index);
      const rowidColumn = index.columns.length;
      const indexCursor = cursorFor((t) => t.openIndex(index.rootPage, cmp));
      const tableCursor = cursorFor((t) => t.openTable(root));
      const fromIndex = coveringReader(source, index);
      return (row) => {
        const t = tx();
        const ic = indexCursor(t);
        const c = tableCursor(t);
        const covered = fromIndex();
        for (let ok = path.desc ? ic.last() : ic.first(); ok; ok = path.desc ? ic.prev() : ic.next()) {
          const rec = ic.record();
          const rowid = rec.column(rowidColumn) as number | bigint;
          if (covered) {
            covered(rec, rowid);
            if (!row()) return false;
          } else if (c.seek(rowid, "eq") && !emit(c, row)) return false;
        }
        return true;
      };
    }
    case "hash":
      return hashVisitor(
        path.terms,
        parts,
        () => {
          const whole = materializeTable(tx(), table, slot);
          parts.runtime.rows.read += whole.rows.length;
          return whole;
        },
        slotForHash(source),
      );
  }
}

/** Whether the path walks a rowid table in rowid order (forwardScan). */
function isForwardScan(path: AccessPath, source: LoopSource): boolean {
  return source.kind === "table" && !source.table.withoutRowid && (path.kind === "scan" || (path.kind === "rowid-order" && !path.desc));
}

/** Every row of a rowid table in rowid order; ticks the budget and counts each row read itself (see buildLevelLoop). */
function forwardScan(source: Extract<LoopSource, { kind: "table" }>, runtime: StatementRuntime): LevelLoop {
  const { table, slot, tx } = source;
  const cursor = cursorFor((t) => t.openTable(table.rootPage));
  const rows = runtime.rows;
  return (row) => {
    const c = cursor(tx());
    c.first();
    return c.forEachFromHere((rowid, rec) => {
      runtime.tick();
      rows.read++;
      slot.set(rowid, rec);
      return row();
    });
  };
}

/** Loops over a WITHOUT ROWID table: its rows live in its PRIMARY KEY tree, which the planner sees as an index. */
function withoutRowidVisitor(path: AccessPath, source: Extract<LoopSource, { kind: "table" }>, parts: LoopParts): LevelLoop {
  const { table, slot, tx } = source;
  switch (path.kind) {
    case "index":
      return indexVisitor(path, source, parts, withoutRowidPositioner(table, slot, path.index));
    case "index-order":
      return withoutRowidWalk(table, slot, path.index, path.desc, tx);
    case "hash":
      return hashVisitor(path.terms, parts, () => withoutRowidRows(tx(), table), slotForHash(source));
    case "scan":
      return withoutRowidWalk(table, slot, primaryKeyIndex(table), false, tx);
    case "rowid-eq":
    case "rowid-range":
    case "rowid-order":
      throw new Error(`planner chose a rowid path (${path.kind}) for WITHOUT ROWID table ${table.name}`);
  }
}

/** Index entries of a rowid table name their row by the rowid at the end; a covering index stands in for the row. */
function rowidPositioner(source: Extract<LoopSource, { kind: "table" }>, index: Index): EntryPositioner {
  const { table, slot } = source;
  const rowidColumn = index.columns.length;
  const tableCursor = cursorFor((t: ReadTransaction) => t.openTable(table.rootPage));
  const fromIndex = coveringReader(source, index);
  let c: TableCursor | null = null;
  let covered: ReturnType<ReturnType<typeof coveringReader>> = null;
  return {
    begin(t) {
      c = tableCursor(t);
      covered = fromIndex();
    },
    position(rec) {
      const rowid = rec.column(rowidColumn) as number | bigint;
      if (covered) {
        covered(rec, rowid);
        return true;
      }
      const cursor = c as TableCursor;
      if (!cursor.seek(rowid, "eq")) return false;
      slot.set(rowid, cursor.record());
      return true;
    },
  };
}

/**
 * When every column the query reads is in the index (a covering index), rows
 * are read from the index entry and the table lookup is skipped. Decided at
 * the first run, once compilation has recorded every column used; returns
 * null when the index does not cover them.
 */
function coveringReader(source: Extract<LoopSource, { kind: "table" }>, index: Index): () => ((rec: RecordReader, rowid: number | bigint) => void) | null {
  const { table, slot, used } = source;
  let decided = false;
  let reader: ((rec: RecordReader, rowid: number | bigint) => void) | null = null;
  return () => {
    if (decided) return reader;
    decided = true;
    const covered = coveredPositions(table, index, used);
    if (!covered) return null;
    const positions = covered.map(([c, position]): [column: number, position: number, real: boolean] => [c, position, table.columns[c].affinity === "real"]);
    const values: SqlValue[] = new Array(table.columns.length).fill(null);
    reader = (rec, rowid) => {
      for (const [c, position, real] of positions) {
        const v = rec.column(position);
        // REAL columns may hold integral values stored as integers (as SQLite stores them).
        values[c] = real && (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v))) ? (typeof v === "bigint" ? Number(v) : realValue(v)) : v;
      }
      if (table.rowidAlias >= 0) values[table.rowidAlias] = rowid;
      slot.setValues(values, rowid);
    };
    return reader;
  };
}

/** Hash lookups over a table read whole into memory: the slot becomes the table's row arrays. */
function slotForHash(source: Extract<LoopSource, { kind: "table" }>): (row: readonly SqlValue[], rowid: SqlValue) => void {
  const slot = source.slot;
  return (row, rowid) => slot.setValues(row, rowid);
}

/** Reads the whole table through its slot (so short records, REAL columns and VIRTUAL columns read as in a scan). */
function materializeTable(tx: ReadTransaction, table: Table, slot: TableRowSlot): { rows: SqlValue[][]; rowids: SqlValue[] } {
  const rows: SqlValue[][] = [];
  const rowids: SqlValue[] = [];
  const c = tx.openTable(table.rootPage);
  const n = table.columns.length;
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const rowid = c.rowid();
      slot.set(rowid, c.record());
      const values: SqlValue[] = new Array(n);
      for (let i = 0; i < n; i++) values[i] = slot.column(i);
      rows.push(values);
      rowids.push(rowid);
    }
  } finally {
    c.close();
  }
  return { rows, rowids };
}

function rowsVisitor(path: AccessPath, source: Extract<LoopSource, { kind: "rows" }>, parts: LoopParts): LevelLoop {
  const slot = source.slot;
  if (path.kind === "hash") {
    return hashVisitor(
      path.terms,
      parts,
      () => {
        const rows = source.rows() as SqlValue[][];
        return { rows, rowids: rows.map((_, i) => i + 1) };
      },
      (row, rowid) => {
        slot.row = row;
        slot.rowidValue = rowid;
      },
    );
  }
  return (row) => {
    const rows = source.rows();
    for (let i = 0; i < rows.length; i++) {
      slot.row = rows[i];
      slot.rowidValue = i + 1;
      if (!row()) return false;
    }
    return true;
  };
}

/**
 * Equality lookups through a hash built once per statement execution, keyed
 * by the looked-up columns' values after the comparison's affinity.
 */
function hashVisitor(
  forms: IndexableTerm[],
  parts: LoopParts,
  load: () => { rows: SqlValue[][]; rowids: SqlValue[] },
  position: (row: readonly SqlValue[], rowid: SqlValue) => void,
): LevelLoop {
  const terms = forms.map((f) => parts.terms(f));
  const columns = forms.map((f) => f.column);
  const affinities = terms.map((t) => (t.value as ProbeValue).affinity);
  const folds = terms.map((t) => foldFor(t.collation));
  const rt = parts.runtime;
  let builtFor = -1;
  let table = new Map<string, number[]>();
  let data: { rows: SqlValue[][]; rowids: SqlValue[] } = { rows: [], rowids: [] };
  const key: SqlValue[] = new Array(columns.length);
  return (row) => {
    if (builtFor !== rt.executionId) {
      data = load();
      table = new Map();
      for (let r = 0; r < data.rows.length; r++) {
        let hasNull = false;
        for (let i = 0; i < columns.length; i++) {
          const v = columns[i] < 0 ? data.rowids[r] : data.rows[r][columns[i]];
          if (v === null) hasNull = true;
          key[i] = applyAffinity(v, affinities[i]);
        }
        if (hasNull) continue;
        const k = rowKey(key, folds);
        const list = table.get(k);
        if (list) list.push(r);
        else table.set(k, [r]);
      }
      builtFor = rt.executionId;
    }
    for (let i = 0; i < terms.length; i++) {
      const v = probe(terms[i]);
      if (v === null) return true;
      key[i] = v;
    }
    const hits = table.get(rowKey(key, folds));
    if (!hits) return true;
    for (const r of hits) {
      position(data.rows[r], data.rowids[r]);
      if (!row()) return false;
    }
    return true;
  };
}

function indexVisitor(path: Extract<AccessPath, { kind: "index" }>, source: Extract<LoopSource, { kind: "table" }>, parts: LoopParts, positioner: EntryPositioner): LevelLoop {
  const index = path.index;
  const cmp = entryComparator(source.table, index);
  const eqTerms = path.eq.map((f) => parts.terms(f));
  const inPosition = path.eq.findIndex((f) => f.op === "IN");
  const rangeColumn = path.eq.length;
  const rangeDesc = rangeColumn < index.columns.length && index.columns[rangeColumn].desc;
  const lowerTerm = path.lower ? parts.terms(path.lower) : null;
  const upperTerm = path.upper ? parts.terms(path.upper) : null;
  // On a DESC column the index runs from high to low: the upper bound is where the walk starts.
  const startTerm = rangeDesc ? upperTerm : lowerTerm;
  const stopTerm = rangeDesc ? lowerTerm : upperTerm;
  const startExclusive = (rangeDesc ? path.upper : path.lower)?.op === (rangeDesc ? "<" : ">");
  const stopExclusive = (rangeDesc ? path.lower : path.upper)?.op === (rangeDesc ? ">" : "<");
  const { tx } = source;
  const indexCursor = cursorFor((t) => t.openIndex(index.rootPage, cmp));
  const indexCompare = (a: SqlValue, b: SqlValue): number => compareValues(a, b);
  return (row) => {
    // Every probe prefix: one, or one per IN value.
    const prefixes: SqlValue[][] = [[]];
    for (let i = 0; i < eqTerms.length; i++) {
      const values = i === inPosition ? probeList(eqTerms[i], indexCompare) : [probe(eqTerms[i])];
      if (values.length === 0 || (values.length === 1 && values[0] === null && path.eq[i].op !== "IS")) return true;
      if (values.length === 1) for (const p of prefixes) p.push(values[0]);
      else {
        const expanded: SqlValue[][] = [];
        for (const p of prefixes) for (const v of values) expanded.push([...p, v]);
        prefixes.splice(0, prefixes.length, ...expanded);
      }
    }
    const start = startTerm ? probe(startTerm) : undefined;
    const stop = stopTerm ? probe(stopTerm) : undefined;
    if (start === null || stop === null) return true;
    const t = tx();
    const ic: IndexCursor = indexCursor(t);
    positioner.begin(t);
    for (const prefix of prefixes) {
      const startProbe = start === undefined ? prefix : [...prefix, start];
      const stopProbe = stop === undefined ? null : [...prefix, stop];
      let ok = ic.seek(startProbe, start !== undefined && startExclusive ? "gt" : "ge");
      // Without a start bound on the range column, skip its NULLs (they never compare true).
      if (start === undefined && (stopTerm || lowerTerm || upperTerm)) {
        while (ok && cmp(ic.record(), prefix) === 0 && ic.record().column(prefix.length) === null) ok = ic.next();
      }
      for (; ok; ok = ic.next()) {
        const rec = ic.record();
        if (prefix.length > 0 && cmp(rec, prefix) !== 0) break;
        if (stopProbe) {
          const d = cmp(rec, stopProbe);
          if (d > 0 || (d === 0 && stopExclusive)) break;
        }
        if (positioner.position(rec) && !row()) return false;
      }
    }
    return true;
  };
}

/** The value of a lookup term after the comparison's affinity. */
function probe(term: CompiledTerm): SqlValue {
  const p = term.value as ProbeValue;
  return applyAffinity(p.eval(), p.affinity);
}

/** Values of an `=` or IN term, NULLs dropped, sorted and without duplicates. */
function probeList(term: CompiledTerm, compare: (a: SqlValue, b: SqlValue) => number): SqlValue[] {
  let values: SqlValue[];
  if (term.value) values = [probe(term)];
  else if (term.list) values = term.list.map((p) => applyAffinity(p.eval(), p.affinity));
  else {
    values = (term.subquery as () => SqlValue[])().map((v) => applyAffinity(v, term.subqueryAffinity));
  }
  values = values.filter((v) => v !== null);
  if (values.length <= 1) return values;
  values.sort(compare);
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v, null);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A value as an exact rowid, or null when no rowid can equal it. */
function exactRowid(v: SqlValue): number | bigint | null {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : null;
  if (typeof v === "bigint") return v;
  if (v instanceof IntegralReal) return v.value;
  return null;
}

/** A conservative integer bound for a rowid range (null: no row can qualify; undefined: unbounded). */
function rowidBound(v: SqlValue, side: "lower" | "upper"): number | bigint | null | undefined {
  if (v === null) return null;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return side === "lower" ? Math.floor(v) : Math.ceil(v);
  if (v instanceof IntegralReal) return v.value;
  // Text and blobs sort after every number: nothing is above them, everything is below.
  return side === "lower" ? null : undefined;
}
