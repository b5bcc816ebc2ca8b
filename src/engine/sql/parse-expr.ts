// Expression grammar: SQLite's operator precedence (parse.y %left/%right
// lines) by precedence climbing, primaries (literals, names, function calls
// with FILTER/OVER, CASE, CAST, subqueries, RAISE), plus the small shared
// pieces built from expressions: ORDER BY terms, window definitions, type names.

import type {
  BinaryOp,
  CaseWhen,
  Expr,
  FrameBound,
  FunctionCall,
  Ident,
  IndexedColumn,
  OrderingTerm,
  SortDirection,
  TypeName,
  WindowDef,
  WindowFrame,
} from "./ast.js";
import type { Parser } from "./parser-core.js";
import { parseSelect, startsSelect } from "./parse-select.js";
import type { Token, TokenType } from "./tokenizer.js";

// Binding strength of infix operators, lowest first (parse.y):
//   OR < AND < NOT(prefix) < IS MATCH LIKE BETWEEN IN ISNULL NOTNULL = != <
//   < <= > >= < ESCAPE < & | << >> < + - < * / % < || -> ->> < COLLATE < unary
const LEVEL_OR = 1;
const LEVEL_AND = 2;
const LEVEL_NOT = 3;
const LEVEL_EQ = 4;
const LEVEL_CMP = 5;
const LEVEL_BIT = 7;
const LEVEL_ADD = 8;
const LEVEL_MUL = 9;
const LEVEL_CONCAT = 10;
const LEVEL_COLLATE = 11;

const SIMPLE_BINARY: Partial<Record<TokenType, [number, BinaryOp]>> = {
  OR: [LEVEL_OR, "OR"],
  AND: [LEVEL_AND, "AND"],
  "=": [LEVEL_EQ, "="],
  "==": [LEVEL_EQ, "="],
  "!=": [LEVEL_EQ, "!="],
  "<>": [LEVEL_EQ, "!="],
  "<": [LEVEL_CMP, "<"],
  "<=": [LEVEL_CMP, "<="],
  ">": [LEVEL_CMP, ">"],
  ">=": [LEVEL_CMP, ">="],
  "&": [LEVEL_BIT, "&"],
  "|": [LEVEL_BIT, "|"],
  "<<": [LEVEL_BIT, "<<"],
  ">>": [LEVEL_BIT, ">>"],
  "+": [LEVEL_ADD, "+"],
  "-": [LEVEL_ADD, "-"],
  "*": [LEVEL_MUL, "*"],
  "/": [LEVEL_MUL, "/"],
  "%": [LEVEL_MUL, "%"],
  "||": [LEVEL_CONCAT, "||"],
  "->": [LEVEL_CONCAT, "->"],
  "->>": [LEVEL_CONCAT, "->>"],
};

const LIKE_OPS: Partial<Record<TokenType, "LIKE" | "GLOB" | "REGEXP" | "MATCH">> = {
  LIKE: "LIKE",
  GLOB: "GLOB",
  REGEXP: "REGEXP",
  MATCH: "MATCH",
};

/** Tokens that may follow NOT as an infix operator (`x NOT IN ...`). */
const AFTER_INFIX_NOT = new Set<TokenType>(["NULL", "LIKE", "GLOB", "REGEXP", "MATCH", "BETWEEN", "IN"]);

/** Parses a full expression. */
export function parseExpr(p: Parser): Expr {
  return parseBinary(p, LEVEL_OR);
}

/**
 * The lower bound of BETWEEN. SQLite's LALR parser shifts every operator
 * there (no reduction is possible before the AND), so only an AND at the top
 * level of the bound ends it: `a BETWEEN 1 = 1 AND 2` takes `1 = 1`.
 */
function parseBetweenLow(p: Parser): Expr {
  return parseBinary(p, LEVEL_OR, true);
}

/** `expr, expr, ...` (at least one). */
export function parseExprList(p: Parser): Expr[] {
  const list = [parseExpr(p)];
  while (p.accept(",")) list.push(parseExpr(p));
  return list;
}

/** SQLite's SQLITE_MAX_EXPR_DEPTH. */
const MAX_EXPR_HEIGHT = 1000;

/**
 * Height of the operator chain last returned by parseBinary. Long left-deep
 * chains (`1+1+...`) are built iteratively, so the recursion guard does not
 * see them; this tracks their height roughly as SQLite's exprSetHeight
 * does (an operand counts with the height of the last chain parsed inside it).
 */
let chainHeight = 1;

