// WHERE-clause analysis: splitting a condition into AND-ed terms, finding
// which FROM sources each term reads, and recognising the terms an index or
// a rowid lookup can serve (`col = expr`, ranges, IN lists, BETWEEN).
import type { BinaryOp, Expr, Select } from "../sql/ast.js";
import { isNumericAffinity, type Affinity } from "../value/affinity.js";
import { comparisonAffinity } from "../value/compare.js";
import { comparisonCollationName, exprAffinity, exprCollation } from "./expr-type.js";
import type { Scope } from "./scope.js";

/** One AND-ed part of a WHERE or ON condition. */
export interface Term {
  expr: Expr;
  /** Bit i set when the term reads source i of the scope (a bigint: joins may have up to 64 sources). */
  sources: bigint;
  /** Contains a subquery, RAISE or a non-deterministic function: keep it at the innermost level. */
  opaque: boolean;
  /** For the ON clause of a LEFT, RIGHT or FULL JOIN: the index of the right-hand source; null otherwise. */
  leftJoinOn: number | null;
  /**
   * Index of the source whose join introduced the term (the last source for
   * WHERE). A term may not filter rows of the left operand of a RIGHT or FULL
   * JOIN at or before that position: those rows decide which right-hand rows
   * matched.
   */
  origin: number;
}

/** A term of the form `column op value` usable to position a cursor. */
export interface IndexableTerm {
  term: Term;
  source: number;
  /** Column index, or -1 for the rowid. */
  column: number;
  op: "=" | "IS" | "<" | "<=" | ">" | ">=" | "IN";
  /** The other side; for IN, the list items (null for an IN subquery). */
  value: Expr | null;
  list: Expr[] | null;
  subquery: Select | null;
  /** Sources the value side reads (must be bound before the lookup). */
  valueSources: bigint;
  /** Collation the comparison uses (an index serves it only under the same collation). */
  collation: string;
}

/** The bit of source `i` in a source set. */
export function sourceBit(i: number): bigint {
  return 1n << BigInt(i);
}

export function splitConjuncts(expr: Expr | null, out: Expr[] = []): Expr[] {
  if (!expr) return out;
  if (expr.kind === "BinaryExpr" && expr.op === "AND") {
    splitConjuncts(expr.left, out);
    splitConjuncts(expr.right, out);
  } else out.push(expr);
  return out;
}

/** Which sources of `scope` (depth 0) an expression reads, and whether it must stay innermost. */
export function analyzeSources(expr: Expr, scope: Scope): { sources: bigint; opaque: boolean } {
  let sources = 0n;
  let opaque = false;
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case "ColumnRef": {
        const r = scope.resolve(e);
        if (r && r.depth === 0) {
          sources |= sourceBit(scope.sources.indexOf(r.source));
          for (const m of r.coalesce ?? []) sources |= sourceBit(scope.sources.indexOf(m.source));
        }
        return;
      }
      case "ExistsExpr":
      case "SubqueryExpr":
      case "InSelectExpr":
      case "InTableExpr":
      case "RaiseExpr":
        opaque = true;
        if (e.kind === "InSelectExpr" || e.kind === "InTableExpr") visit(e.expr);
        return;
      case "FunctionCall":
        if (/^(random|randomblob|changes|total_changes|last_insert_rowid)$/i.test(e.name.name)) opaque = true;
        for (const a of e.args) visit(a);
        if (e.filter) visit(e.filter);
        return;
      default:
        forEachChild(e, visit);
    }
  };
  visit(expr);
  return { sources, opaque };
}

/** Calls `f` on each direct sub-expression (not descending into subqueries). */
export function forEachChild(e: Expr, f: (child: Expr) => void): void {
  switch (e.kind) {
    case "UnaryExpr":
      f(e.operand);
      break;
    case "BinaryExpr":
      f(e.left);
      f(e.right);
      break;
    case "LikeExpr":
      f(e.left);
      f(e.right);
      if (e.escape) f(e.escape);
      break;
    case "BetweenExpr":
      f(e.expr);
      f(e.low);
      f(e.high);
      break;
    case "InListExpr":
      f(e.expr);
      e.items.forEach(f);
      break;
    case "InSelectExpr":
    case "InTableExpr":
      f(e.expr);
      break;
    case "IsNullExpr":
    case "CastExpr":
    case "CollateExpr":
      f(e.expr);
      break;
    case "CaseExpr":
      if (e.base) f(e.base);
      for (const w of e.whens) {
        f(w.when);
        f(w.then);
      }
      if (e.else) f(e.else);
      break;
    case "FunctionCall":
      e.args.forEach(f);
      if (e.filter) f(e.filter);
      break;
    case "RowValue":
      e.items.forEach(f);
      break;
    case "RaiseExpr":
      if (e.message) f(e.message);
      break;
    default:
      break;
  }
}

