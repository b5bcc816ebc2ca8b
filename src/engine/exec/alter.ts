// ALTER TABLE: RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN (and
// SQLite 3.5x's constraint forms, whose text edits live in alter-constraints.ts), with
// SQLite's checks, error messages and rewriting of the stored CREATE texts.
// Names are rewritten token by token (RefFinder finds them by re-parsing
// every schema object, as SQLite 3.26+ does), so the rest of each text stays
// exactly as the user wrote it. Every form bumps the schema cookie. All
// checks run before the first write, so an error leaves the database as it was.
import { SCHEMA_ROOT, decodeRecord, encodeRecord, type WriteTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { checkGeneratedColumns, GENERATED_WITHOUT_ROWID, storedColumnPositions } from "../plan/generated-columns.js";
import { buildTable } from "../schema/build-table.js";
import { buildSchema, type SchemaRow } from "../schema/load-schema.js";
import { foldName, type Schema, type Table } from "../schema/schema.js";
import type { AlterTable, AlterTableAction, ColumnDef, CreateTable, Ident, Statement } from "../sql/ast.js";
import { parseStatement } from "../sql/parse.js";
import { tokenize } from "../sql/tokenizer.js";
import { strictValue } from "../value/affinity.js";
import { findCollation } from "../value/collation.js";
import type { SqlValue } from "../value/types.js";
import { addCheck, dropConstraint, dropNotNull, setNotNull } from "./alter-constraints.js";
import { constantDefault, shortRecordDefaults } from "./alter-defaults.js";
import { applyEdits, quoteFixEdits, RefFinder, renameEdits, type TokenEdit } from "./alter-refs.js";
import { PlanCollector, type CompileEnv } from "./compile-env.js";
import { compileExpr } from "./compile-expr.js";
import { rowScope, rowWriter, tableExprContext } from "./dml-target.js";
import { rowidOf, type RowKey, type RowWriter } from "./row-writer.js";
import { forEachStoredRow } from "./stored-rows.js";
import { entryComparator } from "./without-rowid-keys.js";
import { primaryKeyIndex, storageOrder } from "../schema/without-rowid.js";
import type { StatementProgram } from "./program.js";
import { ArrayRowSlot } from "./row-slot.js";
import { compileQuery } from "./select.js";
import { checkTriggerResolves } from "./trigger-check.js";

/** A row of sqlite_schema with its rowid, as read for rewriting. */
interface SchemaEntry {
  rowid: number | bigint;
  type: string;
  name: string;
  tableName: string;
  rootPage: SqlValue;
  sql: string | null;
}

type Action<K extends AlterTableAction["kind"]> = Extract<AlterTableAction, { kind: K }>;

export function compileAlterTable(stmt: AlterTable, env: CompileEnv): StatementProgram {
  // Tessera has no temp or attached schemas: only main holds tables.
  if (stmt.schema && foldName(stmt.schema.name) !== "main") throw new SqliteError(`no such table: ${stmt.schema.name}.${stmt.table.name}`);
  const action = stmt.action;
  switch (action.kind) {
    case "RenameTable":
      return renameTable(stmt.table, action, env, stmt.schema !== null);
    case "RenameColumn":
      return renameColumn(stmt.table, action, env, stmt.schema !== null);
    case "AddColumn":
      return addColumn(stmt.table, action, env, stmt.schema !== null);
    case "DropColumn":
      return dropColumn(stmt.table, action, env, stmt.schema !== null);
    default:
      return alterConstraint(stmt.table, action, env, stmt.schema !== null);
  }
}

function schemaProgram(run: (tx: WriteTransaction) => void, env: CompileEnv): StatementProgram {
  return {
    columns: [],
    writes: true,
    changesSchema: true,
    run: () => {
      const tx = env.writeTx();
      run(tx);
      tx.setHeader("schemaCookie", tx.getHeader("schemaCookie") + 1);
    },
  };
}

/** The table or view ALTER TABLE names ("no such table" otherwise, qualified when the statement was). */
function locate(env: CompileEnv, name: Ident, qualified: boolean): Table | "view" {
  const table = env.schema.table(name.name);
  if (table) return table;
  if (env.schema.view(name.name)) return "view";
  throw new SqliteError(`no such table: ${qualified ? "main." : ""}${name.name}`);
}

/** SQLite refuses to alter its own tables (and calls sqlite_schema by its old name here). */
function checkAlterable(name: string): void {
  const key = foldName(name);
  if (key === "sqlite_schema" || key === "sqlite_master") throw new SqliteError("table sqlite_master may not be altered");
  if (key.startsWith("sqlite_")) throw new SqliteError(`table ${name} may not be altered`);
}

/** A table the form can change (rowid or WITHOUT ROWID); views get the form's own message. */
function realTable(env: CompileEnv, name: Ident, qualified: boolean, viewMessage: string): Table {
  const found = locate(env, name, qualified);
  checkAlterable(found === "view" ? name.name : found.name);
  if (found === "view") throw new SqliteError(viewMessage);
  return found;
}

/** The column an ALTER statement names; SQLite's error quotes the name token as written (`"x"` becomes `""x""`). */
function columnIndex(env: CompileEnv, table: Table, name: Ident): number {
  const i = table.columns.findIndex((c) => foldName(c.name) === foldName(name.name));
  if (i < 0) throw new SqliteError(`no such column: "${env.source.slice(name.start, name.end)}"`);
  return i;
}

function readSchema(tx: WriteTransaction): SchemaEntry[] {
  const entries: SchemaEntry[] = [];
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      const sql = r.column(4);
      entries.push({
        rowid: c.rowid(),
        type: String(r.column(0)),
        name: String(r.column(1)),
        tableName: String(r.column(2)),
        rootPage: r.column(3),
        sql: typeof sql === "string" ? sql : null,
      });
    }
  } finally {
    c.close();
  }
  return entries;
}