/** Expressions binding at least as tightly as `minLevel`; `stopAtAnd` for a BETWEEN lower bound. */
function parseBinary(p: Parser, minLevel: number, stopAtAnd = false): Expr {
  chainHeight = 1;
  let left = parseUnary(p);
  // A parenthesized or nested operand brings the height of its last inner chain.
  let height = chainHeight;
  for (;;) {
    const t = p.cur;
    const simple = SIMPLE_BINARY[t.type];
    let next: Expr | null;
    if (simple !== undefined) {
      const [level, op] = simple;
      if (level < minLevel || (op === "AND" && stopAtAnd)) break;
      p.advance();
      const right = parseBinary(p, level + 1);
      if (chainHeight > height) height = chainHeight;
      next = { kind: "BinaryExpr", op, left, right, start: left.start, end: right.end };
    } else if (t.type === "COLLATE") {
      if (LEVEL_COLLATE < minLevel) break;
      p.advance();
      const collation = p.ids();
      next = { kind: "CollateExpr", expr: left, collation, start: left.start, end: collation.end };
    } else {
      if (LEVEL_EQ < minLevel) break;
      next = parseEqualityLevel(p, left, t);
      if (next === null) break;
    }
    left = next;
    if (++height > MAX_EXPR_HEIGHT) {
      throw p.error(`Expression tree is too large (maximum depth ${MAX_EXPR_HEIGHT})`, t.start);
    }
  }
  chainHeight = height;
  return left;
}

/**
 * The postfix and infix forms at the IS/LIKE/BETWEEN/IN level that do not
 * fit the plain binary table; null when the current token is none of them.
 */
function parseEqualityLevel(p: Parser, left: Expr, t: Token): Expr | null {
  const start = left.start;
  let not = false;
  if (t.type === "NOT") {
    // SQLite shifts an infix NOT and fails on whatever follows it.
    p.advance();
    if (!AFTER_INFIX_NOT.has(p.cur.type)) throw p.syntaxError();
    not = true;
  }
  const opTok = p.cur;
  switch (opTok.type) {
    case "ISNULL":
    case "NOTNULL":
      p.advance();
      return { kind: "IsNullExpr", not: opTok.type === "NOTNULL", expr: left, start, end: p.lastEnd };
    case "NULL":
      if (!not) return null;
      p.advance();
      return { kind: "IsNullExpr", not: true, expr: left, start, end: p.lastEnd };
    case "IS": {
      p.advance();
      let negate = p.accept("NOT") !== null;
      if (p.accept("DISTINCT")) {
        p.expect("FROM");
        negate = !negate;
      }
      const right = parseBinary(p, LEVEL_EQ + 1);
      return { kind: "BinaryExpr", op: negate ? "IS NOT" : "IS", left, right, start, end: right.end };
    }
    case "BETWEEN": {
      p.advance();
      const low = parseBetweenLow(p);
      p.expect("AND");
      const high = parseBinary(p, LEVEL_EQ + 1);
      return { kind: "BetweenExpr", not, expr: left, low, high, start, end: high.end };
    }
    case "IN":
      p.advance();
      return parseInRest(p, left, not);
    default: {
      const op = LIKE_OPS[opTok.type];
      if (op === undefined) return null;
      p.advance();
      const right = parseBinary(p, LEVEL_EQ + 1);
      const escape = p.accept("ESCAPE") ? parseBinary(p, LEVEL_BIT) : null;
      return { kind: "LikeExpr", op, not, left, right, escape, start, end: p.lastEnd };
    }
  }
}

/** After `expr [NOT] IN`: a list, a subquery, a table, or a table-valued function. */
function parseInRest(p: Parser, expr: Expr, not: boolean): Expr {
  const start = expr.start;
  if (p.accept("(")) {
    if (startsSelect(p)) {
      const select = parseSelect(p);
      p.expect(")");
      return { kind: "InSelectExpr", not, expr, select, start, end: p.lastEnd };
    }
    const items = p.is(")") ? [] : parseExprList(p);
    p.expect(")");
    return { kind: "InListExpr", not, expr, items, start, end: p.lastEnd };
  }
  const [schema, table] = p.qualifiedName();
  let args: Expr[] | null = null;
  if (p.accept("(")) {
    args = p.is(")") ? [] : parseExprList(p);
    p.expect(")");
  }
  return { kind: "InTableExpr", not, expr, schema, table, args, start, end: p.lastEnd };
}

