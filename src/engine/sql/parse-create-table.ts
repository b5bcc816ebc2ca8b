// CREATE TABLE: column definitions with every column constraint, table
// constraints, foreign-key clauses, table options (WITHOUT ROWID, STRICT)
// and CREATE TABLE ... AS SELECT. Column definitions are shared with
// ALTER TABLE ADD COLUMN.

import type {
  CheckConstraint,
  ColumnConstraint,
  ColumnDef,
  ConflictAction,
  CreateTable,
  Expr,
  ForeignKeyAction,
  ForeignKeyClause,
  Ident,
  TableConstraint,
} from "./ast.js";
import { parseExpr, parseIndexedColumnItems, parseIndexedColumns, parseTypeName, parseDirection } from "./parse-expr.js";
import { parseConflictAction } from "./parse-dml.js";
import { parseEidList, parseSelect } from "./parse-select.js";
import type { Parser } from "./parser-core.js";
import type { TokenType } from "./tokenizer.js";

/** Header fields of CREATE [TEMP] TABLE [IF NOT EXISTS] name, parsed by the caller. */
export interface CreateTableHead {
  start: number;
  temp: boolean;
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
}

/** The rest of CREATE TABLE after its name: `(columns, constraints) options` or `AS select`. */
export function parseCreateTableBody(p: Parser, head: CreateTableHead): CreateTable {
  const base = { kind: "CreateTable" as const, ...head };
  if (p.accept("AS")) {
    const asSelect = parseSelect(p);
    return {
      ...base,
      columns: [],
      constraints: [],
      withoutRowid: false,
      strict: false,
      asSelect,
      start: head.start, end: p.lastEnd,
    };
  }
  p.expect("(");
  const columns: ColumnDef[] = [parseColumnDef(p)];
  const constraints: TableConstraint[] = [];
  while (p.accept(",")) {
    if (TABLE_CONSTRAINT_START.has(p.cur.type)) {
      parseTableConstraints(p, constraints);
      break;
    }
    columns.push(parseColumnDef(p));
  }
  p.expect(")");
  const options = parseTableOptions(p);
  const { withoutRowid, strict } = options;
  return { ...base, columns, constraints, withoutRowid, strict, asSelect: null, start: head.start, end: p.lastEnd };
}

/**
 * `[option] [, option]...` after the column list (SQLite's grammar allows an
 * empty first option). An unknown option is reported when the statement
 * ends, as SQLite reports it when reducing the option list; a syntax error
 * later in the text wins.
 */
function parseTableOptions(p: Parser): { withoutRowid: boolean; strict: boolean } {
  const options = { withoutRowid: false, strict: false };
  const unknown: Ident[] = [];
  const parseOption = (): void => {
    const without = p.accept("WITHOUT") !== null;
    const word = p.nm();
    const name = word.name.toLowerCase();
    if (without && name === "rowid") options.withoutRowid = true;
    else if (!without && name === "strict") options.strict = true;
    else unknown.push(word);
  };
  if (p.isNm()) parseOption();
  while (p.accept(",")) parseOption();
  if (unknown.length > 0) {
    if (!p.is(";") && !p.is("EOF")) throw p.syntaxError();
    throw p.error(`unknown table option: ${unknown[0].name}`, unknown[0].start);
  }
  return options;
}