/** Writes back the entries that changed (compared with `before`). */
function writeSchema(tx: WriteTransaction, before: SchemaEntry[], after: SchemaEntry[]): void {
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    after.forEach((e, i) => {
      const b = before[i];
      if (e.name === b.name && e.tableName === b.tableName && e.sql === b.sql) return;
      c.insert(e.rowid, encodeRecord([e.type, e.name, e.tableName, e.rootPage, e.sql]));
    });
  } finally {
    c.close();
  }
}

/** Schema objects whose text SQLite re-parses and rewrites: everything but its own sqlite_ objects. */
function userObject(e: SchemaEntry): e is SchemaEntry & { sql: string } {
  return e.sql !== null && !foldName(e.name).startsWith("sqlite_");
}

function parsed(e: SchemaEntry & { sql: string }): Statement {
  return parseStatement(e.sql);
}

/**
 * SQLite checks that the views and triggers resolve before it renames or
 * drops anything, and again over the rewritten schema (renameTestSchema): a
 * view over a dropped table, a trigger naming a missing column, or one the
 * rewrite broke, stops the ALTER (which then changes nothing).
 */
function checkSchemaResolves(env: CompileEnv, schema: Schema = env.schema, when = ""): void {
  // Compiled only to see that they resolve: their plan rows must not show in EXPLAIN QUERY PLAN of the ALTER.
  const checkEnv: CompileEnv = { ...env, schema, ctes: null, outer: null, plan: new PlanCollector() };
  const check = (kind: string, name: string, compile: () => void): void => {
    try {
      compile();
    } catch (e) {
      // Names in stored objects are bound to their schema, so SQLite reports them qualified.
      const message = (e as Error).message.replace(/^no such table: (?!main\.)/, "no such table: main.");
      if (!(e instanceof SqliteError)) throw e;
      throw new SqliteError(`error in ${kind} ${name}${when}: ${message}`);
    }
  };
  for (const view of schema.allViews()) check("view", view.name, () => compileQuery(view.select, { ...checkEnv, source: view.sql }, null));
  for (const trigger of schema.allTriggers()) check("trigger", trigger.name, () => checkTriggerResolves(checkEnv, trigger));
}

/** The views and triggers of the rewritten schema must still resolve. */
function checkSchemaAfterRename(env: CompileEnv, tx: WriteTransaction, after: SchemaEntry[]): void {
  const rows: SchemaRow[] = after.map((e) => ({ type: e.type, name: e.name, tableName: e.tableName, rootPage: Number(e.rootPage ?? 0), sql: e.sql }));
  checkSchemaResolves(env, buildSchema(rows, tx.getHeader("schemaCookie")), " after rename");
}

/**
 * Before RENAME COLUMN and DROP COLUMN, SQLite rewrites every double-quoted
 * word that is really a string (it names no column) as a 'single-quoted'
 * string (renameFixQuotes), so that the change cannot make it a column.
 */
