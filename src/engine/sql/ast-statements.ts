// The AST of statements other than SELECT: INSERT / UPDATE / DELETE, CREATE
// TABLE and the other DDL, transaction control and utility statements, plus
// the Statement union. Same conventions as ast.ts, which re-exports all of it.

import type {
  ConflictAction,
  Expr,
  FromItem,
  Ident,
  IndexedColumn,
  LimitClause,
  OrderingTerm,
  ResultColumn,
  Select,
  SortDirection,
  Span,
  TableRef,
  TypeName,
  WithClause,
} from "./ast.js";

// ---------------------------------------------------------------------------
// INSERT / UPDATE / DELETE

/** `SET col = expr` or `SET (a, b) = expr` (a row value or subquery). */
export interface SetClause extends Span {
  kind: "SetClause";
  columns: Ident[];
  /** true for the parenthesized `(a, b) = ...` form, even with one column. */
  parenthesized: boolean;
  value: Expr;
}

/** `ON CONFLICT [(target) [WHERE ...]] DO NOTHING | DO UPDATE SET ... [WHERE ...]`. */
export interface Upsert extends Span {
  kind: "Upsert";
  target: IndexedColumn[] | null;
  targetWhere: Expr | null;
  /** null means DO NOTHING. */
  doUpdate: UpsertUpdate | null;
}

/** The `DO UPDATE SET ... [WHERE ...]` action of an upsert. */
export interface UpsertUpdate extends Span {
  kind: "UpsertUpdate";
  set: SetClause[];
  where: Expr | null;
}

/** `DEFAULT VALUES` as the source of an INSERT. */
export interface DefaultValues extends Span {
  kind: "DefaultValues";
}

export interface Insert extends Span {
  kind: "Insert";
  with: WithClause | null;
  /** REPLACE is `INSERT OR REPLACE`; `verb` records the spelling. */
  verb: "INSERT" | "REPLACE";
  orConflict: ConflictAction | null;
  schema: Ident | null;
  table: Ident;
  alias: Ident | null;
  columns: Ident[] | null;
  source: Select | DefaultValues;
  upserts: Upsert[];
  returning: ResultColumn[] | null;
}

export interface Update extends Span {
  kind: "Update";
  with: WithClause | null;
  orConflict: ConflictAction | null;
  table: TableRef;
  set: SetClause[];
  from: FromItem | null;
  where: Expr | null;
  orderBy: OrderingTerm[];
  limit: LimitClause | null;
  returning: ResultColumn[] | null;
}

export interface Delete extends Span {
  kind: "Delete";
  with: WithClause | null;
  table: TableRef;
  where: Expr | null;
  orderBy: OrderingTerm[];
  limit: LimitClause | null;
  returning: ResultColumn[] | null;
}

// ---------------------------------------------------------------------------
// CREATE TABLE

export type ForeignKeyAction = "SET NULL" | "SET DEFAULT" | "CASCADE" | "RESTRICT" | "NO ACTION";

/** `REFERENCES table[(cols)] [ON DELETE|UPDATE action] [MATCH name] [[NOT] DEFERRABLE [INITIALLY ...]]`. */
export interface ForeignKeyClause extends Span {
  kind: "ForeignKeyClause";
  table: Ident;
  columns: Ident[] | null;
  onDelete: ForeignKeyAction | null;
  onUpdate: ForeignKeyAction | null;
  match: Ident | null;
  /** null when no DEFERRABLE clause was written. */
  deferrable: { not: boolean; initially: "DEFERRED" | "IMMEDIATE" | null } | null;
}

export type ColumnConstraint =
  | PrimaryKeyColumnConstraint
  | NotNullColumnConstraint
  | NullColumnConstraint
  | UniqueColumnConstraint
  | CheckConstraint
  | DefaultColumnConstraint
  | CollateColumnConstraint
  | ReferencesColumnConstraint
  | GeneratedColumnConstraint;

/** Fields common to every constraint: the optional `CONSTRAINT name` prefix. */
interface NamedConstraint extends Span {
  name: Ident | null;
}

export interface PrimaryKeyColumnConstraint extends NamedConstraint {
  kind: "PrimaryKeyColumnConstraint";
  direction: SortDirection | null;
  onConflict: ConflictAction | null;
  autoincrement: boolean;
}

export interface NotNullColumnConstraint extends NamedConstraint {
  kind: "NotNullColumnConstraint";
  onConflict: ConflictAction | null;
}

