// Constant DEFAULT values, as ALTER TABLE ADD COLUMN requires them: the
// value a column added later reads as in rows written before it existed
// (SQLite leaves those records short). Only the forms SQLite evaluates
// without running code count as constant (sqlite3ValueFromExpr): literals,
// signed numbers, TRUE/FALSE and a bare identifier (taken as a string).
import type { Table } from "../schema/schema.js";
import type { Expr } from "../sql/ast.js";
import { applyAffinity } from "../value/affinity.js";
import { IntegralReal, INT64_MIN, type SqlValue } from "../value/types.js";

const NOT_CONSTANT = Symbol("not constant");

function evaluate(e: Expr): SqlValue | typeof NOT_CONSTANT {
  switch (e.kind) {
    case "NumberLiteral":
      return e.value;
    case "StringLiteral":
    case "BlobLiteral":
      return e.value;
    case "NullLiteral":
      return null;
    case "ColumnRef": {
      if (e.table) return NOT_CONSTANT;
      const word = e.column.name.toLowerCase();
      if (e.column.quote === "none" && (word === "true" || word === "false")) return word === "true" ? 1 : 0;
      return e.column.name;
    }
    case "UnaryExpr": {
      if (e.op !== "-" && e.op !== "+") return NOT_CONSTANT;
      if (e.op === "-" && e.operand.kind === "NumberLiteral" && e.operand.raw === "9223372036854775808") return INT64_MIN;
      const v = evaluate(e.operand);
      if (e.op === "+" || v === NOT_CONSTANT) return v;
      if (typeof v === "number") return v === 0 ? 0 : -v;
      if (typeof v === "bigint") return -v;
      if (v instanceof IntegralReal) return new IntegralReal(-v.value);
      return NOT_CONSTANT;
    }
    default:
      return NOT_CONSTANT;
  }
}

/** The DEFAULT's value, or undefined when SQLite would not call it constant. */
export function constantDefault(e: Expr): SqlValue | undefined {
  const v = evaluate(e);
  return v === NOT_CONSTANT ? undefined : v;
}

/**
 * What each column reads as when a record ends before it: its constant
 * DEFAULT under the column's affinity, else NULL. Null when every column
 * reads NULL (the common case: the table was never altered that way).
 */
export function shortRecordDefaults(table: Table): SqlValue[] | null {
  if (!table.columns.some((c) => c.default !== null)) return null;
  const values = table.columns.map((c) => {
    const v = c.default ? constantDefault(c.default) : null;
    return v === undefined || v === null ? null : applyAffinity(v, c.affinity);
  });
  return values.some((v) => v !== null) ? values : null;
}