function quoteFixes(env: CompileEnv, stmt: Statement): TokenEdit[] {
  // Walk each object as the owner of its own expressions.
  const owner = stmt.kind === "CreateTable" ? stmt.name.name : stmt.kind === "CreateIndex" ? stmt.table.name : "";
  return quoteFixEdits(new RefFinder(env.schema, owner, null).visit(stmt).doubleQuotedStrings);
}

// ---------------------------------------------------------------------------
// RENAME TO (SQLite writes the new table name double-quoted everywhere)

function renameTable(name: Ident, action: Action<"RenameTable">, env: CompileEnv, qualified: boolean): StatementProgram {
  const found = locate(env, name, qualified);
  const newName = action.newName.name;
  if (env.schema.table(newName) || env.schema.view(newName) || env.schema.index(newName)) {
    throw new SqliteError(`there is already another table or index with this name: ${newName}`);
  }
  checkAlterable(found === "view" ? name.name : found.name);
  if (foldName(newName).startsWith("sqlite_")) throw new SqliteError(`object name reserved for internal use: ${newName}`);
  if (found === "view") throw new SqliteError(`view ${name.name} may not be altered`);
  checkSchemaResolves(env);
  const oldName = found.name;
  return schemaProgram((tx) => {
    const before = readSchema(tx);
    const after = before.map((e) => {
      const sql = userObject(e) ? applyEdits(e.sql, renameEdits(e.sql, new RefFinder(env.schema, oldName, null).visit(parsed(e)).tableRefs, newName, true)) : e.sql;
      if (foldName(e.tableName) !== foldName(oldName) || !["table", "index", "trigger"].includes(e.type)) return { ...e, sql };
      let entryName = e.name;
      if (e.type === "table") entryName = newName;
      else if (e.type === "index" && foldName(e.name).startsWith("sqlite_autoindex")) entryName = `sqlite_autoindex_${newName}${e.name.slice(oldName.length + 17)}`;
      return { ...e, name: entryName, tableName: newName, sql };
    });
    checkSchemaAfterRename(env, tx, after);
    writeSchema(tx, before, after);
    renameSequenceRow(tx, env, oldName, newName);
  }, env);
}

