// Generated columns in the catalog: where each column lives in a table's
// record (VIRTUAL generated columns have no place there, exactly as in
// SQLite's file format), the order in which generated values are computed,
// and the CREATE-time rules SQLite enforces on generated expressions.
import { SqliteError } from "../errors.js";
import type { Expr } from "../sql/ast.js";
import { foldName, type Table } from "../schema/schema.js";
import type { SqlValue } from "../value/types.js";
import { forEachChild } from "./terms.js";

/**
 * WITHOUT ROWID tables store records in PRIMARY KEY order (schema/without-rowid.ts),
 * which leaving VIRTUAL columns out would shift; until that layout is
 * combined with this one, generated columns are refused on them.
 */
export const GENERATED_WITHOUT_ROWID = "generated columns in WITHOUT ROWID tables are not supported yet";

const positionsByTable = new WeakMap<Table, number[]>();

/** Per column, its index in the table's records; -1 for a VIRTUAL generated column (never stored). */
export function storedColumnPositions(table: Table): number[] {
  let positions = positionsByTable.get(table);
  if (!positions) {
    let next = 0;
    positions = table.columns.map((c) => (c.generated && !c.generated.stored ? -1 : next++));
    positionsByTable.set(table, positions);
  }
  return positions;
}

/** Whether some column of the table is VIRTUAL (records then skip it). */
export function hasVirtualColumns(table: Table): boolean {
  return table.columns.some((c) => c.generated !== null && !c.generated.stored);
}

/** The values a row's record holds: every column but the VIRTUAL ones, in column order. */
export function recordValues(table: Table, values: readonly SqlValue[]): SqlValue[] {
  const positions = storedColumnPositions(table);
  const out: SqlValue[] = [];
  for (let i = 0; i < values.length; i++) if (positions[i] >= 0) out.push(values[i]);
  return out;
}

/** The table's columns each generated expression reads (by column index). */
function referencedColumns(table: Table, expr: Expr): number[] {
  const out = new Set<number>();
  const visit = (e: Expr): void => {
    if (e.kind === "ColumnRef") {
      const i = table.columns.findIndex((c) => foldName(c.name) === foldName(e.column.name));
      if (i >= 0) out.add(i);
      return;
    }
    forEachChild(e, visit);
  };
  visit(expr);
  return [...out];
}

/**
 * The generated columns in the order their values are computed: repeated
 * passes in column order, each computing the columns whose inputs are ready,
 * as SQLite's sqlite3ComputeGeneratedColumns does. When a pass makes no
 * progress, the last column it could not compute is named in SQLite's error.
 */
export function generatedOrder(table: Table): number[] {
  const pending = new Set<number>();
  table.columns.forEach((c, i) => c.generated && pending.add(i));
  const inputs = new Map<number, number[]>();
  for (const i of pending) inputs.set(i, referencedColumns(table, (table.columns[i].generated as { expr: Expr }).expr));
  const order: number[] = [];
  while (pending.size > 0) {
    let progress = false;
    let blocked = -1;
    for (let i = 0; i < table.columns.length; i++) {
      if (!pending.has(i)) continue;
      if ((inputs.get(i) as number[]).some((j) => pending.has(j))) {
        blocked = i;
        continue;
      }
      pending.delete(i);
      order.push(i);
      progress = true;
    }
    if (!progress) throw new SqliteError(`generated column loop on "${table.columns[blocked].name}"`);
  }
  return order;
}

/**
 * SQLite's CREATE-time rules on generated columns that the expressions'
 * shape decides (name resolution and function checks happen when they are
 * compiled): no part of the PRIMARY KEY, no subqueries, parameters or
 * qualified names, and no loops.
 */
export function checkGeneratedColumns(table: Table): void {
  if (!table.columns.some((c) => c.generated)) return;
  for (const i of table.primaryKey) if (table.columns[i].generated) throw new SqliteError("generated columns cannot be part of the PRIMARY KEY");
  for (const c of table.columns) {
    if (!c.generated) continue;
    const visit = (e: Expr): void => {
      if (e.kind === "SubqueryExpr" || e.kind === "ExistsExpr" || e.kind === "InSelectExpr") throw new SqliteError("subqueries prohibited in generated columns");
      if (e.kind === "Param") throw new SqliteError("parameters prohibited in generated columns");
      if (e.kind === "ColumnRef" && e.table) throw new SqliteError('the "." operator prohibited in generated columns');
      forEachChild(e, visit);
    };
    visit(c.generated.expr);
  }
  generatedOrder(table);
}
