// Access-path choice and join order: for each FROM source, the cheapest way
// to find its rows given the sources already bound (rowid lookup, index
// equality/range/IN lookup, a transient hash for repeated equality lookups,
// or a full scan), ordered greedily by estimated cost as SQLite's planner
// does without ANALYZE statistics; and the EXPLAIN QUERY PLAN text for it.
import type { JoinType } from "../sql/ast.js";
import type { Index, Table } from "../schema/schema.js";
import { isTableTree } from "../schema/without-rowid.js";
import { indexableForms, sourceBit, type IndexableTerm, type Term } from "./terms.js";
import type { Scope } from "./scope.js";

/** Planner-facing description of one FROM source. */
export interface PlanSource {
  /** Name shown by EXPLAIN QUERY PLAN (`t` or `t AS a`). */
  label: string;
  /** The rowid table behind the source; null for materialized rows (subquery, view, CTE, function). */
  table: Table | null;
  /**
   * Join operator linking this source to the ones before it: "LEFT" and
   * "FULL" NULL-extend this source, "RIGHT" and "FULL" NULL-extend all the
   * sources before it.
   */
  join: JoinType;
  /** Sources excluded from index choice because the user wrote NOT INDEXED / INDEXED BY. */
  indexHint: { kind: "IndexedBy"; index: Index } | { kind: "NotIndexed" } | null;
  /** Reads sources to its left (a table-valued function's arguments): the FROM order is kept. */
  lateral?: boolean;
}

export type AccessPath =
  | { kind: "scan" }
  | { kind: "rowid-eq"; term: IndexableTerm }
  | { kind: "rowid-range"; lower: IndexableTerm | null; upper: IndexableTerm | null }
  | {
      kind: "index";
      index: Index;
      /** Equality (or one IN) terms on the leading index columns, in column order. */
      eq: IndexableTerm[];
      lower: IndexableTerm | null;
      upper: IndexableTerm | null;
      covering: boolean;
    }
  | { kind: "index-order"; index: Index; covering: boolean; desc: boolean }
  | { kind: "rowid-order"; desc: boolean }
  | { kind: "hash"; terms: IndexableTerm[] };

export interface Level {
  /** Index of the source in the scope. */
  source: number;
  path: AccessPath;
  /** Conditions checked at this level for every candidate row (WHERE and INNER-join ON). */
  filters: Term[];
  /** For the right side of a LEFT, RIGHT or FULL JOIN: its ON conditions (decide whether a row matched). */
  joinFilters: Term[];
  /** True for the right side of a LEFT or FULL JOIN: emits a NULL row when nothing matched. */
  outer: boolean;
  /** True for the right side of a RIGHT or FULL JOIN: its rows no left row matched are emitted after the loops. */
  preservesUnmatched: boolean;
}

/** Row-count guesses used when there are no statistics (SQLite assumes about a million rows). */
const TABLE_ROWS = 1_000_000;
const MATERIALIZED_ROWS = 1_000;
const EQ_ROWS = 10;

interface Candidate {
  path: AccessPath;
  /** Cost of one execution of this level. */
  cost: number;
  /** Rows it produces per execution. */
  rows: number;
  /** Cost paid once per statement execution (building a hash). */
  setup: number;
}

/** A required output order that an index or rowid scan may satisfy. */
export interface OrderRequest {
  source: number;
  /** Column indexes (-1 rowid) with direction, as the ORDER BY lists them. */
  columns: { column: number; desc: boolean; collation: string }[];
}

