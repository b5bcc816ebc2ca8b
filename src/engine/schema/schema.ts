// The in-memory catalog: tables, indexes, views and triggers as read from
// sqlite_schema. Objects are immutable once built; a schema change builds a
// new Schema (copy-on-write), so a statement compiled against one Schema
// keeps a consistent view of it.
//
// Names are case-insensitive for lookup (SQLite folds ASCII case only), but
// keep the case they were declared with.
import type { ConflictAction, CreateTrigger, Expr, ForeignKeyAction, Select } from "../sql/ast.js";
import type { Affinity, StrictType } from "../value/affinity.js";

/** ASCII-only case folding, as SQLite uses for identifiers. */
export function foldName(name: string): string {
  let lower = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      lower = false;
      break;
    }
  }
  return lower ? name : name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export interface Column {
  name: string;
  /** Declared type text as written (`VARCHAR(10)`), "" when none. */
  declaredType: string;
  affinity: Affinity;
  /** Set for STRICT tables. */
  strictType: StrictType | null;
  notNull: boolean;
  notNullConflict: ConflictAction;
  /** DEFAULT expression, or null. */
  default: Expr | null;
  /** Collating sequence name, upper case (`BINARY` unless declared). */
  collation: string;
  /** 1-based position in the PRIMARY KEY, 0 when not part of it. */
  primaryKeyPosition: number;
  /** Generated column expression, or null. */
  generated: { expr: Expr; stored: boolean } | null;
  /** PRAGMA table_xinfo's `hidden`: 0 normal, 2 virtual generated, 3 stored generated. */
  hidden: 0 | 2 | 3;
}

export interface ForeignKey {
  /** Child columns (indexes into Table.columns). */
  columns: number[];
  parentTable: string;
  /** Parent column names; null means the parent's PRIMARY KEY. */
  parentColumns: string[] | null;
  onDelete: ForeignKeyAction;
  onUpdate: ForeignKeyAction;
  deferred: boolean;
}

export interface Check {
  name: string | null;
  expr: Expr;
  /** Source text of the expression (named in "CHECK constraint failed: ..." when unnamed). */
  text: string;
}

export interface IndexColumn {
  /** Table column index; -1 for the rowid; -2 for an expression. */
  column: number;
  expr: Expr | null;
  collation: string;
  desc: boolean;
}

export interface Index {
  kind: "index";
  name: string;
  tableName: string;
  rootPage: number;
  /** CREATE INDEX text; null for indexes SQLite creates itself (UNIQUE/PRIMARY KEY). */
  sql: string | null;
  unique: boolean;
  /** "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY constraint. */
  origin: "c" | "u" | "pk";
  onConflict: ConflictAction;
  /** WHERE clause of a partial index. */
  where: Expr | null;
  columns: IndexColumn[];
}

export interface Table {
  kind: "table";
  name: string;
  rootPage: number;
  sql: string;
  columns: Column[];
  /** Index of the INTEGER PRIMARY KEY column that aliases the rowid, or -1. */
  rowidAlias: number;
  /** PRIMARY KEY columns in key order (empty when the table has none). */
  primaryKey: number[];
  primaryKeyConflict: ConflictAction;
  autoincrement: boolean;
  withoutRowid: boolean;
  strict: boolean;
  checks: Check[];
  foreignKeys: ForeignKey[];
  /** Indexes on this table (constraint-made first, in declaration order, then CREATE INDEX ones). */
  indexes: Index[];
}

export interface View {
  kind: "view";
  name: string;
  sql: string;
  columnNames: string[] | null;
  select: Select;
}

export interface Trigger {
  kind: "trigger";
  name: string;
  tableName: string;
  sql: string;
  ast: CreateTrigger;
}

export type SchemaObject = Table | Index | View | Trigger;

/** The catalog of one database at one schema version. */
export class Schema {
  private readonly tables = new Map<string, Table>();
  private readonly views = new Map<string, View>();
  private readonly indexes = new Map<string, Index>();
  private readonly triggers = new Map<string, Trigger>();

  /** @param cookie the schema cookie (header offset 40) this catalog was read at. */
  constructor(readonly cookie: number) {}

  table(name: string): Table | undefined {
    return this.tables.get(foldName(name));
  }

  view(name: string): View | undefined {
    return this.views.get(foldName(name));
  }

  index(name: string): Index | undefined {
    return this.indexes.get(foldName(name));
  }

  trigger(name: string): Trigger | undefined {
    return this.triggers.get(foldName(name));
  }

  /** Any object by name (table, view, index or trigger). */
  object(name: string): SchemaObject | undefined {
    const key = foldName(name);
    return this.tables.get(key) ?? this.views.get(key) ?? this.indexes.get(key) ?? this.triggers.get(key);
  }

  allTables(): IterableIterator<Table> {
    return this.tables.values();
  }

  allViews(): IterableIterator<View> {
    return this.views.values();
  }

  allTriggers(): IterableIterator<Trigger> {
    return this.triggers.values();
  }

  triggersOn(tableName: string): Trigger[] {
    const key = foldName(tableName);
    return [...this.triggers.values()].filter((t) => foldName(t.tableName) === key);
  }

  /**
   * Adds an object, optionally under other names too (sqlite_schema is also
   * sqlite_master). Used while building; a Schema is not changed once published.
   */
  add(object: SchemaObject, names: string[] = [object.name]): void {
    const key = foldName(object.name);
    switch (object.kind) {
      case "table":
        for (const name of names) this.tables.set(foldName(name), object);
        for (const index of object.indexes) this.indexes.set(foldName(index.name), index);
        break;
      case "view":
        this.views.set(key, object);
        break;
      case "index":
        this.indexes.set(key, object);
        break;
      case "trigger":
        this.triggers.set(key, object);
        break;
    }
  }
}