/** A bare `NULL` constraint: accepted and meaningless, as in SQLite. */
export interface NullColumnConstraint extends NamedConstraint {
  kind: "NullColumnConstraint";
  onConflict: ConflictAction | null;
}

export interface UniqueColumnConstraint extends NamedConstraint {
  kind: "UniqueColumnConstraint";
  onConflict: ConflictAction | null;
}

/** CHECK (expr), as a column or a table constraint. */
export interface CheckConstraint extends NamedConstraint {
  kind: "CheckConstraint";
  expr: Expr;
}

/**
 * DEFAULT value: a literal, a signed number (UnaryExpr over NumberLiteral),
 * `(expr)`, CURRENT_TIME/DATE/TIMESTAMP, or a bare identifier (SQLite takes
 * `DEFAULT abc` as the string 'abc'; it arrives as a ColumnRef).
 * `parenthesized` says whether it was written `(expr)`.
 */
export interface DefaultColumnConstraint extends NamedConstraint {
  kind: "DefaultColumnConstraint";
  expr: Expr;
  parenthesized: boolean;
}

export interface CollateColumnConstraint extends NamedConstraint {
  kind: "CollateColumnConstraint";
  collation: Ident;
}

export interface ReferencesColumnConstraint extends NamedConstraint {
  kind: "ReferencesColumnConstraint";
  foreignKey: ForeignKeyClause;
}

/** `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`; storage null means VIRTUAL by default. */
export interface GeneratedColumnConstraint extends NamedConstraint {
  kind: "GeneratedColumnConstraint";
  expr: Expr;
  storage: "STORED" | "VIRTUAL" | null;
}

export interface ColumnDef extends Span {
  kind: "ColumnDef";
  name: Ident;
  type: TypeName | null;
  constraints: ColumnConstraint[];
}

export type TableConstraint =
  | PrimaryKeyTableConstraint
  | UniqueTableConstraint
  | CheckConstraint
  | ForeignKeyTableConstraint;

export interface PrimaryKeyTableConstraint extends NamedConstraint {
  kind: "PrimaryKeyTableConstraint";
  columns: IndexedColumn[];
  /** SQLite accepts AUTOINCREMENT after a single-column table PRIMARY KEY. */
  autoincrement: boolean;
  onConflict: ConflictAction | null;
}

export interface UniqueTableConstraint extends NamedConstraint {
  kind: "UniqueTableConstraint";
  columns: IndexedColumn[];
  onConflict: ConflictAction | null;
}

export interface ForeignKeyTableConstraint extends NamedConstraint {
  kind: "ForeignKeyTableConstraint";
  columns: Ident[];
  foreignKey: ForeignKeyClause;
}

/**
 * CREATE [TEMP] TABLE. Either `columns` (non-empty) with `constraints` and
 * options, or `asSelect` (then columns/constraints are empty and options false).
 */
export interface CreateTable extends Span {
  kind: "CreateTable";
  temp: boolean;
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
  columns: ColumnDef[];
  constraints: TableConstraint[];
  withoutRowid: boolean;
  strict: boolean;
  asSelect: Select | null;
}

// ---------------------------------------------------------------------------
// Other DDL

export interface CreateIndex extends Span {
  kind: "CreateIndex";
  unique: boolean;
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
  table: Ident;
  columns: IndexedColumn[];
  where: Expr | null;
}

export interface CreateView extends Span {
  kind: "CreateView";
  temp: boolean;
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
  columns: Ident[] | null;
  select: Select;
}

/** A statement allowed in a trigger body. */
export type TriggerStatement = Insert | Update | Delete | Select;

export interface CreateTrigger extends Span {
  kind: "CreateTrigger";
  temp: boolean;
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
  /** null when omitted (SQLite's default is BEFORE). */
  timing: "BEFORE" | "AFTER" | "INSTEAD OF" | null;
  event: "INSERT" | "DELETE" | "UPDATE";
  /** UPDATE OF columns; null when not given. */
  updateOf: Ident[] | null;
  /** `ON [schema.]table`. */
  tableSchema: Ident | null;
  table: Ident;
  forEachRow: boolean;
  when: Expr | null;
  body: TriggerStatement[];
}

/**
 * CREATE VIRTUAL TABLE name USING module[(args)]. Each module argument is
 * kept as its raw source text, trimmed (what xCreate receives); `args` is
 * empty without parentheses.
 */
export interface CreateVirtualTable extends Span {
  kind: "CreateVirtualTable";
  ifNotExists: boolean;
  schema: Ident | null;
  name: Ident;
  module: Ident;
  args: string[];
}

