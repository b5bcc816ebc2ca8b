// Transaction control (BEGIN, COMMIT/END, ROLLBACK, SAVEPOINT, RELEASE) and
// utility statements (PRAGMA, ATTACH, DETACH, ANALYZE, VACUUM, REINDEX).

import type { Expr, Ident, Statement } from "./ast.js";
import { parseExpr } from "./parse-expr.js";
import type { Parser } from "./parser-core.js";

/** Upper-cased text of the current token when it is an identifier, else "". */
function wordUpper(p: Parser): string {
  return p.isId() ? p.text(p.cur).toUpperCase() : "";
}

/** `[TRANSACTION [name]]` after BEGIN/COMMIT/END/ROLLBACK; returns whether READONLY was the name. */
function parseTransactionOpt(p: Parser): boolean {
  if (!p.accept("TRANSACTION")) return false;
  if (!p.isNm()) return false;
  const readonly = wordUpper(p) === "READONLY";
  p.advance();
  return readonly;
}

export function parseBegin(p: Parser): Statement {
  const start = p.expect("BEGIN").start;
  let mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT" | null = null;
  const t = p.cur.type;
  if (t === "DEFERRED" || t === "IMMEDIATE" || t === "EXCLUSIVE") {
    p.advance();
    mode = t;
  } else if (wordUpper(p) === "CONCURRENT") {
    p.advance();
    mode = "CONCURRENT";
  }
  let readonly = false;
  if (mode === null && wordUpper(p) === "READONLY") {
    p.advance();
    readonly = true;
  } else {
    readonly = parseTransactionOpt(p);
  }
  return { kind: "Begin", mode, readonly, start, end: p.lastEnd };
}

/** COMMIT or END; the current token is one of them. */
export function parseCommit(p: Parser): Statement {
  const start = p.advance().start;
  parseTransactionOpt(p);
  return { kind: "Commit", start, end: p.lastEnd };
}

export function parseRollback(p: Parser): Statement {
  const start = p.expect("ROLLBACK").start;
  parseTransactionOpt(p);
  let savepoint: Ident | null = null;
  if (p.accept("TO")) {
    p.accept("SAVEPOINT");
    savepoint = p.nm();
  }
  return { kind: "Rollback", savepoint, start, end: p.lastEnd };
}

export function parseSavepoint(p: Parser): Statement {
  const start = p.expect("SAVEPOINT").start;
  return { kind: "Savepoint", name: p.nm(), start, end: p.lastEnd };
}

export function parseRelease(p: Parser): Statement {
  const start = p.expect("RELEASE").start;
  p.accept("SAVEPOINT");
  return { kind: "Release", name: p.nm(), start, end: p.lastEnd };
}

export function parsePragma(p: Parser): Statement {
  const start = p.expect("PRAGMA").start;
  const [schema, name] = p.qualifiedName();
  let value: Expr | Ident | null = null;
  if (p.accept("=") || p.accept("==")) {
    value = parsePragmaValue(p);
  } else if (p.accept("(")) {
    value = parsePragmaValue(p);
    p.expect(")");
  }
  return { kind: "Pragma", schema, name, value, start, end: p.lastEnd };
}

/** A signed number, a string, a name, or ON / DELETE / DEFAULT. */
function parsePragmaValue(p: Parser): Expr | Ident {
  const t = p.cur;
  if (t.type === "+" || t.type === "-") {
    p.advance();
    const num = p.cur;
    if (num.type !== "INTEGER" && num.type !== "FLOAT") throw p.syntaxError();
    p.advance();
    const operand = p.numberLiteral(num, t.type === "-");
    return { kind: "UnaryExpr", op: t.type, operand, start: t.start, end: num.end };
  }
  if (t.type === "INTEGER" || t.type === "FLOAT") {
    p.advance();
    return p.numberLiteral(t);
  }
  if (t.type === "STRING") {
    p.advance();
    return p.stringLiteral(t);
  }
  if (t.type === "ON" || t.type === "DELETE" || t.type === "DEFAULT") return p.identFrom(p.advance());
  return p.nm();
}

export function parseAttach(p: Parser): Statement {
  const start = p.expect("ATTACH").start;
  p.accept("DATABASE");
  const file = parseExpr(p);
  p.expect("AS");
  const schema = parseExpr(p);
  const key = p.accept("KEY") ? parseExpr(p) : null;
  return { kind: "Attach", file, schema, key, start, end: p.lastEnd };
}

export function parseDetach(p: Parser): Statement {
  const start = p.expect("DETACH").start;
  p.accept("DATABASE");
  return { kind: "Detach", schema: parseExpr(p), start, end: p.lastEnd };
}

/** ANALYZE or REINDEX with an optional `[schema.]name`. */
export function parseAnalyzeOrReindex(p: Parser): Statement {
  const kw = p.advance();
  let schema: Ident | null = null;
  let name: Ident | null = null;
  if (p.isNm()) [schema, name] = p.qualifiedName();
  const kind = kw.type === "ANALYZE" ? "Analyze" : "Reindex";
  return { kind, schema, name, start: kw.start, end: p.lastEnd };
}

export function parseVacuum(p: Parser): Statement {
  const start = p.expect("VACUUM").start;
  const schema = p.isNm() ? p.nm() : null;
  const into = p.accept("INTO") ? parseExpr(p) : null;
  return { kind: "Vacuum", schema, into, start, end: p.lastEnd };
}