/** The sqlite_sequence row of an AUTOINCREMENT table follows its name (matched exactly, as SQLite does). */
function renameSequenceRow(tx: WriteTransaction, env: CompileEnv, oldName: string, newName: string): void {
  const seq = env.schema.table("sqlite_sequence");
  if (!seq) return;
  const c = tx.openTable(seq.rootPage);
  try {
    const renamed: [number | bigint, SqlValue[]][] = [];
    for (let ok = c.first(); ok; ok = c.next()) {
      const values = decodeRecord(c.record().bytes());
      if (values[0] === oldName) renamed.push([c.rowid(), [newName, ...values.slice(1)]]);
    }
    for (const [rowid, values] of renamed) c.insert(rowid, encodeRecord(values));
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------------------
// RENAME COLUMN

const ROWID_NAMES = new Set(["rowid", "oid", "_rowid_"]);

function renameColumn(name: Ident, action: Action<"RenameColumn">, env: CompileEnv, qualified: boolean): StatementProgram {
  const table = realTable(env, name, qualified, `cannot rename columns of view "${name.name}"`);
  const i = columnIndex(env, table, action.column);
  const newName = action.newName.name;
  if (ROWID_NAMES.has(foldName(newName))) throw new SqliteError(`cannot rename to rowid alias: ${newName}`);
  checkSchemaResolves(env);
  const clash = table.columns.findIndex((c, j) => j !== i && foldName(c.name) === foldName(newName));
  if (clash >= 0) {
    // The re-parsed text names whichever of the two comes second.
    const second = clash > i ? table.columns[clash].name : newName;
    throw new SqliteError(`error in table ${table.name} after rename: duplicate column name: ${second}`);
  }
  const oldColumn = table.columns[i].name;
  const quoted = action.newName.quote !== "none";
  return schemaProgram((tx) => {
    const before = readSchema(tx);
    const after = before.map((e) => {
      if (!userObject(e)) return e;
      const ast = parsed(e);
      const refs = new RefFinder(env.schema, table.name, oldColumn).visit(ast).columnRefs;
      const edits = [...quoteFixes(env, ast), ...renameEdits(e.sql, refs, newName, quoted)];
      return { ...e, sql: applyEdits(e.sql, edits) };
    });
    checkSchemaAfterRename(env, tx, after);
    writeSchema(tx, before, after);
  }, env);
}

// ---------------------------------------------------------------------------
// ADD COLUMN

function addColumn(name: Ident, action: Action<"AddColumn">, env: CompileEnv, qualified: boolean): StatementProgram {
  const found = locate(env, name, qualified);
  if (found === "view") throw new SqliteError("Cannot add a column to a view");
  checkAlterable(found.name);
  const def = action.column;
  if (found.columns.some((c) => foldName(c.name) === foldName(def.name.name))) throw new SqliteError(`duplicate column name: ${def.name.name}`);
  checkAddable(def, env);
  if (found.withoutRowid && def.constraints.some((c) => c.kind === "GeneratedColumnConstraint")) throw new SqliteError(GENERATED_WITHOUT_ROWID);
  // SQLite appends the definition as written, up to the statement's end (comments included), before the table constraints or the closing parenthesis.
  const statementEnd = action.end + (tokenize(env.source.slice(action.end)).tokens[0]?.start ?? 0);
  const text = env.source.slice(def.start, statementEnd).trimEnd();
  const offset = addColumnOffset(found.sql);
  const sql = `${found.sql.slice(0, offset)}, ${text}${found.sql.slice(offset)}`;
  let altered: Table;
  let added: Table["columns"][number];
  let verify: RowWriter | null;
  try {
    if (def.constraints.some((c) => c.kind === "CheckConstraint" && containsSubquery(c.expr))) throw new SqliteError("subqueries prohibited in CHECK constraints");
    // The new column comes last, so the table's indexes (its PRIMARY KEY tree included) stay as they are.
    altered = { ...buildTable(parseStatement(sql) as CreateTable, sql, found.rootPage).table, indexes: found.indexes };
    checkGeneratedColumns(altered);
    added = altered.columns[altered.columns.length - 1];
    // Old rows must satisfy the new column's CHECK, NOT NULL (a generated one) and STRICT type through its default or expression (SQLite runs a quick_check).
    verify = def.constraints.some((c) => c.kind === "CheckConstraint") || altered.strict || added.generated ? rowWriter(env, altered, env.writeTx) : null;
  } catch (e) {
    throw new SqliteError(`error in table ${found.name} after add column: ${(e as Error).message}`);
  }
  return schemaProgram((tx) => {
    // A STORED column would need every record rewritten: SQLite refuses it unless the table is empty.
    if (added.generated?.stored && tableHasRows(tx, found)) throw new SqliteError("cannot add a STORED column");
    if (verify) verifyExistingRows(tx, verify);
    const before = readSchema(tx);
    const after = before.map((e) => (e.type === "table" && foldName(e.name) === foldName(found.name) ? { ...e, sql } : e));
    writeSchema(tx, before, after);
  }, env);
}

function containsSubquery(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  if ((node as { kind?: unknown }).kind === "Select") return true;
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some(containsSubquery) : containsSubquery(v)));
}

function tableHasRows(tx: WriteTransaction, table: Table): boolean {
  const c = tx.openTable(table.rootPage);
  try {
    return c.first();
  } finally {
    c.close();
  }
}

/** Calls `visit` with every row of the writer's table as it reads (short records completed with defaults, VIRTUAL columns computed). */
function forEachRow(tx: WriteTransaction, writer: RowWriter, visit: (values: SqlValue[], key: RowKey) => void): void {
  forEachStoredRow(tx, writer.table, (values, key) => {
    writer.fillVirtual(values, rowidOf(key));
    visit(values, key);
  });
}

/** Whether the row satisfies the writer's CHECK constraints. */
function passesChecks(writer: RowWriter, values: SqlValue[], key: RowKey): boolean {
  const slot = writer.candidateSlot();
  slot.row = values;
  slot.rowidValue = rowidOf(key);
  try {
    writer.check(null);
    return true;
  } catch {
    return false;
  }
}

