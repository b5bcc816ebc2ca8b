// Schema changes: CREATE TABLE (also AS SELECT), CREATE INDEX, CREATE VIEW and
// DROP of each kind. Each writes sqlite_schema rows exactly as SQLite does
// (type, name, tbl_name, rootpage, sql with the CREATE text as SQLite
// stores it) and bumps the schema cookie so every connection re-reads the
// catalog.
import { SCHEMA_ROOT, encodeRecord, type WriteTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { checkGeneratedColumns, GENERATED_WITHOUT_ROWID } from "../plan/generated-columns.js";
import { buildTable } from "../schema/build-table.js";
import { indexFromSql } from "../schema/load-schema.js";
import { foldName, type Table } from "../schema/schema.js";
import { isTableTree } from "../schema/without-rowid.js";
import type { CreateIndex, CreateTable, CreateTrigger, CreateView, Drop, Ident, Statement } from "../sql/ast.js";
import { parseStatement } from "../sql/parse.js";
import type { SqlValue } from "../value/types.js";
import { deleteSequence } from "./autoincrement.js";
import type { CompileEnv } from "./compile-env.js";
import { rowWriter, tableWriter } from "./dml-target.js";
import { rowidOf } from "./row-writer.js";
import { forEachStoredRow } from "./stored-rows.js";
import type { StatementProgram } from "./program.js";
import { compileQuery } from "./select.js";
import type { ResultColumnInfo } from "./select-types.js";

function schemaProgram(run: () => void): StatementProgram {
  return { columns: [], writes: true, changesSchema: true, run: () => run() };
}

/** SQLite stores `CREATE <KIND> ` followed by the text from the object's name to the end. */
function storedSql(env: CompileEnv, stmt: Statement, kind: string, name: Ident): string {
  return `CREATE ${kind} ${env.source.slice(name.start, stmt.end)}`;
}

function checkSchemaName(schema: Ident | null): void {
  if (schema && !["main", "temp"].includes(foldName(schema.name))) throw new SqliteError(`unknown database ${schema.name}`);
}

function checkNewName(env: CompileEnv, name: string, kind: string): void {
  if (foldName(name).startsWith("sqlite_")) throw new SqliteError(`object name reserved for internal use: ${name}`);
  const existing = env.schema.object(name);
  if (existing) {
    const what = existing.kind === "table" ? "table" : existing.kind;
    throw new SqliteError(existing.kind === kind || kind !== "index" ? `${what} ${name} already exists` : `there is already a ${what} named ${name}`);
  }
}

function insertSchemaRow(tx: WriteTransaction, values: SqlValue[]): void {
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    const rowid = c.last() ? Number(c.rowid()) + 1 : 1;
    c.insert(rowid, encodeRecord(values));
  } finally {
    c.close();
  }
}

function bumpCookie(tx: WriteTransaction): void {
  tx.setHeader("schemaCookie", tx.getHeader("schemaCookie") + 1);
}

export function compileCreateTable(stmt: CreateTable, env: CompileEnv): StatementProgram {
  checkSchemaName(stmt.schema);
  const name = stmt.name.name;
  if (env.schema.table(name) || env.schema.view(name)) {
    if (stmt.ifNotExists) return schemaProgram(() => undefined);
    throw new SqliteError(`${env.schema.view(name) ? "view" : "table"} ${name} already exists`);
  }
  checkNewName(env, name, "table");
  if (stmt.withoutRowid && stmt.columns.some((c) => c.constraints.some((k) => k.kind === "GeneratedColumnConstraint"))) {
    throw new SqliteError(GENERATED_WITHOUT_ROWID);
  }

  if (stmt.asSelect) {
    const query = compileQuery(stmt.asSelect, env, null);
    const sql = `CREATE TABLE ${quoteIdent(name)}(${columnDefinitions(query.columns)})`;
    return schemaProgram(() => {
      const tx = env.writeTx();
      const table = createTable(tx, sql, env);
      const writer = tableWriter(env, table, env.writeTx);
      let rowid = 0;
      query.run((row) => {
        const values = writer.coerce(row, null);
        if (values !== "ignore") writer.insert(values, ++rowid, null, null);
        return true;
      });
    });
  }

  const sql = storedSql(env, stmt, "TABLE", stmt.name);
  // Validate now so errors come at prepare time, as in SQLite.
  const probe = buildTable(parseStatement(sql) as CreateTable, sql, 0).table;
  checkGeneratedColumns(probe);
  if (probe.columns.some((c) => c.generated)) tableWriter(env, probe, env.writeTx);
  return schemaProgram(() => {
    const tx = env.writeTx();
    createTable(tx, sql, env);
  });
}

