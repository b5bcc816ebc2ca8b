// Data-changing statements: INSERT / REPLACE (with upsert and RETURNING),
// UPDATE (SET lists incl. row-value targets, FROM) and DELETE, and the
// conflict-resolution keywords they share with the DDL.

import type { SqliteError } from "../errors.js";
import type {
  ConflictAction,
  Delete,
  Ident,
  IndexedColumn,
  Insert,
  ResultColumn,
  SetClause,
  TableRef,
  Update,
  Upsert,
  UpsertUpdate,
  WithClause,
} from "./ast.js";
import { parseExpr, parseIndexedColumns, parseOrderBy } from "./parse-expr.js";
import { parseFrom, parseIndexHint, parseLimit, parseResultColumns, parseSelect } from "./parse-select.js";
import type { Parser } from "./parser-core.js";

/** Where a DML statement appears: trigger bodies forbid some forms. */
export interface DmlContext {
  withClause: WithClause | null;
  start: number;
  inTrigger: boolean;
  /**
   * Inside a trigger, the first forbidden form found; SQLite reports it only
   * once the whole trigger step is parsed (see parseTriggerStatement).
   */
  triggerError?: SqliteError;
}

/** ROLLBACK | ABORT | FAIL | IGNORE | REPLACE, or a syntax error. */
export function parseConflictAction(p: Parser): ConflictAction {
  const t = p.cur.type;
  if (t === "ROLLBACK" || t === "ABORT" || t === "FAIL" || t === "IGNORE" || t === "REPLACE") {
    p.advance();
    return t;
  }
  throw p.syntaxError();
}

/** `OR action` after INSERT/UPDATE, or null. */
function parseOrConflict(p: Parser): ConflictAction | null {
  return p.accept("OR") ? parseConflictAction(p) : null;
}

/** `[schema.]name`, rejecting the schema inside triggers as SQLite does. */
function parseTargetName(p: Parser, ctx: DmlContext): [Ident | null, Ident] {
  const [schema, name] = p.qualifiedName();
  if (schema !== null && ctx.inTrigger) {
    ctx.triggerError ??= p.error(
      "qualified table names are not allowed on INSERT, UPDATE, and DELETE statements within triggers",
      schema.start,
    );
  }
  return [schema, name];
}

/** The target of UPDATE / DELETE: `[schema.]name [AS alias] [INDEXED BY i | NOT INDEXED]`. */
function parseQualifiedTable(p: Parser, ctx: DmlContext): TableRef {
  const start = p.cur.start;
  const [schema, name] = parseTargetName(p, ctx);
  const alias = p.accept("AS") ? p.nm() : null;
  const indexHint = parseIndexHint(p);
  if (indexHint !== null && ctx.inTrigger) {
    const clause = indexHint.kind === "IndexedBy" ? "INDEXED BY" : "NOT INDEXED";
    ctx.triggerError ??= p.error(`the ${clause} clause is not allowed on UPDATE or DELETE statements within triggers`, indexHint.start);
  }
  return { kind: "TableRef", schema, name, alias, indexHint, start, end: p.lastEnd };
}

function parseReturning(p: Parser): ResultColumn[] | null {
  return p.accept("RETURNING") ? parseResultColumns(p) : null;
}

/** INSERT / REPLACE; the current token is INSERT or REPLACE. */
export function parseInsert(p: Parser, ctx: DmlContext): Insert {
  const verb = p.advance().type === "REPLACE" ? "REPLACE" : "INSERT";
  const orConflict = verb === "INSERT" ? parseOrConflict(p) : null;
  p.expect("INTO");
  const [schema, table] = parseTargetName(p, ctx);
  const alias = p.accept("AS") ? p.nm() : null;
  const columns = p.is("(") ? p.nameList() : null;
  let source: Insert["source"];
  const upserts: Upsert[] = [];
  if (p.is("DEFAULT")) {
    const start = p.advance().start;
    p.expect("VALUES");
    source = { kind: "DefaultValues", start, end: p.lastEnd };
  } else {
    p.insertSourceDepth++;
    source = parseSelect(p);
    p.insertSourceDepth--;
    // Only upserts with a conflict target may be followed by another one.
    while (p.is("ON") && (upserts.length === 0 || upserts[upserts.length - 1].target !== null)) {
      upserts.push(parseUpsert(p));
    }
  }
  const returning = parseReturning(p);
  return {
    kind: "Insert",
    with: ctx.withClause,
    verb,
    orConflict,
    schema,
    table,
    alias,
    columns,
    source,
    upserts,
    returning,
    start: ctx.start, end: p.lastEnd,
  };
}

