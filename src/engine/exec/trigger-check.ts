// Whether a stored trigger still resolves, checked the way SQLite's ALTER
// TABLE checks it (renameResolveTrigger) before and after it rewrites the
// schema: each step's target table must exist and the names in its
// expressions (and in NEW and OLD) must resolve. What only matters when the
// trigger is coded for a statement is left unchecked, as in SQLite: the
// columns an UPDATE sets and an INSERT lists, and the number of values.
import type { Trigger } from "../schema/schema.js";
import type { Expr, FromItem, ResultColumn, Select, TableRef } from "../sql/ast.js";
import type { Delete, Insert, TriggerStatement, Update } from "../sql/ast-statements.js";
import type { CompileEnv } from "./compile-env.js";
import { ArrayRowSlot } from "./row-slot.js";
import { compileTrigger, tableShape } from "./trigger.js";
import { viewShape } from "./view-dml.js";

/** Throws the first resolution error of the trigger's WHEN and steps (compiled, never run). */
export function checkTriggerResolves(env: CompileEnv, trigger: Trigger): void {
  const table = env.schema.table(trigger.tableName);
  const view = table ? undefined : env.schema.view(trigger.tableName);
  const shape = table ? tableShape(table) : view ? viewShape(env, view) : null;
  if (!shape) return;
  const probe: Trigger = { ...trigger, ast: { ...trigger.ast, body: trigger.ast.body.flatMap(resolutionQueries) } };
  compileTrigger(env, shape, probe, new ArrayRowSlot(), new ArrayRowSlot());
}

/** Queries that resolve what SQLite checks of one step. */
function resolutionQueries(step: TriggerStatement): TriggerStatement[] {
  switch (step.kind) {
    case "Select":
      return [step];
    case "Insert":
      return insertQueries(step);
    case "Update":
      // UPDATE ... FROM: its FROM sources are checked with it, through the statement itself.
      if (step.from) return [step];
      return [query(step, step.with, step.set.flatMap((s) => (s.value.kind === "RowValue" ? s.value.items : [s.value])), step.table, step.where)];
    case "Delete":
      return [query(step, step.with, [], step.table, step.where)];
  }
}

function insertQueries(step: Insert): TriggerStatement[] {
  const target: TableRef = { kind: "TableRef", schema: step.schema, name: step.table, alias: null, indexHint: null, start: step.table.start, end: step.table.end };
  const queries: TriggerStatement[] = [query(step, null, [], target, null)];
  if (step.source.kind === "Select") queries.push(step.source);
  return queries;
}

/** `SELECT values (or *) FROM from WHERE where`, positioned at the step's text. */
function query(step: Update | Delete | Insert, withClause: Select["with"], values: Expr[], from: FromItem, where: Expr | null): Select {
  const span = { start: step.start, end: step.end };
  const columns: ResultColumn[] = values.length > 0 ? values.map((expr) => ({ kind: "ResultExpr", expr, alias: null, start: expr.start, end: expr.end })) : [{ kind: "ResultStar", ...span }];
  return {
    kind: "Select",
    ...span,
    with: withClause,
    body: { kind: "SelectCore", ...span, distinct: null, columns, from, where, groupBy: [], having: null, windows: [] },
    orderBy: [],
    limit: null,
  };
}