function parseUnary(p: Parser): Expr {
  const t = p.cur;
  switch (t.type) {
    case "NOT": {
      p.advance();
      p.enter();
      const operand = parseBinary(p, LEVEL_NOT);
      p.leave();
      return { kind: "UnaryExpr", op: "NOT", operand, start: t.start, end: operand.end };
    }
    case "-":
    case "+":
    case "~": {
      p.advance();
      p.enter();
      const operand = p.is("INTEGER") && t.type === "-" ? parseNegatedNumber(p) : parseUnary(p);
      p.leave();
      return { kind: "UnaryExpr", op: t.type, operand, start: t.start, end: operand.end };
    }
    default:
      return parsePrimary(p);
  }
}

/** An integer literal right after unary minus: negated, for the "hex literal too big" message. */
function parseNegatedNumber(p: Parser): Expr {
  return p.numberLiteral(p.advance(), true);
}

function parsePrimary(p: Parser): Expr {
  const t = p.cur;
  switch (t.type) {
    case "INTEGER":
    case "FLOAT":
      p.advance();
      return p.numberLiteral(t);
    case "STRING":
      if (p.peek().type === ".") return parseName(p);
      p.advance();
      return p.stringLiteral(t);
    case "BLOB":
      p.advance();
      return p.blobLiteral(t);
    case "NULL":
      p.advance();
      return { kind: "NullLiteral", start: t.start, end: t.end };
    case "CURRENT_TIME":
    case "CURRENT_DATE":
    case "CURRENT_TIMESTAMP":
      p.advance();
      return { kind: "CurrentTimeLiteral", which: t.type, start: t.start, end: t.end };
    case "VARIABLE":
      p.advance();
      return p.param(t);
    case "(":
      return parseParenthesized(p);
    case "CAST": {
      p.advance();
      p.expect("(");
      const expr = parseExpr(p);
      p.expect("AS");
      const type = parseTypeName(p);
      p.expect(")");
      return { kind: "CastExpr", expr, type, start: t.start, end: p.lastEnd };
    }
    case "CASE":
      return parseCase(p);
    case "EXISTS": {
      p.advance();
      p.expect("(");
      const select = parseSelect(p);
      p.expect(")");
      return { kind: "ExistsExpr", select, start: t.start, end: p.lastEnd };
    }
    case "RAISE":
      return parseRaise(p);
    default:
      if (p.isNm(t)) return parseName(p);
      throw p.syntaxError();
  }
}

/** `( select )`, `( expr )` or a row value `( expr, expr, ... )`. */
function parseParenthesized(p: Parser): Expr {
  const open = p.advance();
  if (startsSelect(p)) {
    const select = parseSelect(p);
    p.expect(")");
    return { kind: "SubqueryExpr", select, start: open.start, end: p.lastEnd };
  }
  p.enter();
  const items = parseExprList(p);
  p.leave();
  const close = p.expect(")");
  if (items.length === 1) {
    // The expression's span includes its parentheses (see ast.ts).
    const inner = items[0];
    inner.start = open.start;
    inner.end = close.end;
    return inner;
  }
  return { kind: "RowValue", items, start: open.start, end: close.end };
}

/** A column reference `[[schema.]table.]column` or a function call `name(...)`. */
function parseName(p: Parser): Expr {
  const first = p.advance();
  if (p.is("(") && first.type !== "STRING") return parseFunctionCall(p, p.identFrom(first));
  const a = p.identFrom(first);
  if (!p.accept(".")) return { kind: "ColumnRef", schema: null, table: null, column: a, start: a.start, end: a.end };
  const b = p.nm();
  if (!p.accept(".")) return { kind: "ColumnRef", schema: null, table: a, column: b, start: a.start, end: b.end };
  const c = p.nm();
  return { kind: "ColumnRef", schema: a, table: b, column: c, start: a.start, end: c.end };
}

function parseFunctionCall(p: Parser, name: Ident): FunctionCall {
  p.expect("(");
  let distinct = false;
  let star = false;
  let args: Expr[] = [];
  let orderBy: OrderingTerm[] = [];
  if (p.accept("*")) {
    star = true;
  } else {
    // SQLite's grammar allows an empty argument list after DISTINCT and before ORDER BY.
    if (p.accept("DISTINCT")) distinct = true;
    else p.accept("ALL");
    p.enter();
    if (!p.is(")") && !p.is("ORDER")) args = parseExprList(p);
    if (p.is("ORDER")) orderBy = parseOrderBy(p);
    p.leave();
  }
  p.expect(")");
  let filter: Expr | null = null;
  if (p.accept("FILTER")) {
    p.expect("(");
    p.expect("WHERE");
    filter = parseExpr(p);
    p.expect(")");
  }
  let over: Ident | WindowDef | null = null;
  if (p.accept("OVER")) {
    over = p.is("(") ? parseWindowDef(p) : p.nm();
  }
  return { kind: "FunctionCall", name, distinct, star, args, orderBy, filter, over, start: name.start, end: p.lastEnd };
}

