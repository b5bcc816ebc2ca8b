// Turns a CREATE TABLE statement into a Table description: columns and their
// affinities, the rowid alias, PRIMARY KEY / UNIQUE constraints (which need
// automatic indexes), CHECK and FOREIGN KEY constraints. Raises SQLite's
// errors for tables SQLite itself refuses to create.
import { SqliteError } from "../errors.js";
import type { ColumnDef, ConflictAction, CreateTable, Expr, ForeignKeyClause, IndexedColumn } from "../sql/ast.js";
import { affinityOfTypeName, type StrictType } from "../value/affinity.js";
import { foldName, type Check, type Column, type ForeignKey, type IndexColumn, type Table } from "./schema.js";

/** An index SQLite creates for a PRIMARY KEY or UNIQUE constraint (named sqlite_autoindex_T_N). */
export interface ConstraintIndex {
  origin: "pk" | "u";
  columns: IndexColumn[];
  onConflict: ConflictAction;
}

export interface BuiltTable {
  /** The table, without indexes (the loader attaches them with their root pages). */
  table: Table;
  /** Automatic indexes in the order SQLite numbers them. */
  constraintIndexes: ConstraintIndex[];
}

const STRICT_TYPES = new Set<string>(["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"]);

/** @param source the text the AST's offsets refer to. */
export function buildTable(ast: CreateTable, source: string, rootPage: number): BuiltTable {
  const name = ast.name.name;
  if (ast.asSelect) throw new Error("buildTable: CREATE TABLE ... AS SELECT must be expanded to columns first");
  const sql = source.slice(ast.start, ast.end);
  const columns = ast.columns.map((def) => buildColumn(def, source, name, ast.strict));
  checkDuplicateColumns(columns);

  const columnIndex = (ident: { name: string }): number => {
    const i = columns.findIndex((c) => foldName(c.name) === foldName(ident.name));
    if (i < 0) throw new SqliteError(`no such column: ${ident.name}`);
    return i;
  };

  let primaryKey: IndexColumn[] | null = null;
  let primaryKeyConflict: ConflictAction = "ABORT";
  let autoincrement = false;
  let pkColumnDesc = false;
  /** Where the PRIMARY KEY's automatic index falls among the constraint indexes (SQLite numbers them in declaration order). */
  let pkSlot = 0;
  const constraintIndexes: ConstraintIndex[] = [];
  const checks: Check[] = [];
  const foreignKeys: ForeignKey[] = [];

  const setPrimaryKey = (cols: IndexColumn[], conflict: ConflictAction | null, autoinc: boolean): void => {
    if (primaryKey) throw new SqliteError(`table "${name}" has more than one primary key`);
    primaryKey = cols;
    pkSlot = constraintIndexes.length;
    primaryKeyConflict = conflict ?? "ABORT";
    autoincrement = autoinc;
  };

  ast.columns.forEach((def, i) => {
    for (const c of def.constraints) {
      switch (c.kind) {
        case "PrimaryKeyColumnConstraint":
          setPrimaryKey([{ column: i, expr: null, collation: columns[i].collation, desc: c.direction === "DESC" }], c.onConflict, c.autoincrement);
          pkColumnDesc = c.direction === "DESC";
          break;
        case "UniqueColumnConstraint":
          constraintIndexes.push({
            origin: "u",
            columns: [{ column: i, expr: null, collation: columns[i].collation, desc: false }],
            onConflict: c.onConflict ?? "ABORT",
          });
          break;
        case "CheckConstraint":
          checks.push({ name: c.name?.name ?? null, expr: c.expr, text: source.slice(c.expr.start, c.expr.end) });
          break;
        case "ReferencesColumnConstraint":
          foreignKeys.push(buildForeignKey([i], c.foreignKey));
          break;
        default:
          break;
      }
    }
  });

  const indexColumns = (list: IndexedColumn[]): IndexColumn[] =>
    list.map((ic) => {
      let expr: Expr = ic.expr;
      let collation: string | null = null;
      while (expr.kind === "CollateExpr") {
        collation ??= expr.collation.name.toUpperCase();
        expr = expr.expr;
      }
      if (expr.kind !== "ColumnRef" || expr.table) {
        throw new SqliteError("expressions prohibited in PRIMARY KEY and UNIQUE constraints");
      }
      const column = columnIndex(expr.column);
      return { column, expr: null, collation: collation ?? columns[column].collation, desc: ic.direction === "DESC" };
    });

  for (const c of ast.constraints) {
    switch (c.kind) {
      case "PrimaryKeyTableConstraint":
        setPrimaryKey(indexColumns(c.columns), c.onConflict, c.autoincrement);
        break;
      case "UniqueTableConstraint":
        constraintIndexes.push({ origin: "u", columns: indexColumns(c.columns), onConflict: c.onConflict ?? "ABORT" });
        break;
      case "CheckConstraint":
        checks.push({ name: c.name?.name ?? null, expr: c.expr, text: source.slice(c.expr.start, c.expr.end) });
        break;
      case "ForeignKeyTableConstraint":
        foreignKeys.push(buildForeignKey(c.columns.map(columnIndex), c.foreignKey));
        break;
    }
  }

  // A WITHOUT ROWID table's key names each column (under one collation) once: PRIMARY KEY(a, b, a) is (a, b).
  const declaredPk: IndexColumn[] = primaryKey ?? [];
  const pk = ast.withoutRowid ? declaredPk.filter((ic, i) => declaredPk.findIndex((o) => o.column === ic.column && o.collation === ic.collation) === i) : declaredPk;
  pk.forEach((ic, position) => {
    columns[ic.column].primaryKeyPosition = position + 1;
  });

  // An INTEGER PRIMARY KEY aliases the rowid, except when declared
  // `INTEGER PRIMARY KEY DESC` on the column (a documented SQLite quirk).
  let rowidAlias = -1;
  if (!ast.withoutRowid && pk.length === 1 && columns[pk[0].column].declaredType.toUpperCase() === "INTEGER" && !pkColumnDesc) {
    rowidAlias = pk[0].column;
  }
  if (autoincrement && ast.withoutRowid) throw new SqliteError("AUTOINCREMENT not allowed on WITHOUT ROWID tables");
  if (autoincrement && rowidAlias < 0) {
    throw new SqliteError("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
  }
  if (ast.withoutRowid) {
    if (pk.length === 0) throw new SqliteError(`PRIMARY KEY missing on table ${name}`);
    for (const ic of pk) columns[ic.column].notNull = true;
  }
  if (rowidAlias < 0 && pk.length > 0) {
    constraintIndexes.splice(pkSlot, 0, { origin: "pk", columns: pk, onConflict: primaryKeyConflict });
  }

  const table: Table = {
    kind: "table",
    name,
    rootPage,
    sql,
    columns,
    rowidAlias,
    primaryKey: pk.map((ic) => ic.column),
    primaryKeyConflict,
    autoincrement,
    withoutRowid: ast.withoutRowid,
    strict: ast.strict,
    checks,
    foreignKeys,
    indexes: [],
  };
  return { table, constraintIndexes: dedupeIndexes(constraintIndexes) };
}

function buildColumn(def: ColumnDef, source: string, table: string, strict: boolean): Column {
  const declaredType = def.type ? source.slice(def.type.start, def.type.end) : "";
  let strictType: StrictType | null = null;
  if (strict) {
    const upper = declaredType.toUpperCase();
    if (!declaredType) throw new SqliteError(`missing datatype for ${table}.${def.name.name}`);
    if (!STRICT_TYPES.has(upper)) throw new SqliteError(`unknown datatype for ${table}.${def.name.name}: "${declaredType}"`);
    strictType = upper as StrictType;
  }
  const column: Column = {
    name: def.name.name,
    declaredType,
    affinity: strictType === "ANY" ? "blob" : affinityOfTypeName(declaredType),
    strictType,
    notNull: false,
    notNullConflict: "ABORT",
    default: null,
    collation: "BINARY",
    primaryKeyPosition: 0,
    generated: null,
    hidden: 0,
  };
  for (const c of def.constraints) {
    switch (c.kind) {
      case "NotNullColumnConstraint":
        column.notNull = true;
        column.notNullConflict = c.onConflict ?? "ABORT";
        break;
      case "DefaultColumnConstraint":
        column.default = c.expr;
        break;
      case "CollateColumnConstraint":
        column.collation = c.collation.name.toUpperCase();
        break;
      case "GeneratedColumnConstraint": {
        // SQLite's parser refuses AS after a DEFAULT; a DEFAULT after AS is refused below.
        if (column.default) throw new SqliteError(`error in generated column "${column.name}"`);
        const stored = c.storage === "STORED";
        column.generated = { expr: c.expr, stored };
        column.hidden = stored ? 3 : 2;
        break;
      }
      default:
        break;
    }
  }
  if (column.generated && column.default) {
    throw new SqliteError(`cannot use DEFAULT on a generated column`);
  }
  return column;
}

function checkDuplicateColumns(columns: Column[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    const key = foldName(c.name);
    if (seen.has(key)) throw new SqliteError(`duplicate column name: ${c.name}`);
    seen.add(key);
  }
}

function buildForeignKey(columns: number[], fk: ForeignKeyClause): ForeignKey {
  if (fk.columns && fk.columns.length !== columns.length) {
    throw new SqliteError(`number of columns in foreign key does not match the number of columns in the referenced table`);
  }
  return {
    columns,
    parentTable: fk.table.name,
    parentColumns: fk.columns ? fk.columns.map((c) => c.name) : null,
    onDelete: fk.onDelete ?? "NO ACTION",
    onUpdate: fk.onUpdate ?? "NO ACTION",
    deferred: fk.deferrable !== null && !fk.deferrable.not && fk.deferrable.initially === "DEFERRED",
  };
}

/**
 * SQLite creates one index for identical UNIQUE/PRIMARY KEY column lists: the
 * first declared keeps its number, and becomes the PRIMARY KEY's index when a
 * later PRIMARY KEY repeats it.
 */
function dedupeIndexes(indexes: ConstraintIndex[]): ConstraintIndex[] {
  const out: ConstraintIndex[] = [];
  for (const index of indexes) {
    const same = out.findIndex(
      (o) =>
        o.columns.length === index.columns.length &&
        o.columns.every((c, i) => c.column === index.columns[i].column && c.collation === index.columns[i].collation),
    );
    if (same < 0) out.push(index);
    else if (index.origin === "pk") out[same] = { ...out[same], origin: "pk", onConflict: index.onConflict === "ABORT" ? out[same].onConflict : index.onConflict };
  }
  return out;
}