export function planJoin(sources: PlanSource[], scope: Scope, terms: Term[], order: OrderRequest | null): { levels: Level[]; orderSatisfied: boolean } {
  const forms = terms.flatMap((t) => indexableForms(t, scope));
  const n = sources.length;
  // Outer joins and laterals run in FROM order (a RIGHT or FULL JOIN's unmatched rows are emitted by a pass after the loops, see right-join.ts).
  const fixed = sources.some((s) => s.join === "LEFT" || s.join === "CROSS" || s.join === "RIGHT" || s.join === "FULL" || s.lateral);
  const floors = terms.map((t) => rightJoinFloor(sources, t));
  const chosen: { source: number; candidate: Candidate }[] = [];
  let bound = 0n;
  let outerRows = 1;
  const remaining = new Set(Array.from({ length: n }, (_, i) => i));
  while (remaining.size > 0) {
    let best: { source: number; candidate: Candidate; total: number } | null = null;
    for (const s of remaining) {
      if (fixed && s !== chosen.length) continue;
      const usable = forms.filter((f) => f.source === s && (f.valueSources & ~bound) === 0n && usableForJoin(f, sources[s], floors[terms.indexOf(f.term)]));
      const candidate = bestPath(sources[s], usable, bound === 0n);
      const total = candidate.setup + candidate.cost * outerRows;
      if (!best || total < best.total) best = { source: s, candidate, total };
    }
    const pick = best as { source: number; candidate: Candidate };
    chosen.push(pick);
    remaining.delete(pick.source);
    bound |= sourceBit(pick.source);
    outerRows *= Math.max(1, pick.candidate.rows);
  }

  // ORDER BY on the outermost table may be delivered by walking an index or the
  // rowid in order; not with RIGHT/FULL joins, whose unmatched rows come last.
  let orderSatisfied = false;
  const rightJoined = sources.some((s) => s.join === "RIGHT" || s.join === "FULL");
  if (order && !rightJoined && chosen.length > 0 && chosen[0].source === order.source) {
    const first = chosen[0];
    const ordered = orderedPath(sources[order.source], first.candidate.path, order);
    if (ordered) {
      first.candidate = { ...first.candidate, path: ordered };
      orderSatisfied = true;
    }
  }

  const position = new Map(chosen.map((c, i) => [c.source, i]));
  const levels: Level[] = chosen.map((c) => ({
    source: c.source,
    path: c.candidate.path,
    filters: [],
    joinFilters: [],
    outer: sources[c.source].join === "LEFT" || sources[c.source].join === "FULL",
    preservesUnmatched: sources[c.source].join === "RIGHT" || sources[c.source].join === "FULL",
  }));
  terms.forEach((term, t) => {
    let at = Math.max(0, floors[t]);
    for (let s = 0; s < n; s++) if (term.sources & sourceBit(s)) at = Math.max(at, position.get(s) as number);
    if (term.opaque) at = Math.max(at, term.leftJoinOn !== null ? (position.get(term.leftJoinOn) as number) : levels.length - 1);
    if (term.leftJoinOn !== null) {
      const own = position.get(term.leftJoinOn) as number;
      levels[Math.max(own, at)].joinFilters.push(term);
    } else levels[at].filters.push(term);
  });
  return { levels, orderSatisfied };
}

/**
 * The position of the last RIGHT or FULL JOIN at or before the term's origin
 * (-1 when none): a term that is not the ON clause of a join is evaluated no
 * earlier than there, so that it never removes rows of that join's left
 * operand (which would make right-hand rows look unmatched).
 */
function rightJoinFloor(sources: PlanSource[], term: Term): number {
  if (term.leftJoinOn !== null) return -1;
  for (let s = Math.min(term.origin, sources.length - 1); s >= 0; s--) if (sources[s].join === "RIGHT" || sources[s].join === "FULL") return s;
  return -1;
}

/**
 * Which terms may position a source's cursor: for the right side of an outer
 * join only its own ON terms (IS terms never); elsewhere terms that are no
 * join's ON clause, once past their RIGHT/FULL JOIN floor.
 */
function usableForJoin(f: IndexableTerm, source: PlanSource, floor: number): boolean {
  if (source.join === "LEFT" || source.join === "FULL") return f.term.leftJoinOn === f.source && f.op !== "IS";
  if (source.join === "RIGHT" && f.term.leftJoinOn === f.source) return f.op !== "IS";
  return f.term.leftJoinOn === null && f.source > floor;
}