function verifyExistingRows(tx: WriteTransaction, writer: RowWriter): void {
  const table = writer.table;
  const added = table.columns.length - 1;
  const type = table.columns[added].strictType;
  forEachRow(tx, writer, (values, rowid) => {
    if (type) {
      try {
        strictValue(values[added], type, table.name, table.columns[added].name);
      } catch {
        throw new SqliteError("type mismatch on DEFAULT");
      }
    }
    if (!passesChecks(writer, values, rowid)) {
      const column = table.columns[added];
      // SQLite's quick_check names no column here.
      if (column.generated && column.notNull && values[added] === null) throw new SqliteError("NOT NULL constraint failed", "SQLITE_CONSTRAINT_NOTNULL");
      throw new SqliteError("CHECK constraint failed", "SQLITE_CONSTRAINT_CHECK");
    }
  });
}

/** SQLite's restrictions on an added column: old rows must be able to read it without being rewritten. */
function checkAddable(def: ColumnDef, env: CompileEnv): void {
  for (const c of def.constraints) {
    if (c.kind === "CollateColumnConstraint" && !findCollation(c.collation.name)) throw new SqliteError(`no such collation sequence: ${c.collation.name}`);
  }
  const kinds = new Set(def.constraints.map((c) => c.kind));
  if (kinds.has("PrimaryKeyColumnConstraint")) throw new SqliteError("Cannot add a PRIMARY KEY column");
  if (kinds.has("UniqueColumnConstraint")) throw new SqliteError("Cannot add a UNIQUE column");
  const generated = def.constraints.some((c) => c.kind === "GeneratedColumnConstraint");
  const defaultExpr = def.constraints.find((c) => c.kind === "DefaultColumnConstraint")?.expr ?? null;
  const hasDefault = defaultExpr !== null && defaultExpr.kind !== "NullLiteral";
  if (env.settings.foreignKeys && kinds.has("ReferencesColumnConstraint") && hasDefault) {
    throw new SqliteError("Cannot add a REFERENCES column with non-NULL default value");
  }
  if (kinds.has("NotNullColumnConstraint") && !hasDefault && !generated) throw new SqliteError("Cannot add a NOT NULL column with default value NULL");
  if (hasDefault && constantDefault(defaultExpr) === undefined) throw new SqliteError("Cannot add a column with non-constant default");
}

/**
 * Where ADD COLUMN inserts into a stored CREATE TABLE text (SQLite's
 * addColOffset): the comma before the first table constraint, else the
 * closing parenthesis of the column list.
 */
function addColumnOffset(sql: string): number {
  const ast = parseStatement(sql) as CreateTable;
  const lastColumnEnd = ast.columns[ast.columns.length - 1].end;
  const next = tokenize(sql).tokens.find((t) => t.start >= lastColumnEnd);
  if (!next || (next.type !== "," && next.type !== ")")) throw new SqliteError(`malformed table definition: ${ast.name.name}`, "SQLITE_CORRUPT");
  return next.start;
}

// ---------------------------------------------------------------------------
// ADD CHECK, DROP CONSTRAINT, ALTER COLUMN SET/DROP NOT NULL (SQLite 3.5x)

function alterConstraint(
  name: Ident,
  action: Action<"AddConstraint" | "DropConstraint" | "AlterColumnNotNull">,
  env: CompileEnv,
  qualified: boolean,
): StatementProgram {
  const table = realTable(env, name, qualified, `cannot edit constraints of view "${name.name}"`);
  let sql: string;
  // Existing rows must pass what is added; SQLite reports a plain "constraint failed".
  let verify: ((tx: WriteTransaction) => void) | null = null;
  switch (action.kind) {
    case "AddConstraint": {
      const check = action.constraint;
      if (containsSubquery(check.expr)) throw new SqliteError("subqueries prohibited in CHECK constraints");
      // SQLite resolves the expression before it looks at the constraint's name.
      compileExpr(check.expr, { ...tableExprContext(env, table, rowScope(table, table.name, new ArrayRowSlot())), source: env.source });
      // The text runs to the statement's end: up to a `;` with any comments before it, else to its last token.
      const rest = tokenize(env.source.slice(action.end)).tokens[0];
      const end = rest?.type === ";" ? action.end + rest.start : action.end;
      sql = addCheck(table.sql, check.name?.name ?? null, env.source.slice(check.start, end).trimEnd());
      const writer = rowWriter(env, { ...buildTable(parseStatement(sql) as CreateTable, sql, table.rootPage).table, indexes: table.indexes }, env.writeTx);
      verify = (tx) =>
        forEachRow(tx, writer, (values, rowid) => {
          if (!passesChecks(writer, values, rowid)) throw new SqliteError("constraint failed", "SQLITE_CONSTRAINT");
        });
      break;
    }
    case "DropConstraint":
      sql = dropConstraint(table.sql, action.name.name);
      break;
    case "AlterColumnNotNull": {
      if (!action.notNull) {
        sql = dropNotNull(table.sql, action.column.name);
        break;
      }
      // The clause is stored as spelled, from NOT to the statement's last token.
      const clause = tokenize(env.source.slice(action.start, action.end)).tokens.find((t, k, all) => t.type === "NOT" && all[k - 1]?.type === "SET");
      sql = setNotNull(table.sql, action.column.name, env.source.slice(action.start + (clause?.start ?? 0), action.end));
      const i = table.columns.findIndex((c) => foldName(c.name) === foldName(action.column.name));
      const writer = rowWriter(env, table, env.writeTx);
      verify = (tx) =>
        forEachRow(tx, writer, (values) => {
          if (i !== table.rowidAlias && values[i] === null) throw new SqliteError("constraint failed", "SQLITE_CONSTRAINT");
        });
      break;
    }
  }
  buildTable(parseStatement(sql) as CreateTable, sql, table.rootPage);
  return schemaProgram((tx) => {
    verify?.(tx);
    const before = readSchema(tx);
    writeSchema(tx, before, before.map((e) => (e.type === "table" && foldName(e.name) === foldName(table.name) ? { ...e, sql } : e)));
  }, env);
}

