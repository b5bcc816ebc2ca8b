// SELECT grammar: WITH clauses, compound selects, SELECT cores and VALUES,
// result columns, the FROM clause with every join form, WINDOW clauses,
// ORDER BY / LIMIT.

import type { SqliteError } from "../errors.js";
import type {
  CommonTableExpr,
  CompoundOp,
  Expr,
  FromItem,
  Ident,
  IndexHint,
  JoinType,
  LimitClause,
  NamedWindow,
  ResultColumn,
  Select,
  SelectBody,
  SelectCore,
  ValuesClause,
  WithClause,
} from "./ast.js";
import { parseExpr, parseExprList, parseOrderBy, parseWindowDef } from "./parse-expr.js";
import type { Parser } from "./parser-core.js";
import type { TokenType } from "./tokenizer.js";

/** Whether the current token starts a SELECT (incl. VALUES and WITH). */
export function startsSelect(p: Parser): boolean {
  const t = p.cur.type;
  return t === "SELECT" || t === "VALUES" || t === "WITH";
}

/** A full SELECT statement: [WITH ...] body [ORDER BY ...] [LIMIT ...]. */
export function parseSelect(p: Parser): Select {
  const start = p.cur.start;
  p.enter();
  const withClause = p.is("WITH") ? parseWith(p) : null;
  const select = parseSelectBodyAndTail(p, withClause, start);
  p.leave();
  return select;
}

/** The part of a SELECT after its WITH clause (which the caller has parsed). */
export function parseSelectBodyAndTail(p: Parser, withClause: WithClause | null, start: number): Select {
  const first = parseSimpleSelect(p);
  let body: SelectBody = first;
  let tail = parseOrderLimit(p, first);
  let misplaced: SqliteError | null = null;
  for (;;) {
    const op = compoundOp(p);
    if (op === null) break;
    const right = parseSimpleSelect(p);
    const rightTail = parseOrderLimit(p, right);
    if (misplaced === null && (tail.orderBy.length > 0 || tail.limit !== null)) {
      const clause = tail.orderBy.length > 0 ? "ORDER BY" : "LIMIT";
      misplaced = p.error(`${clause} clause should come after ${op} not before`, tail.start);
    }
    body = { kind: "CompoundSelect", op, left: body, right, start: body.start, end: right.end };
    tail = rightTail;
  }
  // SQLite reports a misplaced ORDER BY/LIMIT when it reduces the whole select, before a valid next token.
  if (misplaced !== null) throw isSelectFollower(p) ? misplaced : p.syntaxError();
  return { kind: "Select", with: withClause, body, orderBy: tail.orderBy, limit: tail.limit, start, end: p.lastEnd };
}

/** Whether the current token may end a SELECT here (nesting-aware). */
function isSelectFollower(p: Parser): boolean {
  const next = p.cur.type;
  if (next === ")" || next === ";" || next === "EOF") return (next === ")") === p.openParens() > 0;
  return (next === "ON" || next === "RETURNING") && p.insertSourceDepth > 0;
}

/** ORDER BY / LIMIT after one select: SQLite's grammar allows them after SELECT, not after VALUES. */
function parseOrderLimit(p: Parser, after: SelectCore | ValuesClause): { orderBy: Select["orderBy"]; limit: LimitClause | null; start: number } {
  const start = p.cur.start;
  if (after.kind === "ValuesClause") return { orderBy: [], limit: null, start };
  const orderBy = p.is("ORDER") ? parseOrderBy(p) : [];
  const limit = parseLimit(p);
  return { orderBy, limit, start };
}

function compoundOp(p: Parser): CompoundOp | null {
  if (p.accept("UNION")) return p.accept("ALL") ? "UNION ALL" : "UNION";
  if (p.accept("INTERSECT")) return "INTERSECT";
  if (p.accept("EXCEPT")) return "EXCEPT";
  return null;
}

