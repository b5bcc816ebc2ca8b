// The typed AST produced by the SQL parser and consumed by the planner.
//
// Conventions (invariants every node obeys):
// - Every node is a plain object with a `kind` string discriminant and source
//   positions `start`/`end`: character offsets (UTF-16 code units) into the
//   SQL text, end exclusive. `sql.slice(node.start, node.end)` is the node's
//   source text. For statements this is the statement without the trailing
//   `;` (what SQLite stores in sqlite_schema.sql); for an expression it
//   includes any enclosing parentheses, so that an unaliased result column is
//   named by slicing its expression (`SELECT (a) + 1` -> "(a) + 1").
// - Optional parts are always present as a field, `null` when absent, and
//   lists are `[]` when empty: every node of a kind has the same shape.
// - Keywords are stored upper-case; identifiers keep their (dequoted) case.
// - Parenthesized expressions have no node of their own; a parenthesized list
//   of two or more expressions is a `RowValue`.

import type { IntegralReal } from "../value/types.js";

// Statements other than SELECT live in ast-statements.ts; import everything from here.
export type * from "./ast-statements.js";

/** Source span shared by every node. */
export interface Span {
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------
// Names

/**
 * How an identifier was written. SQLite treats a `"double-quoted"` identifier
 * that resolves to no column as a string literal, so the resolver needs this.
 */
export type QuoteStyle = "none" | "double" | "bracket" | "backtick" | "single";

/** An identifier (table, column, index, collation... name), dequoted. */
export interface Ident extends Span {
  kind: "Ident";
  /** The name with quotes removed and doubled quote characters undoubled. */
  name: string;
  quote: QuoteStyle;
}

// ---------------------------------------------------------------------------
// Shared small types

/** ON CONFLICT resolution of a constraint, or OR ... of INSERT/UPDATE. */
export type ConflictAction = "ROLLBACK" | "ABORT" | "FAIL" | "IGNORE" | "REPLACE";

export type SortDirection = "ASC" | "DESC";

/**
 * A declared type, e.g. `VARCHAR(10)` or `UNSIGNED BIG INT`. `name` is the
 * words joined by single spaces (case kept, as SQLite keeps it); `args` are
 * the raw texts of the signed numbers in parentheses (0, 1 or 2 of them).
 * The span covers the whole type including the parenthesized arguments; that
 * slice is what SQLite reports as the declared type.
 */
export interface TypeName extends Span {
  kind: "TypeName";
  name: string;
  args: string[];
}

/** `expr [COLLATE c] [ASC|DESC] [NULLS FIRST|LAST]` in ORDER BY (COLLATE lives in `expr`). */
export interface OrderingTerm extends Span {
  kind: "OrderingTerm";
  expr: Expr;
  direction: SortDirection | null;
  nulls: "FIRST" | "LAST" | null;
}

/**
 * An indexed column of CREATE INDEX, PRIMARY KEY(...), UNIQUE(...) and of an
 * upsert conflict target: an expression (usually a `ColumnRef`, possibly
 * wrapped in `Collate`) with an optional sort order.
 */
export interface IndexedColumn extends Span {
  kind: "IndexedColumn";
  expr: Expr;
  direction: SortDirection | null;
  /** The grammar accepts NULLS FIRST/LAST here; SQLite then rejects it ("unsupported use of NULLS ..."). */
  nulls: "FIRST" | "LAST" | null;
}

// ---------------------------------------------------------------------------
// Expressions

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BlobLiteral
  | NullLiteral
  | CurrentTimeLiteral
  | Param
  | ColumnRef
  | UnaryExpr
  | BinaryExpr
  | LikeExpr
  | BetweenExpr
  | InListExpr
  | InSelectExpr
  | InTableExpr
  | IsNullExpr
  | CastExpr
  | CaseExpr
  | CollateExpr
  | ExistsExpr
  | SubqueryExpr
  | RaiseExpr
  | FunctionCall
  | RowValue;

/**
 * A numeric literal (always unsigned; `-1` is a UnaryExpr over `1`). `raw`
 * is the text as written, including SQLite 3.46+ digit separators (`1_000`).
 * `value` is in canonical SqlValue form (src/engine/value/types.ts):
 * - decimal integers that fit in int64 and hex literals (`0x...`, up to 64
 *   bits, reinterpreted as two's complement int64) are INTEGER: `number`
 *   when safe, `bigint` otherwise; `isInteger` is true;
 * - everything else (with `.`, an exponent, or a decimal integer beyond
 *   int64 such as 9223372036854775808) is REAL: a `number`, or an
 *   `IntegralReal` when its value is a safe integer (`1.0`, `1e3`).
 * Note for the code generator: SQLite gives `-9223372036854775808` (minus
 * applied to the REAL literal 9223372036854775808) the INTEGER value
 * INT64_MIN; recognise it from UnaryExpr "-" over a literal whose `raw` is
 * "9223372036854775808".
 */
export interface NumberLiteral extends Span {
  kind: "NumberLiteral";
  raw: string;
  value: number | bigint | IntegralReal;
  isInteger: boolean;
}

/** `'text'`, with `''` undoubled. */
export interface StringLiteral extends Span {
  kind: "StringLiteral";
  value: string;
}

/** `x'0A1b'`. */
export interface BlobLiteral extends Span {
  kind: "BlobLiteral";
  value: Uint8Array;
}

export interface NullLiteral extends Span {
  kind: "NullLiteral";
}

/** CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP. */
export interface CurrentTimeLiteral extends Span {
  kind: "CurrentTimeLiteral";
  which: "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP";
}

/**
 * A bind parameter. `name` is SQLite's sqlite3_bind_parameter_name: null for
 * a bare `?`, else the full text incl. prefix ("?3", ":a", "@a", "$a").
 * `index` (1-based) follows SQLite's numbering: `?` takes one more than the
 * largest index used so far, `?NNN` takes NNN, a named parameter takes one
 * more than the largest so far on first use and the same index on reuse.
 */
export interface Param extends Span {
  kind: "Param";
  name: string | null;
  index: number;
}

/**
 * `[schema.][table.]column`. A bare identifier also arrives here: TRUE/FALSE
 * (SQLite resolves `true`/`false` to 1/0 when no column has that name) and
 * double-quoted strings (see QuoteStyle) are left for the resolver.
 */
export interface ColumnRef extends Span {
  kind: "ColumnRef";
  schema: Ident | null;
  table: Ident | null;
  column: Ident;
}

export interface UnaryExpr extends Span {
  kind: "UnaryExpr";
  op: "-" | "+" | "~" | "NOT";
  operand: Expr;
}

/**
 * Binary operators, normalised: `==` is "=", `<>` is "!=",
 * `IS NOT DISTINCT FROM` is "IS" and `IS DISTINCT FROM` is "IS NOT" (SQLite
 * defines them as exactly those).
 */
export type BinaryOp =
  | "OR"
  | "AND"
  | "="
  | "!="
  | "IS"
  | "IS NOT"
  | "<"
  | "<="
  | ">"
  | ">="
  | "&"
  | "|"
  | "<<"
  | ">>"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "||"
  | "->"
  | "->>";

export interface BinaryExpr extends Span {
  kind: "BinaryExpr";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

/** `left [NOT] LIKE|GLOB|REGEXP|MATCH right [ESCAPE escape]`. */
export interface LikeExpr extends Span {
  kind: "LikeExpr";
  op: "LIKE" | "GLOB" | "REGEXP" | "MATCH";
  not: boolean;
  left: Expr;
  right: Expr;
  escape: Expr | null;
}

/** `expr [NOT] BETWEEN low AND high`. */
export interface BetweenExpr extends Span {
  kind: "BetweenExpr";
  not: boolean;
  expr: Expr;
  low: Expr;
  high: Expr;
}

/** `expr [NOT] IN (a, b, ...)`; `items` may be empty (`IN ()` is legal). */
export interface InListExpr extends Span {
  kind: "InListExpr";
  not: boolean;
  expr: Expr;
  items: Expr[];
}

/** `expr [NOT] IN (SELECT ...)`. */
export interface InSelectExpr extends Span {
  kind: "InSelectExpr";
  not: boolean;
  expr: Expr;
  select: Select;
}

/**
 * `expr [NOT] IN [schema.]table` or `expr [NOT] IN [schema.]fn(args)`
 * (table-valued function; `args` is null for a plain table).
 */
export interface InTableExpr extends Span {
  kind: "InTableExpr";
  not: boolean;
  expr: Expr;
  schema: Ident | null;
  table: Ident;
  args: Expr[] | null;
}

/**
 * `expr ISNULL`, `expr NOTNULL`, `expr NOT NULL` (not = true for the latter
 * two). `expr IS NULL` is a BinaryExpr "IS" with a NullLiteral, as written.
 */
export interface IsNullExpr extends Span {
  kind: "IsNullExpr";
  not: boolean;
  expr: Expr;
}

/** `CAST(expr AS type)`. */
export interface CastExpr extends Span {
  kind: "CastExpr";
  expr: Expr;
  type: TypeName;
}

export interface CaseWhen extends Span {
  kind: "CaseWhen";
  when: Expr;
  then: Expr;
}

/** `CASE [base] WHEN ... THEN ... [ELSE ...] END`. */
export interface CaseExpr extends Span {
  kind: "CaseExpr";
  base: Expr | null;
  whens: CaseWhen[];
  else: Expr | null;
}

/** `expr COLLATE name`. */
export interface CollateExpr extends Span {
  kind: "CollateExpr";
  expr: Expr;
  collation: Ident;
}

/** `EXISTS (SELECT ...)`; NOT EXISTS is a UnaryExpr "NOT" over this. */
export interface ExistsExpr extends Span {
  kind: "ExistsExpr";
  select: Select;
}

/** A scalar subquery `(SELECT ...)`. */
export interface SubqueryExpr extends Span {
  kind: "SubqueryExpr";
  select: Select;
}

/** `RAISE(IGNORE)` or `RAISE(ROLLBACK|ABORT|FAIL, message)` (triggers only). */
export interface RaiseExpr extends Span {
  kind: "RaiseExpr";
  action: "IGNORE" | "ROLLBACK" | "ABORT" | "FAIL";
  message: Expr | null;
}

/**
 * `name([DISTINCT] args [ORDER BY ...]) [FILTER (WHERE ...)] [OVER ...]`,
 * or `name(*)` (`star` true, `args` empty). `over` is either the name of a
 * window from the WINDOW clause or an inline definition.
 */
export interface FunctionCall extends Span {
  kind: "FunctionCall";
  name: Ident;
  distinct: boolean;
  star: boolean;
  args: Expr[];
  orderBy: OrderingTerm[];
  filter: Expr | null;
  over: Ident | WindowDef | null;
}

/** `(a, b, ...)` with two or more items. */
export interface RowValue extends Span {
  kind: "RowValue";
  items: Expr[];
}

// ---------------------------------------------------------------------------
// Windows

/** `([base] [PARTITION BY ...] [ORDER BY ...] [frame])`. */
export interface WindowDef extends Span {
  kind: "WindowDef";
  base: Ident | null;
  partitionBy: Expr[];
  orderBy: OrderingTerm[];
  frame: WindowFrame | null;
}

/**
 * `ROWS|RANGE|GROUPS bound` or `... BETWEEN bound AND bound`. Without
 * BETWEEN, `endBound` is CURRENT ROW (as SQLite defines it) with an empty
 * span at the end of `startBound`.
 */
export interface WindowFrame extends Span {
  kind: "WindowFrame";
  unit: "ROWS" | "RANGE" | "GROUPS";
  startBound: FrameBound;
  endBound: FrameBound;
  exclude: "NO OTHERS" | "CURRENT ROW" | "GROUP" | "TIES" | null;
}

/** One end of a frame; `offset` is set for "PRECEDING"/"FOLLOWING". */
export interface FrameBound extends Span {
  kind: "FrameBound";
  type: "UNBOUNDED PRECEDING" | "PRECEDING" | "CURRENT ROW" | "FOLLOWING" | "UNBOUNDED FOLLOWING";
  offset: Expr | null;
}

/** `name AS (window-def)` in a WINDOW clause. */
export interface NamedWindow extends Span {
  kind: "NamedWindow";
  name: Ident;
  window: WindowDef;
}

// ---------------------------------------------------------------------------
// SELECT

/** `name[(columns)] AS [[NOT] MATERIALIZED] (select)`. */
export interface CommonTableExpr extends Span {
  kind: "CommonTableExpr";
  name: Ident;
  columns: Ident[] | null;
  /** true: MATERIALIZED, false: NOT MATERIALIZED, null: unspecified. */
  materialized: boolean | null;
  select: Select;
}

export interface WithClause extends Span {
  kind: "WithClause";
  recursive: boolean;
  ctes: CommonTableExpr[];
}

/**
 * `LIMIT limit [OFFSET offset]`; `LIMIT a, b` is stored as limit b offset a
 * (SQLite's meaning), with `commaForm` recording the spelling.
 */
export interface LimitClause extends Span {
  kind: "LimitClause";
  limit: Expr;
  offset: Expr | null;
  commaForm: boolean;
}

/**
 * A full SELECT statement (also used for every subquery). ORDER BY and
 * LIMIT apply to the whole compound; SQLite rejects them after a VALUES
 * clause that ends the select.
 */
export interface Select extends Span {
  kind: "Select";
  with: WithClause | null;
  body: SelectBody;
  orderBy: OrderingTerm[];
  limit: LimitClause | null;
}

/** A compound is left-deep: `a UNION b EXCEPT c` is Compound(Compound(a, b), c). */
export type SelectBody = SelectCore | ValuesClause | CompoundSelect;

export type CompoundOp = "UNION" | "UNION ALL" | "INTERSECT" | "EXCEPT";

export interface CompoundSelect extends Span {
  kind: "CompoundSelect";
  op: CompoundOp;
  left: SelectBody;
  right: SelectCore | ValuesClause;
}

/** `VALUES (row), (row), ...`; every row has the same arity (checked by the parser as SQLite does). */
export interface ValuesClause extends Span {
  kind: "ValuesClause";
  rows: Expr[][];
}

export interface SelectCore extends Span {
  kind: "SelectCore";
  distinct: "DISTINCT" | "ALL" | null;
  columns: ResultColumn[];
  from: FromItem | null;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  windows: NamedWindow[];
}

export type ResultColumn = ResultStar | ResultTableStar | ResultExpr;

/** `*`. */
export interface ResultStar extends Span {
  kind: "ResultStar";
}

/** `table.*` (SQLite accepts no schema prefix here). */
export interface ResultTableStar extends Span {
  kind: "ResultTableStar";
  table: Ident;
}

/**
 * `expr [[AS] alias]`. Without alias SQLite names the column by the source
 * text of `expr` (slice `expr.start..expr.end`), or by the column name for a
 * plain ColumnRef (the resolver decides).
 */
export interface ResultExpr extends Span {
  kind: "ResultExpr";
  expr: Expr;
  alias: Ident | null;
}

/** A FROM clause is a left-deep tree of joins over table sources. */
export type FromItem = TableRef | TableFunctionRef | SubqueryRef | Join;

/** INDEXED BY name / NOT INDEXED hint. */
export type IndexHint = ({ kind: "IndexedBy"; name: Ident } | { kind: "NotIndexed" }) & Span;

/**
 * `[schema.]name [[AS] alias] [INDEXED BY idx | NOT INDEXED]`; also the
 * target table of UPDATE / DELETE ("qualified-table-name").
 */
export interface TableRef extends Span {
  kind: "TableRef";
  schema: Ident | null;
  name: Ident;
  alias: Ident | null;
  indexHint: IndexHint | null;
}

/** `[schema.]fn(args) [[AS] alias]`, a table-valued function such as json_each. */
export interface TableFunctionRef extends Span {
  kind: "TableFunctionRef";
  schema: Ident | null;
  name: Ident;
  args: Expr[];
  alias: Ident | null;
}

/**
 * `(select) [[AS] alias]`. A parenthesized join with an alias,
 * `(a JOIN b) AS x`, is represented as SQLite does it: a SubqueryRef over a
 * synthetic `SELECT * FROM a JOIN b` whose nodes span the parentheses.
 * A parenthesized join without alias is just the Join.
 */
export interface SubqueryRef extends Span {
  kind: "SubqueryRef";
  select: Select;
  alias: Ident | null;
}

/** The join operator; a comma join is ",", plain `JOIN` is "INNER". */
export type JoinType = "," | "INNER" | "CROSS" | "LEFT" | "RIGHT" | "FULL";

export interface Join extends Span {
  kind: "Join";
  type: JoinType;
  natural: boolean;
  left: FromItem;
  right: FromItem;
  on: Expr | null;
  using: Ident[] | null;
}