function bestPath(source: PlanSource, forms: IndexableTerm[], outermost: boolean): Candidate {
  const table = source.table;
  const baseRows = table ? TABLE_ROWS : MATERIALIZED_ROWS;
  const scan: Candidate = { path: { kind: "scan" }, cost: baseRows, rows: baseRows, setup: 0 };
  if (source.indexHint?.kind === "NotIndexed") return scan;
  let best = scan;
  const consider = (c: Candidate): void => {
    if (c.cost < best.cost) best = c;
  };
  const eqTerms = forms.filter((f) => f.op === "=" || f.op === "IS");
  if (table) {
    const rowidForms = forms.filter((f) => f.column === -1 || f.column === table.rowidAlias);
    const rowidEq = rowidForms.find((f) => f.op === "=" || f.op === "IS");
    if (rowidEq) consider({ path: { kind: "rowid-eq", term: rowidEq }, cost: 1, rows: 1, setup: 0 });
    const rowidIn = rowidForms.find((f) => f.op === "IN");
    if (rowidIn) consider({ path: { kind: "rowid-eq", term: rowidIn }, cost: 5, rows: 5, setup: 0 });
    const lower = rowidForms.find((f) => f.op === ">" || f.op === ">=") ?? null;
    const upper = rowidForms.find((f) => f.op === "<" || f.op === "<=") ?? null;
    if (lower || upper) {
      const rows = baseRows / (lower && upper ? 64 : 4);
      consider({ path: { kind: "rowid-range", lower, upper }, cost: rows, rows, setup: 0 });
    }
    const indexes = source.indexHint?.kind === "IndexedBy" ? [source.indexHint.index] : table.indexes;
    for (const index of indexes) {
      const c = indexCandidate(index, forms, baseRows, isTableTree(table, index));
      if (c) {
        if (source.indexHint?.kind === "IndexedBy") return c;
        consider(c);
      }
    }
    if (source.indexHint?.kind === "IndexedBy") return scan;
  }
  // Repeated equality lookups into an unindexed source: build a transient hash once.
  if (!outermost && eqTerms.length > 0 && best.path.kind === "scan") {
    const byColumn = new Map<number, IndexableTerm>();
    for (const t of eqTerms) if (t.op === "=" && !byColumn.has(t.column)) byColumn.set(t.column, t);
    if (byColumn.size > 0) {
      return { path: { kind: "hash", terms: [...byColumn.values()] }, cost: EQ_ROWS, rows: EQ_ROWS, setup: baseRows };
    }
  }
  return best;
}

/** @param tableTree the index is a WITHOUT ROWID table's own tree: its entries are the rows, with no lookup after them. */
function indexCandidate(index: Index, forms: IndexableTerm[], baseRows: number, tableTree: boolean): Candidate | null {
  if (index.where) return null; // partial indexes need proof that WHERE implies their condition
  const eq: IndexableTerm[] = [];
  let lower: IndexableTerm | null = null;
  let upper: IndexableTerm | null = null;
  let usedIn = false;
  for (const ic of index.columns) {
    if (ic.column < 0) break;
    const onColumn = forms.filter((f) => f.column === ic.column && f.collation === ic.collation);
    const e = onColumn.find((f) => f.op === "=" || f.op === "IS") ?? (usedIn ? undefined : onColumn.find((f) => f.op === "IN"));
    if (e) {
      if (e.op === "IN") usedIn = true;
      eq.push(e);
      continue;
    }
    lower = onColumn.find((f) => f.op === ">" || f.op === ">=") ?? null;
    upper = onColumn.find((f) => f.op === "<" || f.op === "<=") ?? null;
    break;
  }
  if (eq.length === 0 && !lower && !upper) return null;
  const unique = index.unique && eq.length === index.columns.length && eq.every((t) => t.op !== "IN" && t.op !== "IS");
  let rows = unique ? 1 : eq.length > 0 ? Math.max(1, EQ_ROWS / eq.length) : baseRows;
  if (lower || upper) rows = Math.max(1, rows / (lower && upper ? 64 : 4));
  if (usedIn) rows *= 5;
  const covering = false;
  // A lookup costs a seek plus, per row, a rowid lookup in the table.
  const cost = 1 + rows * (covering || tableTree ? 1 : 2) + (unique ? 0 : 0.5);
  return { path: { kind: "index", index, eq, lower, upper, covering }, cost, rows, setup: 0 };
}

