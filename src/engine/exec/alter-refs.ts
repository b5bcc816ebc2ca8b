// Finds, in the parsed CREATE text of a schema object, every identifier
// token that names a given table, or a given column of that table, as SQLite
// 3.26+ does for ALTER TABLE RENAME (it re-parses each object and resolves
// its names). Resolution follows SQL scoping: FROM items of a SELECT and of
// the enclosing SELECTs, CTEs shadowing tables, aliases hiding the table
// name, NEW/OLD in triggers. The spans found are then rewritten in place,
// so the rest of the stored text stays exactly as written.
import type { Schema } from "../schema/schema.js";
import { foldName } from "../schema/schema.js";
import type {
  CreateIndex,
  CreateTable,
  CreateTrigger,
  Expr,
  ForeignKeyClause,
  FromItem,
  Ident,
  Select,
  SelectBody,
  Statement,
  TriggerStatement,
} from "../sql/ast.js";

/** One name visible in a scope: a FROM item, NEW/OLD, or the table of a CREATE TABLE/INDEX. */
interface ScopeItem {
  /** Folded name the item is referred to by (alias, else table name). */
  name: string;
  /** True when `name` is not the table's own name (an alias, NEW, OLD): a qualifier then never names the table. */
  aliased: boolean;
  /** Folded name of the schema table behind the item, or null (subquery, CTE, function). */
  table: string | null;
  /** Folded column names, or null when unknown. */
  columns: string[] | null;
}

/** Scope levels, innermost first. */
type Scopes = ScopeItem[][];

/** References to one table (and optionally one of its columns) inside one schema object. */
export class RefFinder {
  readonly tableRefs: Ident[] = [];
  readonly columnRefs: Ident[] = [];
  /**
   * The column references that only name a column (INSERT and UPDATE OF column lists,
   * SET targets, foreign key parent columns): renamed, but not resolved when SQLite
   * checks the schema after DROP COLUMN.
   */
  readonly nameOnly = new Set<Ident>();
  /** Column references in WHERE, GROUP BY or HAVING that a result alias of the same name would also satisfy. */
  readonly aliasFallback = new Set<Ident>();
  /** Double-quoted words that name no column, so SQLite reads them as strings (its legacy rule). */
  readonly doubleQuotedStrings: Ident[] = [];
  /** How SQLite names a qualified reference in "no such column" (`new.c`, `t.c`); unqualified ones are just the column. */
  readonly qualifiedNames = new Map<Ident, string>();
  private readonly table: string;
  private readonly column: string | null;
  /** CTE names in scope, innermost last. */
  private readonly ctes: Map<string, string[] | null>[] = [];

  constructor(
    private readonly schema: Schema,
    table: string,
    column: string | null,
  ) {
    this.table = foldName(table);
    this.column = column === null ? null : foldName(column);
  }

  /** Collects the references in a CREATE statement read from sqlite_schema. */
  visit(stmt: Statement): this {
    switch (stmt.kind) {
      case "CreateTable":
        this.createTable(stmt);
        break;
      case "CreateIndex":
        this.createIndex(stmt);
        break;
      case "CreateView":
        this.select(stmt.select, []);
        break;
      case "CreateTrigger":
        this.createTrigger(stmt);
        break;
      default:
        break;
    }
    return this;
  }

  private isTarget(name: string): boolean {
    return foldName(name) === this.table;
  }

  private tableIdent(id: Ident): void {
    if (this.isTarget(id.name)) this.tableRefs.push(id);
  }

  private columnIdent(id: Ident, nameOnly = false): void {
    if (this.column === null || foldName(id.name) !== this.column) return;
    this.columnRefs.push(id);
    if (nameOnly) this.nameOnly.add(id);
  }

  private columnsOf(name: string): string[] | null {
    const table = this.schema.table(name);
    if (table) return table.columns.map((c) => foldName(c.name));
    const view = this.schema.view(name);
    if (view) return view.columnNames?.map(foldName) ?? resultNames(view.select);
    return null;
  }

  /** The item for a schema table referred to by its own name. */
  private tableItem(name: string): ScopeItem {
    return { name: foldName(name), aliased: false, table: foldName(name), columns: this.columnsOf(name) };
  }