export type AlterTableAction = (
  | { kind: "RenameTable"; newName: Ident }
  | { kind: "RenameColumn"; column: Ident; newName: Ident }
  | { kind: "AddColumn"; column: ColumnDef }
  | { kind: "DropColumn"; column: Ident }
  /** `ADD [CONSTRAINT name] CHECK (expr)` (SQLite 3.5x). */
  | { kind: "AddConstraint"; constraint: CheckConstraint }
  /** `DROP CONSTRAINT name` (SQLite 3.5x). */
  | { kind: "DropConstraint"; name: Ident }
  /** `ALTER [COLUMN] c SET NOT NULL [ON CONFLICT ...]` / `ALTER [COLUMN] c DROP NOT NULL` (SQLite 3.5x). */
  | { kind: "AlterColumnNotNull"; column: Ident; notNull: boolean; onConflict: ConflictAction | null }
) &
  Span;

export interface AlterTable extends Span {
  kind: "AlterTable";
  schema: Ident | null;
  table: Ident;
  action: AlterTableAction;
}

export interface Drop extends Span {
  kind: "Drop";
  objectType: "TABLE" | "INDEX" | "VIEW" | "TRIGGER";
  ifExists: boolean;
  schema: Ident | null;
  name: Ident;
}

// ---------------------------------------------------------------------------
// Transactions and utility statements

/** BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE|CONCURRENT] [TRANSACTION] [READONLY (libSQL)]. */
export interface Begin extends Span {
  kind: "Begin";
  mode: "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE" | "CONCURRENT" | null;
  readonly: boolean;
}

/** COMMIT / END [TRANSACTION]. */
export interface Commit extends Span {
  kind: "Commit";
}

/** ROLLBACK [TRANSACTION] [TO [SAVEPOINT] name]. */
export interface Rollback extends Span {
  kind: "Rollback";
  savepoint: Ident | null;
}

export interface Savepoint extends Span {
  kind: "Savepoint";
  name: Ident;
}

export interface Release extends Span {
  kind: "Release";
  name: Ident;
}

/**
 * PRAGMA [schema.]name [= value | (value)]. The value is a NumberLiteral
 * (possibly under a UnaryExpr sign), a StringLiteral, or an Ident for names
 * and keywords (ON, OFF, FULL, DELETE, ...).
 */
export interface Pragma extends Span {
  kind: "Pragma";
  schema: Ident | null;
  name: Ident;
  value: Expr | Ident | null;
}

/** ATTACH [DATABASE] file AS schema [KEY key]; SQLite parses file and schema as expressions. */
export interface Attach extends Span {
  kind: "Attach";
  file: Expr;
  schema: Expr;
  key: Expr | null;
}

export interface Detach extends Span {
  kind: "Detach";
  schema: Expr;
}

/** ANALYZE [schema | table | schema.table]: `name` alone may be a schema or a table. */
export interface Analyze extends Span {
  kind: "Analyze";
  schema: Ident | null;
  name: Ident | null;
}

export interface Vacuum extends Span {
  kind: "Vacuum";
  schema: Ident | null;
  into: Expr | null;
}

/** REINDEX [collation | table | index | schema.name]. */
export interface Reindex extends Span {
  kind: "Reindex";
  schema: Ident | null;
  name: Ident | null;
}

export interface Explain extends Span {
  kind: "Explain";
  queryPlan: boolean;
  statement: Statement;
}

export type Statement =
  | Select
  | Insert
  | Update
  | Delete
  | CreateTable
  | CreateIndex
  | CreateView
  | CreateTrigger
  | CreateVirtualTable
  | AlterTable
  | Drop
  | Begin
  | Commit
  | Rollback
  | Savepoint
  | Release
  | Pragma
  | Attach
  | Detach
  | Analyze
  | Vacuum
  | Reindex
  | Explain;

/**
 * The bind parameters of one statement: `count` is sqlite3_bind_parameter_count
 * (the largest index), `names[i - 1]` the name of index i (null for `?` and
 * unused indexes).
 */
export interface ParameterInfo {
  count: number;
  names: (string | null)[];
}

/**
 * One statement of a script, as returned by parseScript. All node offsets,
 * like these, are into the whole script text.
 */
export interface ScriptStatement {
  statement: Statement;
  /** Offsets of the statement text in the script (without the trailing `;`). */
  start: number;
  end: number;
  /** `script.slice(start, end)`: the text SQLite would store for a CREATE. */
  text: string;
  parameters: ParameterInfo;
}