/** `ON CONFLICT [(target) [WHERE e]] DO NOTHING | DO UPDATE SET ... [WHERE e]`. */
function parseUpsert(p: Parser): Upsert {
  const start = p.expect("ON").start;
  p.expect("CONFLICT");
  let target: IndexedColumn[] | null = null;
  let targetWhere = null;
  if (p.is("(")) {
    target = parseIndexedColumns(p);
    targetWhere = p.accept("WHERE") ? parseExpr(p) : null;
  }
  p.expect("DO");
  let doUpdate: UpsertUpdate | null = null;
  if (!p.accept("NOTHING")) {
    const updateStart = p.expect("UPDATE").start;
    p.expect("SET");
    const set = parseSetList(p);
    const where = p.accept("WHERE") ? parseExpr(p) : null;
    doUpdate = { kind: "UpsertUpdate", set, where, start: updateStart, end: p.lastEnd };
  }
  return { kind: "Upsert", target, targetWhere, doUpdate, start, end: p.lastEnd };
}

/** `col = expr, (a, b) = expr, ...`. */
function parseSetList(p: Parser): SetClause[] {
  const list: SetClause[] = [];
  do {
    const start = p.cur.start;
    const parenthesized = p.is("(");
    const columns = parenthesized ? p.nameList() : [p.nm()];
    if (!p.accept("==")) p.expect("=");
    const value = parseExpr(p);
    list.push({ kind: "SetClause", columns, parenthesized, value, start, end: p.lastEnd });
  } while (p.accept(","));
  return list;
}

/**
 * `[RETURNING ...] [ORDER BY ...] [LIMIT ...]` after UPDATE / DELETE ... WHERE
 * (RETURNING may also come last). Trigger steps take none of them.
 */
function parseDmlTail(p: Parser, ctx: DmlContext): Pick<Update, "returning" | "orderBy" | "limit"> {
  if (ctx.inTrigger) return { returning: null, orderBy: [], limit: null };
  let returning = parseReturning(p);
  const orderBy = p.is("ORDER") ? parseOrderBy(p) : [];
  const limit = parseLimit(p);
  returning ??= parseReturning(p);
  return { returning, orderBy, limit };
}

/** UPDATE; the current token is UPDATE. */
export function parseUpdate(p: Parser, ctx: DmlContext): Update {
  p.expect("UPDATE");
  const orConflict = parseOrConflict(p);
  const table = parseQualifiedTable(p, ctx);
  p.expect("SET");
  const set = parseSetList(p);
  const from = p.accept("FROM") ? parseFrom(p) : null;
  const where = p.accept("WHERE") ? parseExpr(p) : null;
  const { returning, orderBy, limit } = parseDmlTail(p, ctx);
  return {
    kind: "Update",
    with: ctx.withClause,
    orConflict,
    table,
    set,
    from,
    where,
    orderBy,
    limit,
    returning,
    start: ctx.start, end: p.lastEnd,
  };
}

/** DELETE; the current token is DELETE. */
export function parseDelete(p: Parser, ctx: DmlContext): Delete {
  p.expect("DELETE");
  p.expect("FROM");
  const table = parseQualifiedTable(p, ctx);
  const where = p.accept("WHERE") ? parseExpr(p) : null;
  const { returning, orderBy, limit } = parseDmlTail(p, ctx);
  return { kind: "Delete", with: ctx.withClause, table, where, orderBy, limit, returning, start: ctx.start, end: p.lastEnd };
}