/** Creates the table's tree, its constraint indexes and schema rows; returns the new Table. */
function createTable(tx: WriteTransaction, sql: string, env: CompileEnv): Table {
  const ast = parseStatement(sql) as CreateTable;
  // A WITHOUT ROWID table is an index B-tree keyed by its PRIMARY KEY, which therefore has no tree of its own.
  const root = tx.createTree(ast.withoutRowid ? "index" : "table");
  const built = buildTable(ast, sql, root);
  const name = built.table.name;
  insertSchemaRow(tx, ["table", name, name, root, sql]);
  built.constraintIndexes.forEach((index, i) => {
    if (ast.withoutRowid && index.origin === "pk") return;
    const indexRoot = tx.createTree("index");
    insertSchemaRow(tx, ["index", `sqlite_autoindex_${name}_${i + 1}`, name, indexRoot, null]);
  });
  if (built.table.autoincrement && !env.schema.table("sqlite_sequence")) {
    const seqRoot = tx.createTree("table");
    insertSchemaRow(tx, ["table", "sqlite_sequence", "sqlite_sequence", seqRoot, "CREATE TABLE sqlite_sequence(name,seq)"]);
  }
  bumpCookie(tx);
  return built.table;
}

/** Column list of CREATE TABLE ... AS SELECT: names and the declared type SQLite derives from each affinity. */
function columnDefinitions(columns: ResultColumnInfo[]): string {
  const used = new Set<string>();
  return columns
    .map((c) => {
      let name = c.name;
      for (let k = 1; used.has(foldName(name)); k++) name = `${c.name}:${k}`;
      used.add(foldName(name));
      const type = { text: " TEXT", numeric: " NUM", integer: " INT", real: " REAL", blob: "", none: "" }[c.affinity];
      return quoteIdent(name) + type;
    })
    .join(",");
}