const TABLE_CONSTRAINT_START = new Set<TokenType>(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

/** Tokens that may start another column constraint. */
const COLUMN_CONSTRAINT_START = new Set<TokenType>([
  "CONSTRAINT", "DEFAULT", "NULL", "NOT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "COLLATE",
  "GENERATED", "AS", "DEFERRABLE",
]);

/**
 * Whether the current token may follow a column constraint: another
 * constraint, or the end of the column (`,` `)` inside CREATE TABLE; the end
 * of the statement in ALTER TABLE ADD COLUMN).
 */
function isColumnDefFollower(p: Parser): boolean {
  const t = p.cur.type;
  if (COLUMN_CONSTRAINT_START.has(t)) return true;
  const inTable = p.openParens() > 0;
  return inTable ? t === "," || t === ")" : t === ";" || t === "EOF";
}

/** `name [type] [constraint ...]`. */
export function parseColumnDef(p: Parser): ColumnDef {
  const name = p.nm();
  const typeName = parseTypeName(p, true);
  const type = typeName.name === "" ? null : typeName;
  const constraints: ColumnConstraint[] = [];
  let constraintName: Ident | null = null;
  let constraintStart = p.cur.start;
  for (;;) {
    if (constraintName === null) constraintStart = p.cur.start;
    if (p.accept("CONSTRAINT")) {
      constraintName = p.nm();
      continue;
    }
    if (isDeferrableClause(p)) {
      // A standalone DEFERRABLE clause belongs to the preceding REFERENCES.
      const deferrable = parseDeferrable(p);
      const last = constraints[constraints.length - 1];
      if (last?.kind === "ReferencesColumnConstraint") {
        last.foreignKey.deferrable = deferrable;
        last.foreignKey.end = p.lastEnd;
        last.end = p.lastEnd;
      }
      continue;
    }
    const c = parseColumnConstraint(p, constraintName, constraintStart, name);
    if (c === null) break;
    constraints.push(c);
    constraintName = null;
  }
  return { kind: "ColumnDef", name, type, constraints, start: name.start, end: p.lastEnd };
}

function parseColumnConstraint(p: Parser, name: Ident | null, start: number, column: Ident): ColumnConstraint | null {
  switch (p.cur.type) {
    case "PRIMARY": {
      p.advance();
      p.expect("KEY");
      const direction = parseDirection(p);
      const onConflict = parseOnConflict(p);
      const autoincrement = p.accept("AUTOINCREMENT") !== null;
      return { kind: "PrimaryKeyColumnConstraint", name, direction, onConflict, autoincrement, start, end: p.lastEnd };
    }
    case "NOT":
      p.advance();
      p.expect("NULL");
      return { kind: "NotNullColumnConstraint", name, onConflict: parseOnConflict(p), start, end: p.lastEnd };
    case "NULL":
      p.advance();
      return { kind: "NullColumnConstraint", name, onConflict: parseOnConflict(p), start, end: p.lastEnd };
    case "UNIQUE":
      p.advance();
      return { kind: "UniqueColumnConstraint", name, onConflict: parseOnConflict(p), start, end: p.lastEnd };
    case "CHECK":
      p.advance();
      return { kind: "CheckConstraint", name, expr: parseParenExpr(p), start, end: p.lastEnd };
    case "DEFAULT":
      return parseDefault(p, name, start);
    case "COLLATE":
      p.advance();
      return { kind: "CollateColumnConstraint", name, collation: p.ids(), start, end: p.lastEnd };
    case "REFERENCES":
      return { kind: "ReferencesColumnConstraint", name, foreignKey: parseForeignKeyClause(p, false), start, end: p.lastEnd };
    case "GENERATED":
      p.advance();
      p.expect("ALWAYS");
      return parseGenerated(p, name, start, column);
    case "AS":
      return parseGenerated(p, name, start, column);
    default:
      return null;
  }
}

/** `AS (expr) [STORED|VIRTUAL]`. */
function parseGenerated(p: Parser, name: Ident | null, start: number, column: Ident): ColumnConstraint {
  p.expect("AS");
  const expr = parseParenExpr(p);
  let storage: "STORED" | "VIRTUAL" | null = null;
  if (p.isId()) {
    const word = p.identFrom(p.advance()).name.toUpperCase();
    if (word !== "STORED" && word !== "VIRTUAL") {
      if (!isColumnDefFollower(p)) throw p.syntaxError();
      throw p.error(`error in generated column "${column.name}"`, start);
    }
    storage = word;
  }
  return { kind: "GeneratedColumnConstraint", name, expr, storage, start, end: p.lastEnd };
}

/** DEFAULT (expr) | [+|-] literal | CURRENT_* | identifier. */
function parseDefault(p: Parser, name: Ident | null, start: number): ColumnConstraint {
  p.advance();
  if (p.is("(")) {
    return { kind: "DefaultColumnConstraint", name, expr: parseParenExpr(p), parenthesized: true, start, end: p.lastEnd };
  }
  const sign = p.is("+") || p.is("-") ? p.advance() : null;
  const t = p.cur;
  let expr: Expr;
  switch (t.type) {
    case "INTEGER":
    case "FLOAT":
      p.advance();
      expr = p.numberLiteral(t, sign?.type === "-");
      break;
    case "STRING":
      p.advance();
      expr = p.stringLiteral(t);
      break;
    case "BLOB":
      p.advance();
      expr = p.blobLiteral(t);
      break;
    case "NULL":
      p.advance();
      expr = { kind: "NullLiteral", start: t.start, end: t.end };
      break;
    case "CURRENT_TIME":
    case "CURRENT_DATE":
    case "CURRENT_TIMESTAMP":
      p.advance();
      expr = { kind: "CurrentTimeLiteral", which: t.type, start: t.start, end: t.end };
      break;
    default: {
      if (sign !== null || !p.isId()) throw p.syntaxError();
      const column = p.identFrom(p.advance());
      expr = { kind: "ColumnRef", schema: null, table: null, column, start: t.start, end: t.end };
    }
  }
  if (sign !== null) {
    expr = { kind: "UnaryExpr", op: sign.type === "-" ? "-" : "+", operand: expr, start: sign.start, end: expr.end };
  }
  return { kind: "DefaultColumnConstraint", name, expr, parenthesized: false, start, end: p.lastEnd };
}

/** `[CONSTRAINT name] CHECK (expr) [ON CONFLICT action]` of ALTER TABLE ADD. */
export function parseAddCheckConstraint(p: Parser): CheckConstraint {
  const start = p.cur.start;
  const name = p.accept("CONSTRAINT") ? p.nm() : null;
  p.expect("CHECK");
  const expr = parseParenExpr(p);
  parseOnConflict(p);
  return { kind: "CheckConstraint", name, expr, start, end: p.lastEnd };
}

/** `( expr )` returning the inner expression (its span excludes the parentheses). */
function parseParenExpr(p: Parser): Expr {
  p.expect("(");
  const expr = parseExpr(p);
  p.expect(")");
  return expr;
}

/** `ON CONFLICT action`, or null. */
export function parseOnConflict(p: Parser): ConflictAction | null {
  if (!p.accept("ON")) return null;
  p.expect("CONFLICT");
  return parseConflictAction(p);
}

/** Table constraints, separated by optional commas, up to the closing `)`. */
function parseTableConstraints(p: Parser, out: TableConstraint[]): void {
  let name: Ident | null = null;
  let start = p.cur.start;
  for (;;) {
    if (name === null) start = p.cur.start;
    const t = p.cur.type;
    if (t === "CONSTRAINT") {
      p.advance();
      name = p.nm();
    } else if (t === "PRIMARY") {
      p.advance();
      p.expect("KEY");
      p.expect("(");
      const columns = parseIndexedColumnItems(p);
      const autoincrement = p.accept("AUTOINCREMENT") !== null;
      p.expect(")");
      const onConflict = parseOnConflict(p);
      out.push({ kind: "PrimaryKeyTableConstraint", name, columns, autoincrement, onConflict, start, end: p.lastEnd });
      name = null;
    } else if (t === "UNIQUE") {
      p.advance();
      const columns = parseIndexedColumns(p);
      const onConflict = parseOnConflict(p);
      out.push({ kind: "UniqueTableConstraint", name, columns, onConflict, start, end: p.lastEnd });
      name = null;
    } else if (t === "CHECK") {
      p.advance();
      const expr = parseParenExpr(p);
      parseOnConflict(p);
      out.push({ kind: "CheckConstraint", name, expr, start, end: p.lastEnd });
      name = null;
    } else if (t === "FOREIGN") {
      p.advance();
      p.expect("KEY");
      const columns = parseEidList(p);
      const foreignKey = parseForeignKeyClause(p, true);
      out.push({ kind: "ForeignKeyTableConstraint", name, columns, foreignKey, start, end: p.lastEnd });
      name = null;
    } else if (t === ")") {
      return;
    } else if (!p.accept(",")) {
      throw p.syntaxError();
    }
  }
}

/**
 * `REFERENCES table [(cols)] [ON DELETE|UPDATE|INSERT action | MATCH name]... [deferrable]`.
 * In a table constraint a NOT can only start NOT DEFERRABLE; in a column it
 * may also start the next constraint (NOT NULL).
 */
function parseForeignKeyClause(p: Parser, inTableConstraint: boolean): ForeignKeyClause {
  const start = p.expect("REFERENCES").start;
  const table = p.nm();
  const columns = p.is("(") ? parseEidList(p) : null;
  let onDelete: ForeignKeyAction | null = null;
  let onUpdate: ForeignKeyAction | null = null;
  let match: Ident | null = null;
  for (;;) {
    if (p.accept("MATCH")) {
      match = p.nm();
    } else if (p.accept("ON")) {
      const event = p.cur.type;
      if (event !== "DELETE" && event !== "UPDATE" && event !== "INSERT") throw p.syntaxError();
      p.advance();
      const action = parseForeignKeyAction(p);
      if (event === "DELETE") onDelete = action;
      else if (event === "UPDATE") onUpdate = action;
    } else {
      break;
    }
  }
  const deferrable = isDeferrableClause(p) || (inTableConstraint && p.is("NOT")) ? parseDeferrable(p) : null;
  return { kind: "ForeignKeyClause", table, columns, onDelete, onUpdate, match, deferrable, start, end: p.lastEnd };
}

function parseForeignKeyAction(p: Parser): ForeignKeyAction {
  if (p.accept("SET")) {
    if (p.accept("NULL")) return "SET NULL";
    p.expect("DEFAULT");
    return "SET DEFAULT";
  }
  if (p.accept("CASCADE")) return "CASCADE";
  if (p.accept("RESTRICT")) return "RESTRICT";
  p.expect("NO");
  p.expect("ACTION");
  return "NO ACTION";
}

function isDeferrableClause(p: Parser): boolean {
  return p.is("DEFERRABLE") || (p.is("NOT") && p.peek().type === "DEFERRABLE");
}

function parseDeferrable(p: Parser): ForeignKeyClause["deferrable"] {
  const not = p.accept("NOT") !== null;
  p.expect("DEFERRABLE");
  let initially: "DEFERRED" | "IMMEDIATE" | null = null;
  if (p.accept("INITIALLY")) {
    if (p.accept("DEFERRED")) initially = "DEFERRED";
    else if (p.expect("IMMEDIATE")) initially = "IMMEDIATE";
  }
  return { not, initially };
}