/** A path that yields rows in the requested order, if the source has one that fits. */
function orderedPath(source: PlanSource, current: AccessPath, order: OrderRequest): AccessPath | null {
  const table = source.table;
  if (!table || order.columns.length === 0) return null;
  const desc = order.columns[0].desc;
  if (order.columns.some((c) => c.desc !== desc)) return null;
  const isRowid = (c: number): boolean => c === -1 || c === table.rowidAlias;
  if (order.columns.length === 1 && isRowid(order.columns[0].column)) {
    if (current.kind === "scan") return { kind: "rowid-order", desc };
    if (current.kind === "rowid-range" || current.kind === "rowid-eq") return current.kind === "rowid-range" && desc ? null : current;
    return null;
  }
  if (current.kind !== "scan" || desc) return null;
  for (const index of table.indexes) {
    if (index.where) continue;
    const matches = order.columns.every(
      (c, i) => i < index.columns.length ? index.columns[i].column === c.column && !index.columns[i].desc && index.columns[i].collation === c.collation : isRowid(c.column) && i === index.columns.length,
    );
    if (matches) return { kind: "index-order", index, covering: false, desc: false };
  }
  return null;
}

/** EXPLAIN QUERY PLAN detail text of one level, in SQLite's wording. */
/**
 * Where each column a query reads sits in the index's entries, when all of
 * them do (the rowid is in every entry of a rowid table's index): the index
 * covers the query and the table row need not be read. Null otherwise.
 */
export function coveredPositions(table: Table, index: Index, used: Iterable<number>): [column: number, position: number][] | null {
  const positions: [column: number, position: number][] = [];
  for (const c of used) {
    if (c === -1 || c === table.rowidAlias) continue;
    const position = index.columns.findIndex((ic) => ic.column === c);
    if (position < 0) return null;
    positions.push([c, position]);
  }
  return positions;
}

/**
 * A level's EXPLAIN QUERY PLAN line. `used` are the columns the query reads
 * from the source (complete once the statement has compiled), null when it
 * reads whole rows: an index of a rowid table that holds them all is a
 * COVERING INDEX, as the scan reads it.
 */
export function describeLevel(source: PlanSource, path: AccessPath, used: Iterable<number> | null): string {
  const name = source.label;
  const covering = (index: Index): boolean => used !== null && source.table !== null && !source.table.withoutRowid && coveredPositions(source.table, index, used) !== null;
  switch (path.kind) {
    case "scan":
      return `SCAN ${name}`;
    case "rowid-order":
      return `SCAN ${name}`;
    case "rowid-eq":
      // SQLite words an IN lookup like an equality one.
      return `SEARCH ${name} USING INTEGER PRIMARY KEY (rowid=?)`;
    case "rowid-range":
      return `SEARCH ${name} USING INTEGER PRIMARY KEY (${rangeText("rowid", path.lower, path.upper)})`;
    case "index": {
      const cols = path.index.columns;
      const parts = path.eq.map((_, i) => `${columnName(source, cols[i].column)}=?`);
      if (path.lower || path.upper) parts.push(rangeText(columnName(source, cols[path.eq.length].column), path.lower, path.upper));
      if (source.table && isTableTree(source.table, path.index)) return `SEARCH ${name} USING PRIMARY KEY (${parts.join(" AND ")})`;
      return `SEARCH ${name} USING ${covering(path.index) ? "COVERING " : ""}INDEX ${path.index.name} (${parts.join(" AND ")})`;
    }
    case "index-order":
      if (source.table && isTableTree(source.table, path.index)) return `SCAN ${name}`;
      return `SCAN ${name} USING ${covering(path.index) ? "COVERING " : ""}INDEX ${path.index.name}`;
    case "hash":
      return `SEARCH ${name} USING AUTOMATIC COVERING INDEX (${path.terms.map((t) => `${columnName(source, t.column)}=?`).join(" AND ")})`;
  }
}

function columnName(source: PlanSource, column: number): string {
  if (column < 0 || !source.table) return "rowid";
  return source.table.columns[column].name;
}

function rangeText(column: string, lower: IndexableTerm | null, upper: IndexableTerm | null): string {
  const parts: string[] = [];
  if (lower) parts.push(`${column}${lower.op}?`);
  if (upper) parts.push(`${column}${upper.op}?`);
  return parts.join(" AND ");
}