function parseCase(p: Parser): Expr {
  const start = p.advance().start;
  const base = p.is("WHEN") ? null : parseExpr(p);
  const whens: CaseWhen[] = [];
  do {
    const whenStart = p.expect("WHEN").start;
    const when = parseExpr(p);
    p.expect("THEN");
    const then = parseExpr(p);
    whens.push({ kind: "CaseWhen", when, then, start: whenStart, end: p.lastEnd });
  } while (p.is("WHEN"));
  const elseExpr = p.accept("ELSE") ? parseExpr(p) : null;
  p.expect("END");
  return { kind: "CaseExpr", base, whens, else: elseExpr, start, end: p.lastEnd };
}

function parseRaise(p: Parser): Expr {
  const start = p.advance().start;
  p.expect("(");
  const t = p.cur;
  if (t.type === "IGNORE") {
    p.advance();
    p.expect(")");
    return { kind: "RaiseExpr", action: "IGNORE", message: null, start, end: p.lastEnd };
  }
  if (t.type !== "ROLLBACK" && t.type !== "ABORT" && t.type !== "FAIL") throw p.syntaxError();
  p.advance();
  p.expect(",");
  const message = parseExpr(p);
  p.expect(")");
  return { kind: "RaiseExpr", action: t.type, message, start, end: p.lastEnd };
}

// ---------------------------------------------------------------------------
// Pieces built from expressions

/** `ORDER BY term, term, ...` (the caller sees ORDER as the current token). */
export function parseOrderBy(p: Parser): OrderingTerm[] {
  p.expect("ORDER");
  p.expect("BY");
  const terms = [parseOrderingTerm(p)];
  while (p.accept(",")) terms.push(parseOrderingTerm(p));
  return terms;
}

function parseOrderingTerm(p: Parser): OrderingTerm {
  const expr = parseExpr(p);
  const direction = parseDirection(p);
  const nulls = parseNullsOrder(p);
  return { kind: "OrderingTerm", expr, direction, nulls, start: expr.start, end: p.lastEnd };
}

function parseNullsOrder(p: Parser): "FIRST" | "LAST" | null {
  if (!p.accept("NULLS")) return null;
  if (p.accept("FIRST")) return "FIRST";
  p.expect("LAST");
  return "LAST";
}

export function parseDirection(p: Parser): SortDirection | null {
  if (p.accept("ASC")) return "ASC";
  if (p.accept("DESC")) return "DESC";
  return null;
}

/** `( indexed-column, ... )` of CREATE INDEX, UNIQUE and upsert targets. */
export function parseIndexedColumns(p: Parser): IndexedColumn[] {
  p.expect("(");
  const cols = parseIndexedColumnItems(p);
  p.expect(")");
  return cols;
}

/** `indexed-column, ...` without the parentheses (PRIMARY KEY puts AUTOINCREMENT before the `)`). */
export function parseIndexedColumnItems(p: Parser): IndexedColumn[] {
  const cols: IndexedColumn[] = [];
  do {
    const expr = parseExpr(p);
    const direction = parseDirection(p);
    const nulls = parseNullsOrder(p);
    cols.push({ kind: "IndexedColumn", expr, direction, nulls, start: expr.start, end: p.lastEnd });
  } while (p.accept(","));
  return cols;
}

/**
 * A type name: words (ids) then optionally `(n)` or `(n, m)` with signed
 * numbers. May be empty (`CAST(x AS)` is legal SQLite); then the name is ""
 * and the span is empty at the current token. `inColumnDef` applies the
 * GENERATED ALWAYS rule of column definitions.
 */
export function parseTypeName(p: Parser, inColumnDef = false): TypeName {
  const start = p.cur.start;
  const words: Ident[] = [];
  while (p.isIds()) words.push(p.identFrom(p.advance()));
  if (inColumnDef && words.length > 0 && !p.is("(")) stripGeneratedAlways(words);
  if (words.length === 0) return { kind: "TypeName", name: "", args: [], start, end: start };
  const args: string[] = [];
  if (p.accept("(")) {
    args.push(parseSignedNumberText(p));
    if (p.accept(",")) args.push(parseSignedNumberText(p));
    p.expect(")");
  }
  const end = args.length > 0 ? p.lastEnd : words[words.length - 1].end;
  return { kind: "TypeName", name: words.map((w) => w.name).join(" "), args, start, end };
}

