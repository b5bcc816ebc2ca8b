// Entry points of the SQL front end: one statement, a whole script, a lone
// expression. Dispatches on the first keyword of each statement to the
// grammar files and enforces statement boundaries (`;` or end of input).

import { SqliteError } from "../errors.js";
import type { Expr, ScriptStatement, Statement } from "./ast.js";
import { parseAlterTable, parseCreate, parseDrop } from "./parse-ddl.js";
import { parseDelete, parseInsert, parseUpdate } from "./parse-dml.js";
import { parseExpr } from "./parse-expr.js";
import {
  parseAnalyzeOrReindex,
  parseAttach,
  parseBegin,
  parseCommit,
  parseDetach,
  parsePragma,
  parseRelease,
  parseRollback,
  parseSavepoint,
  parseVacuum,
} from "./parse-misc.js";
import { parseSelect, parseSelectBodyAndTail, parseWith } from "./parse-select.js";
import { Parser } from "./parser-core.js";
import { tokenize } from "./tokenizer.js";

export { isComplete } from "./complete.js";

/**
 * Parses exactly one statement (a trailing `;` and comments are allowed).
 * Throws SqliteError with SQLite's message and the offset of the error; an
 * empty text or a second statement is SQLITE_MISUSE (use parseScript).
 */
export function parseStatement(sql: string): Statement {
  return parseStatementInfo(sql).statement;
}

/** Like parseStatement, also returning the statement's span, text and bind parameters. */
export function parseStatementInfo(sql: string): ScriptStatement {
  const all = parseScript(sql);
  if (all.length !== 1) {
    const message = all.length === 0 ? "no SQL statement in the text" : "more than one SQL statement in the text";
    throw new SqliteError(message, "SQLITE_MISUSE", all.length === 0 ? 0 : all[1].start);
  }
  return all[0];
}

/** Splits and parses a script; empty statements and comments are skipped. */
export function parseScript(sql: string): ScriptStatement[] {
  return [...iterateScript(sql)];
}

/**
 * Parses a script lazily, one statement at a time, so that a caller (exec)
 * can run the statements before a syntax error later in the text, as SQLite does.
 */
export function* iterateScript(sql: string): Generator<ScriptStatement> {
  const { tokens } = tokenize(sql);
  const p = new Parser(sql, tokens);
  for (;;) {
    while (p.accept(";"));
    if (p.is("EOF")) return;
    p.resetParameters();
    const statement = guardStack(() => parseCommand(p));
    if (!p.is(";") && !p.is("EOF")) throw p.syntaxError();
    const { start, end } = statement;
    yield { statement, start, end, text: sql.slice(start, end), parameters: p.parameterInfo() };
  }
}

/** Parses a lone expression (DEFAULT / CHECK / generated-column texts). */
export function parseExpression(sql: string): Expr {
  const { tokens } = tokenize(sql);
  const p = new Parser(sql, tokens);
  const expr = guardStack(() => parseExpr(p));
  if (!p.is("EOF")) throw p.syntaxError();
  return expr;
}

/**
 * Runs a parse, turning a JavaScript stack overflow (input nested beyond what
 * the depth limit catches, e.g. on a small stack) into SQLite's message.
 */
function guardStack<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError) throw new SqliteError("Recursion limit", "SQLITE_ERROR");
    throw e;
  }
}

/** One statement, starting at the current token (not `;` or EOF). */
function parseCommand(p: Parser): Statement {
  const t = p.cur;
  switch (t.type) {
    case "EXPLAIN": {
      p.advance();
      let queryPlan = false;
      if (p.accept("QUERY")) {
        p.expect("PLAN");
        queryPlan = true;
      }
      if (p.is("EXPLAIN")) throw p.syntaxError();
      const statement = parseCommand(p);
      return { kind: "Explain", queryPlan, statement, start: t.start, end: statement.end };
    }
    case "SELECT":
    case "VALUES":
      return parseSelect(p);
    case "WITH":
      return parseWithStatement(p);
    case "INSERT":
    case "REPLACE":
      return parseInsert(p, { withClause: null, start: t.start, inTrigger: false });
    case "UPDATE":
      return parseUpdate(p, { withClause: null, start: t.start, inTrigger: false });
    case "DELETE":
      return parseDelete(p, { withClause: null, start: t.start, inTrigger: false });
    case "CREATE":
      return parseCreate(p);
    case "ALTER":
      return parseAlterTable(p);
    case "DROP":
      return parseDrop(p);
    case "BEGIN":
      return parseBegin(p);
    case "COMMIT":
    case "END":
      return parseCommit(p);
    case "ROLLBACK":
      return parseRollback(p);
    case "SAVEPOINT":
      return parseSavepoint(p);
    case "RELEASE":
      return parseRelease(p);
    case "PRAGMA":
      return parsePragma(p);
    case "ATTACH":
      return parseAttach(p);
    case "DETACH":
      return parseDetach(p);
    case "ANALYZE":
    case "REINDEX":
      return parseAnalyzeOrReindex(p);
    case "VACUUM":
      return parseVacuum(p);
    default:
      throw p.syntaxError();
  }
}

/** WITH ... followed by SELECT, INSERT, REPLACE, UPDATE or DELETE. */
function parseWithStatement(p: Parser): Statement {
  const start = p.cur.start;
  const withClause = parseWith(p);
  const ctx = { withClause, start, inTrigger: false };
  switch (p.cur.type) {
    case "INSERT":
    case "REPLACE":
      return parseInsert(p, ctx);
    case "UPDATE":
      return parseUpdate(p, ctx);
    case "DELETE":
      return parseDelete(p, ctx);
    default:
      return parseSelectBodyAndTail(p, withClause, start);
  }
}