  private createTable(stmt: CreateTable): void {
    const self = this.isTarget(stmt.name.name);
    if (self) this.tableIdent(stmt.name);
    const scopes: Scopes = [[{ name: foldName(stmt.name.name), aliased: false, table: foldName(stmt.name.name), columns: stmt.columns.map((c) => foldName(c.name.name)) }]];
    const ownExpr = (e: Expr): void => {
      if (self) this.expr(e, scopes);
    };
    for (const def of stmt.columns) {
      if (self) this.columnIdent(def.name);
      for (const c of def.constraints) {
        if (c.kind === "CheckConstraint" || c.kind === "GeneratedColumnConstraint") ownExpr(c.expr);
        else if (c.kind === "ReferencesColumnConstraint") this.foreignKey(c.foreignKey);
      }
    }
    for (const c of stmt.constraints) {
      switch (c.kind) {
        case "PrimaryKeyTableConstraint":
        case "UniqueTableConstraint":
          for (const ic of c.columns) ownExpr(ic.expr);
          break;
        case "CheckConstraint":
          ownExpr(c.expr);
          break;
        case "ForeignKeyTableConstraint":
          if (self) c.columns.forEach((id) => this.columnIdent(id));
          this.foreignKey(c.foreignKey);
          break;
      }
    }
  }

  private foreignKey(fk: ForeignKeyClause): void {
    if (!this.isTarget(fk.table.name)) return;
    this.tableIdent(fk.table);
    fk.columns?.forEach((id) => this.columnIdent(id, true));
  }

  private createIndex(stmt: CreateIndex): void {
    this.tableIdent(stmt.table);
    if (!this.isTarget(stmt.table.name)) return;
    const scopes: Scopes = [[this.tableItem(stmt.table.name)]];
    for (const ic of stmt.columns) this.expr(ic.expr, scopes);
    if (stmt.where) this.expr(stmt.where, scopes);
  }

  private createTrigger(stmt: CreateTrigger): void {
    this.tableIdent(stmt.table);
    if (this.isTarget(stmt.table.name)) stmt.updateOf?.forEach((id) => this.columnIdent(id, true));
    const columns = this.columnsOf(stmt.table.name);
    const table = foldName(stmt.table.name);
    const scopes: Scopes = [
      [
        { name: "new", aliased: true, table, columns },
        { name: "old", aliased: true, table, columns },
      ],
    ];
    if (stmt.when) this.expr(stmt.when, scopes);
    for (const s of stmt.body) this.triggerStatement(s, scopes);
  }

  private triggerStatement(s: TriggerStatement, outer: Scopes): void {
    if (s.kind === "Select") {
      this.select(s, outer);
      return;
    }
    this.withCtes(s.with, outer, () => {
      if (s.kind === "Insert") {
        this.tableIdent(s.table);
        if (this.isTarget(s.table.name)) s.columns?.forEach((id) => this.columnIdent(id, true));
        if (s.source.kind === "Select") this.select(s.source, outer);
        const target: ScopeItem = { ...this.tableItem(s.table.name), name: foldName(s.alias?.name ?? s.table.name), aliased: s.alias !== null };
        // SQLite resolves `excluded.x` to the target table itself, so RENAME TO rewrites that qualifier too.
        const excluded: ScopeItem = { ...target, name: "excluded", aliased: false };
        const scopes = [[target, excluded], ...outer];
        for (const u of s.upserts) {
          for (const ic of u.target ?? []) this.expr(ic.expr, scopes);
          if (u.targetWhere) this.expr(u.targetWhere, scopes);
          if (!u.doUpdate) continue;
          if (this.isTarget(s.table.name)) for (const set of u.doUpdate.set) set.columns.forEach((id) => this.columnIdent(id, true));
          for (const set of u.doUpdate.set) this.expr(set.value, scopes);
          if (u.doUpdate.where) this.expr(u.doUpdate.where, scopes);
        }
        return;
      }
      const items: ScopeItem[] = [];
      this.from(s.table, items, outer);
      if (s.kind === "Update") {
        if (this.isTarget(s.table.name.name)) for (const set of s.set) set.columns.forEach((id) => this.columnIdent(id, true));
        if (s.from) this.from(s.from, items, outer);
        for (const set of s.set) this.expr(set.value, [items, ...outer]);
      }
      if (s.where) this.expr(s.where, [items, ...outer]);
    });
  }

