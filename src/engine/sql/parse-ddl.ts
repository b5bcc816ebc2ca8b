// Schema statements other than the CREATE TABLE body: the CREATE dispatcher
// (TABLE, INDEX, VIEW, TRIGGER, VIRTUAL TABLE), ALTER TABLE and DROP.

import type {
  AlterTable,
  AlterTableAction,
  CreateIndex,
  CreateTrigger,
  CreateView,
  CreateVirtualTable,
  Drop,
  Ident,
  Statement,
  TriggerStatement,
} from "./ast.js";
import { parseAddCheckConstraint, parseColumnDef, parseCreateTableBody, parseOnConflict } from "./parse-create-table.js";
import { parseDelete, parseInsert, parseUpdate, type DmlContext } from "./parse-dml.js";
import { parseExpr, parseIndexedColumns } from "./parse-expr.js";
import { parseEidList, parseSelect } from "./parse-select.js";
import type { Parser } from "./parser-core.js";

/** `IF NOT EXISTS`, if present. */
function parseIfNotExists(p: Parser): boolean {
  if (!p.accept("IF")) return false;
  p.expect("NOT");
  p.expect("EXISTS");
  return true;
}

/** Any CREATE statement; the current token is CREATE. */
export function parseCreate(p: Parser): Statement {
  const start = p.expect("CREATE").start;
  if (p.accept("VIRTUAL")) return parseCreateVirtualTable(p, start);
  const unique = p.accept("UNIQUE") !== null;
  if (unique || p.is("INDEX")) return parseCreateIndex(p, start, unique);
  const temp = p.accept("TEMP") !== null;
  if (p.accept("TABLE")) {
    const ifNotExists = parseIfNotExists(p);
    const [schema, name] = p.qualifiedName();
    return parseCreateTableBody(p, { start, temp, ifNotExists, schema, name });
  }
  if (p.accept("VIEW")) return parseCreateView(p, start, temp);
  if (p.accept("TRIGGER")) return parseCreateTrigger(p, start, temp);
  throw p.syntaxError();
}

function parseCreateIndex(p: Parser, start: number, unique: boolean): CreateIndex {
  p.expect("INDEX");
  const ifNotExists = parseIfNotExists(p);
  const [schema, name] = p.qualifiedName();
  p.expect("ON");
  const table = p.nm();
  const columns = parseIndexedColumns(p);
  const where = p.accept("WHERE") ? parseExpr(p) : null;
  return { kind: "CreateIndex", unique, ifNotExists, schema, name, table, columns, where, start, end: p.lastEnd };
}

function parseCreateView(p: Parser, start: number, temp: boolean): CreateView {
  const ifNotExists = parseIfNotExists(p);
  const [schema, name] = p.qualifiedName();
  const columns = p.is("(") ? parseEidList(p) : null;
  p.expect("AS");
  const select = parseSelect(p);
  return { kind: "CreateView", temp, ifNotExists, schema, name, columns, select, start, end: p.lastEnd };
}

function parseCreateTrigger(p: Parser, start: number, temp: boolean): CreateTrigger {
  const ifNotExists = parseIfNotExists(p);
  const [schema, name] = p.qualifiedName();
  let timing: CreateTrigger["timing"] = null;
  if (p.accept("BEFORE")) timing = "BEFORE";
  else if (p.accept("AFTER")) timing = "AFTER";
  else if (p.accept("INSTEAD")) {
    p.expect("OF");
    timing = "INSTEAD OF";
  }
  let event: CreateTrigger["event"];
  let updateOf: Ident[] | null = null;
  if (p.accept("INSERT")) event = "INSERT";
  else if (p.accept("DELETE")) event = "DELETE";
  else {
    p.expect("UPDATE");
    event = "UPDATE";
    if (p.accept("OF")) {
      updateOf = [p.nm()];
      while (p.accept(",")) updateOf.push(p.nm());
    }
  }
  p.expect("ON");
  const [tableSchema, table] = p.qualifiedName();
  let forEachRow = false;
  if (p.accept("FOR")) {
    p.expect("EACH");
    p.expect("ROW");
    forEachRow = true;
  }
  const when = p.accept("WHEN") ? parseExpr(p) : null;
  p.expect("BEGIN");
  const body: TriggerStatement[] = [];
  do {
    body.push(parseTriggerStatement(p));
    p.expect(";");
  } while (!p.is("END"));
  p.advance();
  return {
    kind: "CreateTrigger",
    temp,
    ifNotExists,
    schema,
    name,
    timing,
    event,
    updateOf,
    tableSchema,
    table,
    forEachRow,
    when,
    body,
    start, end: p.lastEnd,
  };
}

