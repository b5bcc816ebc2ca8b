// The text edits of SQLite 3.5x's constraint forms of ALTER TABLE:
// ADD [CONSTRAINT name] CHECK (...), DROP CONSTRAINT name, and ALTER COLUMN c
// SET NOT NULL / DROP NOT NULL. Each returns the new CREATE TABLE text or
// throws SQLite's error; alter.ts checks existing rows and writes the schema.
import { SqliteError } from "../errors.js";
import { foldName } from "../schema/schema.js";
import type { ColumnConstraint, CreateTable, Span, TableConstraint } from "../sql/ast.js";
import { parseStatement } from "../sql/parse.js";
import { tokenize } from "../sql/tokenizer.js";

/**
 * Removes a constraint's text as SQLite does: from the end of the token
 * before it to the start of the token after it, leaving one space between
 * words (none before a comma or the closing parenthesis). A table
 * constraint goes with the comma before it.
 */
function removeSpan(sql: string, span: Span, withCommaBefore: boolean): string {
  const tokens = tokenize(sql).tokens;
  let before = tokens.filter((t) => t.end <= span.start);
  if (withCommaBefore && before.length > 0 && before[before.length - 1].type === ",") before = before.slice(0, -1);
  const prevEnd = before.length > 0 ? before[before.length - 1].end : 0;
  const next = tokens.find((t) => t.start >= span.end);
  const nextStart = next ? next.start : sql.length;
  const glue = next && (next.type === "," || next.type === ")") ? "" : " ";
  return sql.slice(0, prevEnd) + glue + sql.slice(nextStart);
}

function columnDef(ast: CreateTable, name: string) {
  const def = ast.columns.find((c) => foldName(c.name.name) === foldName(name));
  if (!def) throw new SqliteError(`no such column: ${name}`);
  return def;
}

/** `ALTER COLUMN c DROP NOT NULL`: the column's first NOT NULL goes (none: the text stays). */
export function dropNotNull(sql: string, column: string): string {
  const def = columnDef(parseStatement(sql) as CreateTable, column);
  const notNull = def.constraints.find((c) => c.kind === "NotNullColumnConstraint");
  return notNull ? removeSpan(sql, notNull, false) : sql;
}

/**
 * `ALTER COLUMN c SET NOT NULL [ON CONFLICT ...]`: replaces any NOT NULL of
 * the column; `text` (the clause as the statement spelled it) is appended at
 * the definition's end.
 */
export function setNotNull(sql: string, column: string, text: string): string {
  const without = dropNotNull(sql, column);
  const def = columnDef(parseStatement(without) as CreateTable, column);
  return `${without.slice(0, def.end)} ${text}${without.slice(def.end)}`;
}

/** Every named constraint of the table, column constraints first. */
function namedConstraints(ast: CreateTable): (ColumnConstraint | TableConstraint)[] {
  return [...ast.columns.flatMap((c) => c.constraints), ...ast.constraints].filter((c) => c.name !== null);
}

/** `ADD [CONSTRAINT name] CHECK (...)`: the text goes before the closing parenthesis of the definition. */
export function addCheck(sql: string, name: string | null, text: string): string {
  const ast = parseStatement(sql) as CreateTable;
  if (name !== null && namedConstraints(ast).some((c) => foldName(c.name?.name ?? "") === foldName(name))) {
    throw new SqliteError(`constraint ${name} already exists`);
  }
  const lastPart: Span = ast.constraints[ast.constraints.length - 1] ?? ast.columns[ast.columns.length - 1];
  const close = tokenize(sql).tokens.find((t) => t.start >= lastPart.end && t.type === ")");
  if (!close) throw new SqliteError(`malformed table definition: ${ast.name.name}`, "SQLITE_CORRUPT");
  return `${sql.slice(0, close.start)}, ${text}${sql.slice(close.start)}`;
}

/**
 * `DROP CONSTRAINT name`: a CHECK, NOT NULL or foreign key goes entirely; PRIMARY KEY and
 * UNIQUE cannot be dropped; of any other constraint only its name goes.
 */
export function dropConstraint(sql: string, name: string): string {
  const ast = parseStatement(sql) as CreateTable;
  const found = namedConstraints(ast).find((c) => foldName(c.name?.name ?? "") === foldName(name));
  if (!found || !found.name) throw new SqliteError(`no such constraint: ${name}`);
  switch (found.kind) {
    case "PrimaryKeyColumnConstraint":
    case "PrimaryKeyTableConstraint":
    case "UniqueColumnConstraint":
    case "UniqueTableConstraint":
      throw new SqliteError(`constraint may not be dropped: ${name}`);
    case "CheckConstraint":
    case "NotNullColumnConstraint":
    case "ForeignKeyTableConstraint":
    case "ReferencesColumnConstraint":
      return removeSpan(sql, found, ast.constraints.includes(found as TableConstraint));
    default: {
      // `CONSTRAINT name` is followed by the constraint's own first word.
      const nameEnd = found.name.end;
      return removeSpan(sql, { start: found.start, end: nameEnd }, false);
    }
  }
}