const MIRROR: Partial<Record<BinaryOp, IndexableTerm["op"]>> = { "=": "=", IS: "IS", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/**
 * sqlite3IndexAffinityOk: a lookup in stored order is only valid when the
 * comparison's affinity would not convert the stored column values — no
 * conversion at all, TEXT affinity on a TEXT column, or numeric affinity on
 * a numeric column. (An IN subquery's column affinity is not known here, so
 * only numeric columns, which any comparison converts the same way, qualify.)
 */
function affinityAllowsIndex(scope: Scope, col: { source: number; column: number }, values: Expr[], subquery: boolean): boolean {
  const columnAffinity: Affinity = col.column < 0 ? "integer" : scope.sources[col.source].columns[col.column].affinity;
  if (subquery) return isNumericAffinity(columnAffinity);
  return values.every((v) => {
    const aff = comparisonAffinity(columnAffinity, exprAffinity(v, scope));
    if (aff === "blob" || aff === "none") return true;
    return aff === "text" ? columnAffinity === "text" : isNumericAffinity(columnAffinity);
  });
}

/** The collation a term's comparison uses: SQLite's rules for binary comparisons, else the column's. */
function termCollation(e: Expr, scope: Scope, col: { source: number; column: number }): string {
  if (e.kind === "BinaryExpr") return comparisonCollationName(e.left, e.right, scope);
  const explicit = e.kind === "InListExpr" || e.kind === "BetweenExpr" || e.kind === "InSelectExpr" ? exprCollation(e.expr, scope) : null;
  if (explicit) return explicit.name;
  return col.column < 0 ? "BINARY" : scope.sources[col.source].columns[col.column].collation;
}

/** Index-usable forms of a term; BETWEEN yields two (>= and <=). */
export function indexableForms(term: Term, scope: Scope): IndexableTerm[] {
  const e = term.expr;
  const out: IndexableTerm[] = [];
  const columnOf = (x: Expr): { source: number; column: number } | null => {
    // A unary + in front of a column disables index use, as in SQLite.
    const inner = x.kind === "CollateExpr" ? x.expr : x;
    if (inner.kind !== "ColumnRef") return null;
    const r = scope.resolve(inner);
    if (!r || r.depth !== 0 || r.coalesce) return null;
    return { source: scope.sources.indexOf(r.source), column: r.column };
  };
  const add = (col: { source: number; column: number }, op: IndexableTerm["op"], value: Expr | null, list: Expr[] | null, subquery: Select | null): void => {
    let valueSources = 0n;
    let opaque = false;
    for (const v of value ? [value] : (list ?? [])) {
      const a = analyzeSources(v, scope);
      valueSources |= a.sources;
      opaque ||= a.opaque;
    }
    if (subquery) opaque = true;
    if (valueSources & sourceBit(col.source)) return;
    if (!affinityAllowsIndex(scope, col, value ? [value] : (list ?? []), subquery !== null)) return;
    // A subquery value is fine for IN (evaluated once); other opaque values are not indexable.
    if (opaque && !(op === "IN" && subquery)) return;
    out.push({ term, source: col.source, column: col.column, op, value, list, subquery, valueSources, collation: termCollation(e, scope, col) });
  };
  switch (e.kind) {
    case "BinaryExpr": {
      const op = MIRROR[e.op];
      if (!op || e.left.kind === "RowValue" || e.right.kind === "RowValue") break;
      const l = columnOf(e.left);
      if (l) add(l, e.op as IndexableTerm["op"], e.right, null, null);
      const r = columnOf(e.right);
      if (r) add(r, op, e.left, null, null);
      break;
    }
    case "BetweenExpr": {
      if (e.not) break;
      const c = columnOf(e.expr);
      if (c) {
        add(c, ">=", e.low, null, null);
        add(c, "<=", e.high, null, null);
      }
      break;
    }
    case "InListExpr": {
      if (e.not) break;
      const c = columnOf(e.expr);
      if (c && e.items.length > 0) add(c, "IN", null, e.items, null);
      break;
    }
    case "InSelectExpr": {
      if (e.not) break;
      const c = columnOf(e.expr);
      if (c) add(c, "IN", null, null, e.select);
      break;
    }
    default:
      break;
  }
  return out;
}