function parseTriggerStatement(p: Parser): TriggerStatement {
  const ctx: DmlContext = { withClause: null, start: p.cur.start, inTrigger: true };
  let statement: TriggerStatement;
  switch (p.cur.type) {
    case "INSERT":
    case "REPLACE":
      statement = parseInsert(p, ctx);
      break;
    case "UPDATE":
      statement = parseUpdate(p, ctx);
      break;
    case "DELETE":
      statement = parseDelete(p, ctx);
      break;
    case "SELECT":
    case "VALUES":
    case "WITH":
      return parseSelect(p);
    default:
      throw p.syntaxError();
  }
  if (ctx.triggerError !== undefined) throw p.is(";") ? ctx.triggerError : p.syntaxError();
  return statement;
}

/**
 * CREATE VIRTUAL TABLE ... USING module[(args)]. Arguments are any tokens
 * with balanced parentheses, split at top-level commas and kept as raw text;
 * empty arguments are dropped, as SQLite does.
 */
function parseCreateVirtualTable(p: Parser, start: number): CreateVirtualTable {
  p.expect("TABLE");
  const ifNotExists = parseIfNotExists(p);
  const [schema, name] = p.qualifiedName();
  p.expect("USING");
  const module = p.nm();
  const args: string[] = [];
  if (p.accept("(")) {
    let depth = 0;
    let argStart = -1;
    const flush = (): void => {
      if (argStart >= 0) args.push(p.sql.slice(argStart, p.lastEnd));
      argStart = -1;
    };
    for (;;) {
      const t = p.cur;
      if (t.type === "EOF") throw p.syntaxError();
      if (depth === 0 && (t.type === ")" || t.type === ",")) {
        flush();
        p.advance();
        if (t.type === ")") break;
        continue;
      }
      if (t.type === "(") depth++;
      else if (t.type === ")") depth--;
      if (argStart < 0) argStart = t.start;
      p.advance();
    }
  }
  return { kind: "CreateVirtualTable", ifNotExists, schema, name, module, args, start, end: p.lastEnd };
}

/** ALTER TABLE; the current token is ALTER. */
export function parseAlterTable(p: Parser): AlterTable {
  const start = p.expect("ALTER").start;
  p.expect("TABLE");
  const [schema, table] = p.qualifiedName();
  const actionStart = p.cur.start;
  let action: AlterTableAction;
  if (p.accept("RENAME")) {
    if (p.accept("TO")) {
      action = { kind: "RenameTable", newName: p.nm(), start: actionStart, end: p.lastEnd };
    } else {
      p.accept("COLUMN");
      const column = p.nm();
      p.expect("TO");
      action = { kind: "RenameColumn", column, newName: p.nm(), start: actionStart, end: p.lastEnd };
    }
  } else if (p.accept("ADD")) {
    if (p.is("CONSTRAINT") || p.is("CHECK")) {
      action = { kind: "AddConstraint", constraint: parseAddCheckConstraint(p), start: actionStart, end: p.lastEnd };
    } else {
      p.accept("COLUMN");
      action = { kind: "AddColumn", column: parseColumnDef(p), start: actionStart, end: p.lastEnd };
    }
  } else if (p.accept("ALTER")) {
    p.accept("COLUMN");
    const column = p.nm();
    let notNull = false;
    let onConflict = null;
    if (p.accept("SET")) {
      notNull = true;
      p.expect("NOT");
      p.expect("NULL");
      onConflict = parseOnConflict(p);
    } else {
      p.expect("DROP");
      p.expect("NOT");
      p.expect("NULL");
    }
    action = { kind: "AlterColumnNotNull", column, notNull, onConflict, start: actionStart, end: p.lastEnd };
  } else {
    p.expect("DROP");
    if (p.accept("CONSTRAINT")) {
      action = { kind: "DropConstraint", name: p.nm(), start: actionStart, end: p.lastEnd };
    } else {
      p.accept("COLUMN");
      action = { kind: "DropColumn", column: p.nm(), start: actionStart, end: p.lastEnd };
    }
  }
  return { kind: "AlterTable", schema, table, action, start, end: p.lastEnd };
}

/** DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] [schema.]name; the current token is DROP. */
export function parseDrop(p: Parser): Drop {
  const start = p.expect("DROP").start;
  const t = p.cur.type;
  if (t !== "TABLE" && t !== "INDEX" && t !== "VIEW" && t !== "TRIGGER") throw p.syntaxError();
  p.advance();
  let ifExists = false;
  if (p.accept("IF")) {
    p.expect("EXISTS");
    ifExists = true;
  }
  const [schema, name] = p.qualifiedName();
  return { kind: "Drop", objectType: t, ifExists, schema, name, start, end: p.lastEnd };
}