// ---------------------------------------------------------------------------
// DROP COLUMN

function dropColumn(name: Ident, action: Action<"DropColumn">, env: CompileEnv, qualified: boolean): StatementProgram {
  const table = realTable(env, name, qualified, `cannot drop column from view "${name.name}"`);
  const i = columnIndex(env, table, action.column);
  const column = table.columns[i];
  const ast = parseStatement(table.sql) as CreateTable;
  if (column.primaryKeyPosition > 0) throw new SqliteError(`cannot drop PRIMARY KEY column: "${column.name}"`);
  if (ast.columns[i].constraints.some((c) => c.kind === "UniqueColumnConstraint")) throw new SqliteError(`cannot drop UNIQUE column: "${column.name}"`);
  if (table.columns.length <= 1) throw new SqliteError(`cannot drop column "${column.name}": no other columns exist`);
  checkSchemaResolves(env);
  const sql = textWithoutColumn(table.sql, ast, i);
  const defaults = shortRecordDefaults(table);
  return schemaProgram((tx) => {
    const before = readSchema(tx);
    checkUsesAfterDrop(env, before, table, column.name, ast, i);
    const after = before.map((e) => {
      if (!userObject(e)) return e;
      const text = e.type === "table" && foldName(e.name) === foldName(table.name) ? sql : e.sql;
      return { ...e, sql: applyEdits(text, quoteFixes(env, parseStatement(text))) };
    });
    writeSchema(tx, before, after);
    rewriteRowsWithout(tx, table, i, defaults);
  }, env);
}

/**
 * SQLite removes the column's text from its name to the next column's name;
 * the last column goes with the comma before it, up to the table
 * constraints or the closing parenthesis.
 */
function textWithoutColumn(sql: string, ast: CreateTable, i: number): string {
  const def = ast.columns[i];
  if (i < ast.columns.length - 1) return sql.slice(0, def.name.start) + sql.slice(ast.columns[i + 1].name.start);
  const comma = sql.lastIndexOf(",", def.name.start);
  return sql.slice(0, comma) + sql.slice(addColumnOffset(sql));
}

/**
 * Refuses the drop when any object still uses the column, with SQLite's
 * "error in <type> <name> after drop column" message. SQLite finds these in
 * two passes over the schema in rowid order: reloading it (tables and
 * indexes only, an unresolved double-quoted word there being a string by the
 * legacy rule), then re-checking every object without that leniency for
 * tables and indexes (views and triggers keep it).
 */
function checkUsesAfterDrop(env: CompileEnv, entries: SchemaEntry[], table: Table, column: string, ast: CreateTable, i: number): void {
  const uses = entries.filter(userObject).map((e) => ({ e, found: usesOfColumn(env, e, table, column, ast, i) }));
  const ddl = (type: string): boolean => type === "table" || type === "index";
  for (const reload of [true, false]) {
    for (const { e, found } of uses) {
      if (!found || (reload && !ddl(e.type))) continue;
      const message = dropError(found, !reload && ddl(e.type));
      if (message) throw new SqliteError(`error in ${e.type} ${e.name} after drop column: ${message}`);
    }
  }
}

