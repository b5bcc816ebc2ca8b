// Reading the catalog: every row of sqlite_schema is parsed back from its
// stored CREATE text into a Schema, as SQLite does when it opens a database
// or notices that the schema cookie changed.
import { SCHEMA_ROOT, type ReadTransaction } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import { parseStatement } from "../sql/parse.js";
import { buildTable, type BuiltTable } from "./build-table.js";
import { foldName, Schema, type Index, type IndexColumn, type Table } from "./schema.js";

/** One row of sqlite_schema. */
export interface SchemaRow {
  type: string;
  name: string;
  tableName: string;
  rootPage: number;
  sql: string | null;
}

/** The columns of sqlite_schema itself, readable as a table (also as sqlite_master). */
export const SCHEMA_TABLE_SQL = "CREATE TABLE sqlite_schema(type text,name text,tbl_name text,rootpage int,sql text)";

export function readSchemaRows(tx: ReadTransaction): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const c = tx.openTable(SCHEMA_ROOT);
  try {
    for (let ok = c.first(); ok; ok = c.next()) {
      const r = c.record();
      const sql = r.column(4);
      rows.push({
        type: String(r.column(0)),
        name: String(r.column(1)),
        tableName: String(r.column(2)),
        rootPage: Number(r.column(3) ?? 0),
        sql: typeof sql === "string" ? sql : null,
      });
    }
  } finally {
    c.close();
  }
  return rows;
}

export function loadSchema(tx: ReadTransaction): Schema {
  return buildSchema(readSchemaRows(tx), tx.getHeader("schemaCookie"));
}

export function buildSchema(rows: SchemaRow[], cookie: number): Schema {
  const schema = new Schema(cookie);
  const schemaTable = buildTable(parseStatementOf(SCHEMA_TABLE_SQL, "table"), SCHEMA_TABLE_SQL, SCHEMA_ROOT).table;
  schema.add(schemaTable, ["sqlite_master", "sqlite_schema"]);

  const tables = new Map<string, { built: BuiltTable; indexes: Index[] }>();
  for (const row of rows) {
    if (row.type !== "table" || !row.sql) continue;
    const ast = parseStatementOf(row.sql, "table");
    const built = buildTable(ast, row.sql, row.rootPage);
    tables.set(foldName(row.name), { built, indexes: [] });
  }
  for (const row of rows) {
    if (row.type !== "index") continue;
    const entry = tables.get(foldName(row.tableName));
    if (!entry) throw corrupt(`index ${row.name} on missing table ${row.tableName}`);
    entry.indexes.push(row.sql ? indexFromSql(row, entry.built.table) : autoIndex(row, entry.built));
  }
  for (const { built, indexes } of tables.values()) {
    if (built.table.withoutRowid) indexes.push(tableTreeIndex(built));
    const table: Table = { ...built.table, indexes: orderIndexes(indexes) };
    schema.add(table);
  }
  for (const row of rows) {
    if (!row.sql) continue;
    if (row.type === "view") {
      const ast = parseStatementOf(row.sql, "view");
      schema.add({ kind: "view", name: row.name, sql: row.sql, columnNames: ast.columns?.map((c) => c.name) ?? null, select: ast.select });
    } else if (row.type === "trigger") {
      const ast = parseStatementOf(row.sql, "trigger");
      schema.add({ kind: "trigger", name: row.name, tableName: row.tableName, sql: row.sql, ast });
    }
  }
  return schema;
}

type Parsed = { table: Extract<ReturnType<typeof parseStatement>, { kind: "CreateTable" }>; view: Extract<ReturnType<typeof parseStatement>, { kind: "CreateView" }>; trigger: Extract<ReturnType<typeof parseStatement>, { kind: "CreateTrigger" }>; index: Extract<ReturnType<typeof parseStatement>, { kind: "CreateIndex" }> };
const KINDS = { table: "CreateTable", view: "CreateView", trigger: "CreateTrigger", index: "CreateIndex" } as const;

function parseStatementOf<K extends keyof Parsed>(sql: string, kind: K): Parsed[K] {
  let ast;
  try {
    ast = parseStatement(sql);
  } catch (e) {
    throw corrupt(`malformed schema: ${(e as Error).message}`);
  }
  if (ast.kind !== KINDS[kind]) throw corrupt(`malformed schema: expected CREATE ${kind.toUpperCase()}`);
  return ast as Parsed[K];
}

/** Builds an Index from CREATE INDEX text. */
export function indexFromSql(row: SchemaRow, table: Table): Index {
  const ast = parseStatementOf(row.sql as string, "index");
  return {
    kind: "index",
    name: row.name,
    tableName: table.name,
    rootPage: row.rootPage,
    sql: row.sql,
    unique: ast.unique,
    origin: "c",
    onConflict: "ABORT",
    where: ast.where,
    columns: ast.columns.map((ic): IndexColumn => {
      let expr = ic.expr;
      let collation: string | null = null;
      while (expr.kind === "CollateExpr") {
        collation ??= expr.collation.name.toUpperCase();
        expr = expr.expr;
      }
      if (expr.kind === "ColumnRef" && !expr.table) {
        const i = table.columns.findIndex((c) => foldName(c.name) === foldName(expr.kind === "ColumnRef" ? expr.column.name : ""));
        if (i >= 0) return { column: i, expr: null, collation: collation ?? table.columns[i].collation, desc: ic.direction === "DESC" };
      }
      return { column: -2, expr, collation: collation ?? "BINARY", desc: ic.direction === "DESC" };
    }),
  };
}

/** Indexes SQLite made for UNIQUE/PRIMARY KEY constraints are named sqlite_autoindex_<table>_<n>, n from 1. */
function autoIndex(row: SchemaRow, built: BuiltTable): Index {
  const m = /_(\d+)$/.exec(row.name);
  const def = m ? built.constraintIndexes[Number(m[1]) - 1] : undefined;
  if (!def) throw corrupt(`no constraint for automatic index ${row.name}`);
  return {
    kind: "index",
    name: row.name,
    tableName: built.table.name,
    rootPage: row.rootPage,
    sql: null,
    unique: true,
    origin: def.origin,
    onConflict: def.onConflict,
    where: null,
    columns: def.columns,
  };
}

/** The PRIMARY KEY of a WITHOUT ROWID table as an index on the table's own tree (no sqlite_schema row names it). */
function tableTreeIndex(built: BuiltTable): Index {
  const n = built.constraintIndexes.findIndex((c) => c.origin === "pk");
  const name = `sqlite_autoindex_${built.table.name}_${n + 1}`;
  return autoIndex({ type: "index", name, tableName: built.table.name, rootPage: built.table.rootPage, sql: null }, built);
}

/** Constraint indexes first in constraint order, then CREATE INDEX ones in creation order. */
function orderIndexes(indexes: Index[]): Index[] {
  const auto = indexes.filter((i) => i.sql === null).sort((a, b) => autoNumber(a) - autoNumber(b));
  return [...auto, ...indexes.filter((i) => i.sql !== null)];
}

function autoNumber(index: Index): number {
  return Number(/_(\d+)$/.exec(index.name)?.[1] ?? 0);
}

function corrupt(message: string): SqliteError {
  return new SqliteError(message, "SQLITE_CORRUPT");
}