  private withCtes(withClause: Select["with"], outer: Scopes, body: () => void): void {
    if (!withClause) {
      body();
      return;
    }
    const frame = new Map<string, string[] | null>();
    this.ctes.push(frame);
    try {
      for (const cte of withClause.ctes) {
        if (withClause.recursive) frame.set(foldName(cte.name.name), null);
        this.select(cte.select, outer);
        frame.set(foldName(cte.name.name), cte.columns?.map((c) => foldName(c.name)) ?? resultNames(cte.select));
      }
      body();
    } finally {
      this.ctes.pop();
    }
  }

  private cte(name: string): string[] | null | undefined {
    const key = foldName(name);
    for (let i = this.ctes.length - 1; i >= 0; i--) if (this.ctes[i].has(key)) return this.ctes[i].get(key);
    return undefined;
  }

  private select(sel: Select, outer: Scopes): void {
    this.withCtes(sel.with, outer, () => {
      const items = this.body(sel.body, outer);
      const scopes = [items, ...outer];
      // An ORDER BY word naming a result alias is that result column, not a table column.
      const aliases = resultAliases(sel.body);
      for (const term of sel.orderBy) {
        let e = term.expr;
        while (e.kind === "CollateExpr") e = e.expr;
        if (e.kind === "ColumnRef" && !e.table && aliases.has(foldName(e.column.name))) continue;
        this.expr(term.expr, scopes);
      }
      if (sel.limit) {
        this.expr(sel.limit.limit, outer);
        if (sel.limit.offset) this.expr(sel.limit.offset, outer);
      }
    });
  }

  /** Walks a select body; returns the FROM items of its last core (what ORDER BY sees). */
  private body(body: SelectBody, outer: Scopes): ScopeItem[] {
    switch (body.kind) {
      case "CompoundSelect":
        this.body(body.left, outer);
        return this.body(body.right, outer);
      case "ValuesClause":
        for (const row of body.rows) for (const e of row) this.expr(e, outer);
        return [];
      case "SelectCore": {
        const items: ScopeItem[] = [];
        if (body.from) this.from(body.from, items, outer);
        const scopes = [items, ...outer];
        for (const rc of body.columns) {
          if (rc.kind === "ResultExpr") this.expr(rc.expr, scopes);
          else if (rc.kind === "ResultTableStar") this.qualifier(rc.table, scopes);
        }
        // There a word naming no column may name a result alias: after DROP COLUMN it still resolves.
        const aliases = resultAliases(body);
        const first = this.columnRefs.length;
        for (const e of [body.where, ...body.groupBy, body.having]) if (e) this.expr(e, scopes);
        for (const id of this.columnRefs.slice(first)) {
          if (aliases.has(foldName(id.name)) && !this.qualifiedNames.has(id)) this.aliasFallback.add(id);
        }
        for (const w of body.windows) this.expr(w.window as unknown as Expr, scopes);
        return items;
      }
    }
  }

  private from(item: FromItem, items: ScopeItem[], outer: Scopes): void {
    switch (item.kind) {
      case "TableRef": {
        const cteColumns = item.schema ? undefined : this.cte(item.name.name);
        if (cteColumns !== undefined) {
          items.push({ name: foldName(item.alias?.name ?? item.name.name), aliased: true, table: null, columns: cteColumns });
          return;
        }
        this.tableIdent(item.name);
        items.push({ ...this.tableItem(item.name.name), name: foldName(item.alias?.name ?? item.name.name), aliased: item.alias !== null });
        return;
      }
      case "TableFunctionRef":
        for (const a of item.args) this.expr(a, [items, ...outer]);
        items.push({ name: foldName(item.alias?.name ?? item.name.name), aliased: true, table: null, columns: null });
        return;
      case "SubqueryRef":
        this.select(item.select, outer);
        if (item.alias) items.push({ name: foldName(item.alias.name), aliased: true, table: null, columns: resultNames(item.select) });
        return;
      case "Join":
        this.from(item.left, items, outer);
        this.from(item.right, items, outer);
        if (item.on) this.expr(item.on, [items, ...outer]);
        return;
    }
  }

  /** A `q.` qualifier (of a column or `q.*`): renamed when it names the table itself. */
  private qualifier(q: Ident, scopes: Scopes): ScopeItem | null {
    const key = foldName(q.name);
    for (const level of scopes) {
      const item = level.find((i) => i.name === key);
      if (!item) continue;
      if (item.table === this.table && !item.aliased) this.tableRefs.push(q);
      return item;
    }
    return null;
  }