/** `LIMIT n [OFFSET m]` or `LIMIT m, n`; null when there is no LIMIT. */
export function parseLimit(p: Parser): LimitClause | null {
  const start = p.cur.start;
  if (!p.accept("LIMIT")) return null;
  const first = parseExpr(p);
  if (p.accept("OFFSET")) {
    const offset = parseExpr(p);
    return { kind: "LimitClause", limit: first, offset, commaForm: false, start, end: p.lastEnd };
  }
  if (p.accept(",")) {
    const limit = parseExpr(p);
    return { kind: "LimitClause", limit, offset: first, commaForm: true, start, end: p.lastEnd };
  }
  return { kind: "LimitClause", limit: first, offset: null, commaForm: false, start, end: p.lastEnd };
}

/**
 * `(name, ...)` column lists of CTEs, views and foreign keys (SQLite's
 * eidlist): each name may carry COLLATE / ASC / DESC, which SQLite then
 * rejects with "syntax error after column name".
 */
export function parseEidList(p: Parser): Ident[] {
  p.expect("(");
  const names: Ident[] = [];
  do {
    const name = p.nm();
    let decorated = false;
    if (p.accept("COLLATE")) {
      p.ids();
      decorated = true;
    }
    if (p.accept("ASC") || p.accept("DESC")) decorated = true;
    if (decorated) {
      if (!p.is(",") && !p.is(")")) throw p.syntaxError();
      throw p.error(`syntax error after column name "${name.name}"`, name.start);
    }
    names.push(name);
  } while (p.accept(","));
  p.expect(")");
  return names;
}

/** `WITH [RECURSIVE] cte, ...`. */
export function parseWith(p: Parser): WithClause {
  const start = p.expect("WITH").start;
  const recursive = p.accept("RECURSIVE") !== null;
  const ctes: CommonTableExpr[] = [];
  do {
    const name = p.nm();
    const columns = p.is("(") ? parseEidList(p) : null;
    p.expect("AS");
    let materialized: boolean | null = null;
    if (p.accept("MATERIALIZED")) materialized = true;
    else if (p.is("NOT")) {
      p.advance();
      p.expect("MATERIALIZED");
      materialized = false;
    }
    p.expect("(");
    const select = parseSelect(p);
    p.expect(")");
    ctes.push({ kind: "CommonTableExpr", name, columns, materialized, select, start: name.start, end: p.lastEnd });
  } while (p.accept(","));
  return { kind: "WithClause", recursive, ctes, start, end: p.lastEnd };
}

function parseSimpleSelect(p: Parser): SelectCore | ValuesClause {
  return p.is("VALUES") ? parseValues(p) : parseSelectCore(p);
}

function parseValues(p: Parser): ValuesClause {
  const start = p.expect("VALUES").start;
  const rows: Expr[][] = [];
  let mismatch = -1;
  do {
    const rowStart = p.expect("(").start;
    const row = parseExprList(p);
    p.expect(")");
    if (mismatch < 0 && rows.length > 0 && row.length !== rows[0].length) mismatch = rowStart;
    rows.push(row);
  } while (p.accept(","));
  if (mismatch >= 0) {
    // SQLite checks the arity when the whole VALUES list is reduced, i.e. before a valid next token.
    const next = p.cur.type;
    const valid = next === "UNION" || next === "INTERSECT" || next === "EXCEPT" || isSelectFollower(p);
    if (!valid) throw p.syntaxError();
    throw p.error("all VALUES must have the same number of terms", mismatch);
  }
  return { kind: "ValuesClause", rows, start, end: p.lastEnd };
}

function parseSelectCore(p: Parser): SelectCore {
  const start = p.expect("SELECT").start;
  let distinct: SelectCore["distinct"] = null;
  if (p.accept("DISTINCT")) distinct = "DISTINCT";
  else if (p.accept("ALL")) distinct = "ALL";
  const columns = parseResultColumns(p);
  const from = p.accept("FROM") ? parseFrom(p) : null;
  const where = p.accept("WHERE") ? parseExpr(p) : null;
  let groupBy: Expr[] = [];
  if (p.accept("GROUP")) {
    p.expect("BY");
    groupBy = parseExprList(p);
  }
  const having = p.accept("HAVING") ? parseExpr(p) : null;
  const windows: NamedWindow[] = [];
  if (p.accept("WINDOW")) {
    do {
      const name = p.nm();
      p.expect("AS");
      const window = parseWindowDef(p);
      windows.push({ kind: "NamedWindow", name, window, start: name.start, end: p.lastEnd });
    } while (p.accept(","));
  }
  return { kind: "SelectCore", distinct, columns, from, where, groupBy, having, windows, start, end: p.lastEnd };
}