/**
 * `x INT GENERATED ALWAYS AS (...)`: SQLite's grammar takes GENERATED ALWAYS
 * as type words and sqlite3AddColumn strips a trailing ALWAYS, then
 * GENERATED, from a type text of 16 or more characters; the bare `AS (...)`
 * that follows is the generated-column constraint.
 */
function stripGeneratedAlways(words: Ident[]): void {
  const last = words[words.length - 1];
  if (last.end - words[0].start < 16 || last.quote !== "none" || last.name.toUpperCase() !== "ALWAYS") return;
  words.pop();
  const prev = words[words.length - 1];
  if (prev !== undefined && prev.quote === "none" && prev.name.toUpperCase() === "GENERATED") words.pop();
}

/** `[+|-] number`, returned as its source text. */
function parseSignedNumberText(p: Parser): string {
  const start = p.cur.start;
  if (!p.accept("+")) p.accept("-");
  if (!p.accept("INTEGER")) p.expect("FLOAT");
  return p.sql.slice(start, p.lastEnd);
}

// ---------------------------------------------------------------------------
// Windows

/** `( [base] [PARTITION BY ...] [ORDER BY ...] [frame] )`. */
export function parseWindowDef(p: Parser): WindowDef {
  const start = p.expect("(").start;
  let base: Ident | null = null;
  const t = p.cur.type;
  if (p.isNm() && t !== "PARTITION" && t !== "RANGE" && t !== "ROWS" && t !== "GROUPS") base = p.nm();
  let partitionBy: Expr[] = [];
  if (p.accept("PARTITION")) {
    p.expect("BY");
    partitionBy = parseExprList(p);
  }
  const orderBy = p.is("ORDER") ? parseOrderBy(p) : [];
  const frame = p.is("RANGE") || p.is("ROWS") || p.is("GROUPS") ? parseFrame(p) : null;
  p.expect(")");
  return { kind: "WindowDef", base, partitionBy, orderBy, frame, start, end: p.lastEnd };
}

function parseFrame(p: Parser): WindowFrame {
  const unitTok = p.advance();
  const unit = unitTok.type as WindowFrame["unit"];
  let startBound: FrameBound;
  let endBound: FrameBound;
  if (p.accept("BETWEEN")) {
    startBound = parseFrameBound(p, "PRECEDING");
    p.expect("AND");
    endBound = parseFrameBound(p, "FOLLOWING");
  } else {
    startBound = parseFrameBound(p, "PRECEDING");
    endBound = { kind: "FrameBound", type: "CURRENT ROW", offset: null, start: startBound.end, end: startBound.end };
  }
  let exclude: WindowFrame["exclude"] = null;
  if (p.accept("EXCLUDE")) {
    if (p.accept("NO")) {
      p.expect("OTHERS");
      exclude = "NO OTHERS";
    } else if (p.accept("CURRENT")) {
      p.expect("ROW");
      exclude = "CURRENT ROW";
    } else if (p.accept("GROUP")) {
      exclude = "GROUP";
    } else {
      p.expect("TIES");
      exclude = "TIES";
    }
  }
  return { kind: "WindowFrame", unit, startBound, endBound, exclude, start: unitTok.start, end: p.lastEnd };
}

/** A frame bound; `unboundedSide` is the only direction UNBOUNDED may take here. */
function parseFrameBound(p: Parser, unboundedSide: "PRECEDING" | "FOLLOWING"): FrameBound {
  const start = p.cur.start;
  if (p.accept("UNBOUNDED")) {
    p.expect(unboundedSide);
    const type = unboundedSide === "PRECEDING" ? "UNBOUNDED PRECEDING" : "UNBOUNDED FOLLOWING";
    return { kind: "FrameBound", type, offset: null, start, end: p.lastEnd };
  }
  if (p.accept("CURRENT")) {
    p.expect("ROW");
    return { kind: "FrameBound", type: "CURRENT ROW", offset: null, start, end: p.lastEnd };
  }
  const offset = parseExpr(p);
  const type = p.accept("PRECEDING") ? "PRECEDING" : (p.expect("FOLLOWING"), "FOLLOWING");
  return { kind: "FrameBound", type, offset, start, end: p.lastEnd };
}