/** Quotes an identifier when SQLite would (not a plain word). */
export function quoteIdent(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function compileCreateIndex(stmt: CreateIndex, env: CompileEnv): StatementProgram {
  checkSchemaName(stmt.schema);
  const name = stmt.name.name;
  if (env.schema.index(name)) {
    if (stmt.ifNotExists) return schemaProgram(() => undefined);
    throw new SqliteError(`index ${name} already exists`);
  }
  checkNewName(env, name, "index");
  const table = env.schema.table(stmt.table.name);
  if (!table) {
    if (env.schema.view(stmt.table.name)) throw new SqliteError("views may not be indexed");
    throw new SqliteError(`no such table: main.${stmt.table.name}`);
  }
  if (foldName(table.name) === "sqlite_schema") throw new SqliteError(`table ${table.name} may not be indexed`);
  const sql = storedSql(env, stmt, stmt.unique ? "UNIQUE INDEX" : "INDEX", stmt.name);
  const probe = indexFromSql({ type: "index", name, tableName: table.name, rootPage: 0, sql }, table);
  for (const c of probe.columns) {
    if (c.column === -2 && c.expr?.kind === "ColumnRef") throw new SqliteError(`no such column: ${c.expr.column.name}`);
  }
  return schemaProgram(() => {
    const tx = env.writeTx();
    const root = tx.createTree("index");
    insertSchemaRow(tx, ["index", name, table.name, root, sql]);
    const index = { ...probe, rootPage: root };
    // The writer maintains the new index only (a WITHOUT ROWID table keeps its PRIMARY KEY, which is its tree).
    const writer = rowWriter(env, { ...table, indexes: [...table.indexes.filter((ix) => isTableTree(table, ix)), index] }, env.writeTx);
    forEachStoredRow(tx, table, (values, key) => {
      writer.fillVirtual(values, rowidOf(key));
      writer.indexRow(values, key);
    });
    bumpCookie(tx);
  });
}

export function compileCreateView(stmt: CreateView, env: CompileEnv): StatementProgram {
  checkSchemaName(stmt.schema);
  const name = stmt.name.name;
  if (env.schema.view(name) || env.schema.table(name)) {
    if (stmt.ifNotExists) return schemaProgram(() => undefined);
    throw new SqliteError(`${env.schema.table(name) ? "table" : "view"} ${name} already exists`);
  }
  checkNewName(env, name, "view");
  const sql = storedSql(env, stmt, "VIEW", stmt.name);
  const viewStmt = parseStatement(sql) as CreateView;
  const query = compileQuery(viewStmt.select, { ...env, source: sql, ctes: null }, null);
  if (stmt.columns && stmt.columns.length !== query.columns.length) {
    throw new SqliteError(`expected ${stmt.columns.length} columns for '${name}' but got ${query.columns.length}`);
  }
  return schemaProgram(() => {
    const tx = env.writeTx();
    insertSchemaRow(tx, ["view", name, name, 0, sql]);
    bumpCookie(tx);
  });
}

export function compileCreateTrigger(stmt: CreateTrigger, env: CompileEnv): StatementProgram {
  checkSchemaName(stmt.schema);
  const name = stmt.name.name;
  if (env.schema.trigger(name)) {
    if (stmt.ifNotExists) return schemaProgram(() => undefined);
    throw new SqliteError(`trigger ${name} already exists`);
  }
  if (foldName(name).startsWith("sqlite_")) throw new SqliteError(`object name reserved for internal use: ${name}`);
  const table = env.schema.table(stmt.table.name);
  const view = env.schema.view(stmt.table.name);
  if (!table && !view) throw new SqliteError(`no such table: main.${stmt.table.name}`);
  if (table && foldName(table.name).startsWith("sqlite_")) throw new SqliteError("cannot create trigger on system table");
  const timing = stmt.timing ?? "BEFORE";
  if (view && timing !== "INSTEAD OF") throw new SqliteError(`cannot create ${timing} trigger on view: ${view.name}`);
  if (table && timing === "INSTEAD OF") throw new SqliteError(`cannot create INSTEAD OF trigger on table: ${table.name}`);
  const sql = storedSql(env, stmt, "TRIGGER", stmt.name);
  const tableName = (table ?? view)?.name as string;
  return schemaProgram(() => {
    const tx = env.writeTx();
    insertSchemaRow(tx, ["trigger", name, tableName, 0, sql]);
    bumpCookie(tx);
  });
}

export function compileDrop(stmt: Drop, env: CompileEnv): StatementProgram {
  checkSchemaName(stmt.schema);
  const name = stmt.name.name;
  const kind = stmt.objectType.toLowerCase();
  const object = env.schema.object(name);
  if (!object || object.kind !== kind) {
    if (stmt.ifExists) return schemaProgram(() => undefined);
    if (kind === "table" && object?.kind === "view") throw new SqliteError(`use DROP VIEW to delete view ${name}`);
    if (kind === "view" && object?.kind === "table") throw new SqliteError(`use DROP TABLE to delete table ${name}`);
    throw new SqliteError(`no such ${kind}: ${name}`);
  }
  if (foldName(name).startsWith("sqlite_") && kind === "table" && foldName(name) !== "sqlite_sequence" && foldName(name) !== "sqlite_stat1") {
    throw new SqliteError(`table ${name} may not be dropped`);
  }
  if (object.kind === "index" && object.sql === null) {
    throw new SqliteError("index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
  }
  return schemaProgram(() => {
    const tx = env.writeTx();
    if (object.kind === "table") {
      for (const index of object.indexes) if (!isTableTree(object, index)) tx.dropTree(index.rootPage);
      tx.dropTree(object.rootPage);
      if (object.autoincrement) deleteSequence(tx, env.schema, object.name);
    } else if (object.kind === "index") tx.dropTree(object.rootPage);
    deleteSchemaRows(tx, (type, rowName, tableName) => {
      if (foldName(rowName) === foldName(name)) return true;
      return object.kind === "table" && foldName(tableName) === foldName(name) && (type === "index" || type === "trigger");
    });
    bumpCookie(tx);
  });
}

function deleteSchemaRows(tx: WriteTransaction, match: (type: string, name: string, tableName: string) => boolean): void {
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    const doomed: (number | bigint)[] = [];
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      if (match(String(r.column(0)), String(r.column(1)), String(r.column(2)))) doomed.push(c.rowid());
    }
    for (const rowid of doomed) if (c.seek(rowid, "eq")) c.delete();
  } finally {
    c.close();
  }
}