/** An alias written without AS: an id or string that has no keyword meaning here. */
function isBareAlias(p: Parser): boolean {
  return p.isIds();
}

/** `[AS] alias`, or null. */
function parseAlias(p: Parser): Ident | null {
  if (p.accept("AS")) return p.nm();
  return isBareAlias(p) ? p.identFrom(p.advance()) : null;
}

/** Result columns of SELECT and RETURNING. */
export function parseResultColumns(p: Parser): ResultColumn[] {
  const columns: ResultColumn[] = [];
  do {
    const t = p.cur;
    if (t.type === "*") {
      p.advance();
      columns.push({ kind: "ResultStar", start: t.start, end: t.end });
    } else if (p.isNm(t) && p.peek().type === "." && p.peek(2).type === "*") {
      const table = p.nm();
      p.advance();
      p.advance();
      columns.push({ kind: "ResultTableStar", table, start: t.start, end: p.lastEnd });
    } else {
      const expr = parseExpr(p);
      const alias = parseAlias(p);
      columns.push({ kind: "ResultExpr", expr, alias, start: t.start, end: p.lastEnd });
    }
  } while (p.accept(","));
  return columns;
}

// ---------------------------------------------------------------------------
// FROM

/** The join list after FROM (also UPDATE ... FROM). */
export function parseFrom(p: Parser): FromItem {
  let left = parseTableSource(p);
  if (p.is("ON") || p.is("USING")) rejectLeadingJoinConstraint(p, left.start);
  for (;;) {
    const join = parseJoinOperator(p);
    if (join === null) return left;
    const right = parseTableSource(p);
    let on: Expr | null = null;
    let using: Ident[] | null = null;
    if (p.accept("ON")) on = parseExpr(p);
    else if (p.accept("USING")) using = p.nameList();
    left = { kind: "Join", type: join.type, natural: join.natural, left, right, on, using, start: left.start, end: p.lastEnd };
  }
}

/** Tokens after which SQLite reduces a FROM item (and so reports errors found in it). */
const FROM_ITEM_FOLLOWERS = new Set<TokenType>([
  ",", "JOIN", "NATURAL", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "OUTER",
  "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "RETURNING",
]);

/**
 * The grammar lets ON/USING follow the first FROM item; SQLite parses the
 * clause, then rejects it when the item is reduced, i.e. only if a valid
 * follower comes next (otherwise the syntax error there wins).
 */
function rejectLeadingJoinConstraint(p: Parser, start: number): never {
  const clause = p.is("ON") ? "ON" : "USING";
  if (p.accept("ON")) {
    parseExpr(p);
  } else {
    p.advance();
    p.nameList();
  }
  const next = p.cur.type;
  const validNext = next === ")" || next === "EOF" || next === ";" ? (next === ")") === p.openParens() > 0 : FROM_ITEM_FOLLOWERS.has(next);
  if (!validNext) throw p.syntaxError();
  throw p.error(`a JOIN clause is required before ${clause}`, start);
}

// Bits of SQLite's sqlite3JoinType, to validate keyword combinations exactly as it does.
const JT_INNER = 1;
const JT_CROSS = 2;
const JT_NATURAL = 4;
const JT_LEFT = 8;
const JT_RIGHT = 16;
const JT_OUTER = 32;
const JT_ERROR = 64;
const JOIN_WORD_BITS: Record<string, number> = {
  NATURAL: JT_NATURAL,
  LEFT: JT_LEFT | JT_OUTER,
  OUTER: JT_OUTER,
  RIGHT: JT_RIGHT | JT_OUTER,
  FULL: JT_LEFT | JT_RIGHT | JT_OUTER,
  INNER: JT_INNER,
  CROSS: JT_INNER | JT_CROSS,
};