  private columnRef(ref: Extract<Expr, { kind: "ColumnRef" }>, scopes: Scopes): void {
    if (ref.table) {
      const item = this.qualifier(ref.table, scopes);
      if (item?.table !== this.table) return;
      this.columnIdent(ref.column);
      const parts = [ref.schema, ref.table, ref.column].flatMap((id) => (id ? [id.name] : []));
      this.qualifiedNames.set(ref.column, parts.join("."));
      return;
    }
    const key = foldName(ref.column.name);
    for (const level of scopes) {
      const item = level.find((i) => i.columns?.includes(key));
      if (!item) continue;
      if (item.table === this.table) this.columnIdent(ref.column);
      return;
    }
    const unknownColumns = scopes.some((level) => level.some((i) => i.columns === null));
    if (ref.column.quote === "double" && !unknownColumns) this.doubleQuotedStrings.push(ref.column);
  }

  /** Walks any expression-level node (also window definitions), descending into subqueries. */
  private expr(node: Expr, scopes: Scopes): void {
    switch (node.kind) {
      case "ColumnRef":
        this.columnRef(node, scopes);
        return;
      case "InTableExpr":
        if (node.args === null && !node.schema) this.tableIdent(node.table);
        break;
      default:
        break;
    }
    for (const value of Object.values(node) as unknown[]) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (!isNode(child)) continue;
        if (child.kind === "Select") this.select(child as unknown as Select, scopes);
        else if (child.kind !== "Ident") this.expr(child as unknown as Expr, scopes);
      }
    }
  }
}

function isNode(v: unknown): v is { kind: string } {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";
}

/** Folded result column names of a SELECT where they can be told without resolving it; null when a `*` hides them. */
function resultNames(sel: Select): string[] | null {
  let body = sel.body;
  while (body.kind === "CompoundSelect") body = body.left;
  if (body.kind !== "SelectCore") return null;
  const names: string[] = [];
  for (const rc of body.columns) {
    if (rc.kind !== "ResultExpr") return null;
    if (rc.alias) names.push(foldName(rc.alias.name));
    else if (rc.expr.kind === "ColumnRef") names.push(foldName(rc.expr.column.name));
    else names.push("");
  }
  return names;
}

function resultAliases(body: SelectBody): Set<string> {
  while (body.kind === "CompoundSelect") body = body.right;
  const aliases = new Set<string>();
  if (body.kind === "SelectCore") for (const rc of body.columns) if (rc.kind === "ResultExpr" && rc.alias) aliases.add(foldName(rc.alias.name));
  return aliases;
}

/** SQLite's identifier characters (sqlite3IsIdChar): a token starting with one was written unquoted. */
function startsUnquoted(sql: string, at: number): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[at] ?? "");
}

/** A replacement of one token of a stored text. */
export interface TokenEdit {
  ident: Ident;
  text: string;
}

/**
 * Edits naming `newName`, as SQLite's renameEditSql writes them: bare when
 * the token was bare and the ALTER statement wrote the new name bare, else
 * double-quoted.
 */
export function renameEdits(sql: string, idents: Ident[], newName: string, newNameQuoted: boolean): TokenEdit[] {
  const quoted = `"${newName.replace(/"/g, '""')}"`;
  return idents.map((ident) => ({ ident, text: newNameQuoted || !startsUnquoted(sql, ident.start) ? quoted : newName }));
}

/** Edits turning double-quoted words that are strings into 'single-quoted' strings (SQLite's quotefix before RENAME COLUMN). */
export function quoteFixEdits(idents: Ident[]): TokenEdit[] {
  return idents.map((ident) => ({ ident, text: `'${ident.name.replace(/'/g, "''")}'` }));
}

/** Applies token edits (each token at most once) to a stored text. */
export function applyEdits(sql: string, edits: TokenEdit[]): string {
  const sorted = [...new Map(edits.map((e) => [e.ident.start, e])).values()].sort((a, b) => b.ident.start - a.ident.start);
  let out = sql;
  for (const { ident, text } of sorted) out = out.slice(0, ident.start) + text + out.slice(ident.end);
  return out;
}