interface ColumnUses {
  finder: RefFinder;
  /** Uses in expressions, in text order. */
  exprUses: Ident[];
  /** The first error SQLite raises while parsing the table's own constraint lists, if any. */
  constraintError: string | null;
}

function usesOfColumn(env: CompileEnv, e: SchemaEntry & { sql: string }, table: Table, column: string, ast: CreateTable, i: number): ColumnUses | null {
  const isOwnTable = e.type === "table" && foldName(e.name) === foldName(table.name);
  // Other tables may name the column as a foreign key's parent column: SQLite does not check those.
  if (e.type === "table" && !isOwnTable) return null;
  const finder = new RefFinder(env.schema, table.name, column).visit(isOwnTable ? ast : parsed(e));
  // The dropped definition goes with its own constraints.
  const dropped = ast.columns[i];
  const uses = finder.columnRefs.filter(
    (id) => !finder.nameOnly.has(id) && !finder.aliasFallback.has(id) && !(isOwnTable && id.start >= dropped.start && id.end <= dropped.end),
  );
  if (uses.length === 0) return null;
  let constraintError: string | null = null;
  const inLists = new Set<Ident>();
  if (isOwnTable) {
    for (const c of ast.constraints) {
      if (c.kind === "CheckConstraint") continue;
      const used = c.kind === "ForeignKeyTableConstraint" ? c.columns.filter((id) => uses.includes(id)) : uses.filter((id) => id.start >= c.start && id.end <= c.end);
      used.forEach((id) => inLists.add(id));
      if (used.length > 0 && constraintError === null) {
        // A double-quoted word naming no column is a string there, which a key may not hold.
        if (c.kind === "ForeignKeyTableConstraint") constraintError = `unknown column "${used[0].name}" in foreign key definition`;
        else if (used[0].quote === "double") constraintError = "expressions prohibited in PRIMARY KEY and UNIQUE constraints";
        else constraintError = `no such column: ${used[0].name}`;
      }
    }
  }
  return { finder, exprUses: uses.filter((id) => !inLists.has(id)), constraintError };
}

/** The error for one object's uses of the dropped column, or null when SQLite would accept them. */
function dropError(uses: ColumnUses, noDoubleQuotedStrings: boolean): string | null {
  if (uses.constraintError) return uses.constraintError;
  const dqs = (id: Ident): boolean => id.quote === "double" && !uses.finder.qualifiedNames.has(id);
  const use = uses.exprUses.find((id) => !dqs(id) || noDoubleQuotedStrings);
  if (!use) return null;
  if (dqs(use)) return `no such column: "${use.name}" - should this be a string literal in single-quotes?`;
  return `no such column: ${uses.finder.qualifiedNames.get(use) ?? use.name}`;
}

/**
 * Rewrites every record without the dropped column (the rowid alias stored
 * as NULL, short records completed with defaults, as SQLite does). Each row
 * is replaced where the cursor stands: a cursor ends on the row it wrote.
 */
function rewriteRowsWithout(tx: WriteTransaction, table: Table, dropped: number, defaults: SqlValue[] | null): void {
  if (table.withoutRowid) {
    // The PRIMARY KEY (never the dropped column) still leads each record, so every entry keeps its place in the tree.
    const order = storageOrder(table).filter((c) => c !== dropped);
    const records: Uint8Array[] = [];
    forEachStoredRow(tx, table, (values) => records.push(encodeRecord(order.map((c) => values[c]))));
    const tree = tx.openIndex(table.rootPage, entryComparator(table, primaryKeyIndex(table)));
    try {
      for (const record of records) tree.insert(record);
    } finally {
      tree.close();
    }
    return;
  }
  const positions = storedColumnPositions(table);
  const c = tx.openTable(table.rootPage);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const stored = decodeRecord(c.record().bytes());
      const values: SqlValue[] = [];
      for (let j = 0; j < table.columns.length; j++) {
        const p = positions[j];
        // VIRTUAL generated columns have no place in records.
        if (j === dropped || p < 0) continue;
        if (j === table.rowidAlias) values.push(null);
        else values.push(p < stored.length ? stored[p] : (defaults?.[j] ?? null));
      }
      c.insert(c.rowid(), encodeRecord(values));
    }
  } finally {
    c.close();
  }
}