/** `,` or `[join keywords] JOIN`; null when the FROM list ends here. */
function parseJoinOperator(p: Parser): { type: JoinType; natural: boolean } | null {
  if (p.accept(",")) return { type: ",", natural: false };
  if (p.accept("JOIN")) return { type: "INNER", natural: false };
  if (!(p.is("NATURAL") || p.is("LEFT") || p.is("RIGHT") || p.is("FULL") || p.is("INNER") || p.is("CROSS") || p.is("OUTER"))) {
    return null;
  }
  const words = [p.advance()];
  while (words.length < 3 && !p.is("JOIN") && p.isNm()) words.push(p.advance());
  p.expect("JOIN");
  // SQLite checks the join words when it reduces the operator, on seeing a table next.
  if (!p.isNm() && !p.is("(")) throw p.syntaxError();
  let bits = 0;
  for (const w of words) bits |= JOIN_WORD_BITS[p.text(w).toUpperCase()] ?? JT_ERROR;
  if (
    (bits & (JT_INNER | JT_OUTER)) === (JT_INNER | JT_OUTER) ||
    (bits & JT_ERROR) !== 0 ||
    (bits & (JT_OUTER | JT_LEFT | JT_RIGHT)) === JT_OUTER
  ) {
    throw p.error(`unknown join type: ${words.map((w) => p.text(w)).join(" ")}`, words[0].start);
  }
  const natural = (bits & JT_NATURAL) !== 0;
  if ((bits & JT_CROSS) !== 0) return { type: "CROSS", natural };
  if ((bits & JT_LEFT) !== 0 && (bits & JT_RIGHT) !== 0) return { type: "FULL", natural };
  if ((bits & JT_LEFT) !== 0) return { type: "LEFT", natural };
  if ((bits & JT_RIGHT) !== 0) return { type: "RIGHT", natural };
  return { type: "INNER", natural };
}

function parseTableSource(p: Parser): FromItem {
  const start = p.cur.start;
  if (p.accept("(")) {
    if (startsSelect(p)) {
      const select = parseSelect(p);
      p.expect(")");
      const alias = parseAlias(p);
      return { kind: "SubqueryRef", select, alias, start, end: p.lastEnd };
    }
    const inner = parseFrom(p);
    const close = p.expect(")");
    const alias = parseAlias(p);
    if (alias === null) return inner;
    // SQLite turns an aliased parenthesized join into a subquery SELECT * FROM (join).
    const span = { start, end: close.end };
    const core: SelectCore = {
      kind: "SelectCore",
      distinct: null,
      columns: [{ kind: "ResultStar", ...span }],
      from: inner,
      where: null,
      groupBy: [],
      having: null,
      windows: [],
      ...span,
    };
    const select: Select = { kind: "Select", with: null, body: core, orderBy: [], limit: null, ...span };
    return { kind: "SubqueryRef", select, alias, start, end: p.lastEnd };
  }
  const [schema, name] = p.qualifiedName();
  if (p.accept("(")) {
    const args = p.is(")") ? [] : parseExprList(p);
    p.expect(")");
    const alias = parseAlias(p);
    return { kind: "TableFunctionRef", schema, name, args, alias, start, end: p.lastEnd };
  }
  const alias = parseAlias(p);
  const indexHint = parseIndexHint(p);
  return { kind: "TableRef", schema, name, alias, indexHint, start, end: p.lastEnd };
}

/** `INDEXED BY name` / `NOT INDEXED`, or null. */
export function parseIndexHint(p: Parser): IndexHint | null {
  const start = p.cur.start;
  if (p.accept("INDEXED")) {
    p.expect("BY");
    const name = p.nm();
    return { kind: "IndexedBy", name, start, end: p.lastEnd };
  }
  if (p.accept("NOT")) {
    p.expect("INDEXED");
    return { kind: "NotIndexed", start, end: p.lastEnd };
  }
  return null;
}
