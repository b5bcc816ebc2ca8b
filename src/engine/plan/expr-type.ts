// Static facts about expressions that both planning and compilation need:
// the affinity an expression carries into comparisons and the collation it
// compares under (SQLite's sqlite3ExprAffinity / sqlite3ExprCollSeq rules).
import { SqliteError } from "../errors.js";
import type { ColumnRef, Expr } from "../sql/ast.js";
import { affinityOfTypeName, type Affinity } from "../value/affinity.js";
import { binaryCollation, findCollation, type Collation } from "../value/collation.js";
import type { ResolvedColumn, Scope } from "./scope.js";

/** Collation of an expression and whether it was given explicitly with COLLATE. */
export interface CollationInfo {
  name: string;
  explicit: boolean;
}

export function exprAffinity(expr: Expr, scope: Scope): Affinity {
  switch (expr.kind) {
    case "ColumnRef": {
      const r = tryResolve(expr, scope);
      if (!r) return "none";
      return r.column < 0 ? "integer" : r.source.columns[r.column].affinity;
    }
    case "CastExpr":
      return affinityOfTypeName(expr.type.name);
    case "CollateExpr":
      return exprAffinity(expr.expr, scope);
    case "UnaryExpr":
      return expr.op === "+" ? exprAffinity(expr.operand, scope) : "none";
    default:
      return "none";
  }
}

export function exprCollation(expr: Expr, scope: Scope): CollationInfo | null {
  switch (expr.kind) {
    case "CollateExpr":
      return { name: expr.collation.name.toUpperCase(), explicit: true };
    case "ColumnRef": {
      const r = tryResolve(expr, scope);
      if (!r || r.column < 0) return null;
      return { name: r.source.columns[r.column].collation, explicit: false };
    }
    case "UnaryExpr":
      return expr.op === "+" ? exprCollation(expr.operand, scope) : null;
    case "CastExpr":
      // CAST keeps its operand's collation (sqlite3ExprCollSeq looks through TK_CAST).
      return exprCollation(expr.expr, scope);
    case "BinaryExpr":
      // A COLLATE anywhere in the left operand wins, then the right (sqlite3ExprCollSeq over EP_Collate).
      return explicitCollation(expr.left) ?? explicitCollation(expr.right);
    default:
      return null;
  }
}

function explicitCollation(expr: Expr): CollationInfo | null {
  switch (expr.kind) {
    case "CollateExpr":
      return { name: expr.collation.name.toUpperCase(), explicit: true };
    case "BinaryExpr":
      return explicitCollation(expr.left) ?? explicitCollation(expr.right);
    case "UnaryExpr":
      return explicitCollation(expr.operand);
    default:
      return null;
  }
}

/** Name of the collation a comparison of `left` and `right` uses (sqlite3BinaryCompareCollSeq). */
export function comparisonCollationName(left: Expr, right: Expr, scope: Scope): string {
  const l = exprCollation(left, scope);
  const r = exprCollation(right, scope);
  return (l?.explicit ? l : r?.explicit ? r : (l ?? r))?.name ?? "BINARY";
}

/** The collation a comparison of `left` and `right` uses. */
export function comparisonCollation(left: Expr, right: Expr, scope: Scope): Collation {
  const name = comparisonCollationName(left, right, scope);
  return name === "BINARY" ? binaryCollation : collationByName(name);
}

export function collationByName(name: string): Collation {
  const c = findCollation(name);
  if (!c) throw new SqliteError(`no such collation sequence: ${name}`);
  return c;
}

function tryResolve(ref: ColumnRef, scope: Scope): ResolvedColumn | undefined {
  return scope.resolve(ref);
}
