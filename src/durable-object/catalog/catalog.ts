// The control-plane catalog's data: which databases exist (created through
// the API or registered on first use) and which tokens were minted. Runs on
// the engine over any PageStore; the catalog Durable Object gives it durable
// storage. Platform-neutral.
import { Database, type PageStore } from "../../engine/index.js";
import { applyMigrations } from "./migrate.js";
import { MIGRATIONS } from "./migrations.generated.js";

export interface DatabaseEntry {
  name: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface TokenRecord {
  id: string;
  database: string | null;
  access: "rw" | "ro";
  createdAt: number;
  expiresAt: number | null;
}

/** The catalog's page size: it holds a few rows per database, so small pages keep each commit small. */
const CATALOG_PAGE_SIZE = 4096;

interface DatabaseRow {
  name: string;
  created_at: number;
}

const entry = (row: DatabaseRow): DatabaseEntry => ({ name: row.name, createdAt: row.created_at });

export class Catalog {
  private readonly db: Database;

  constructor(store: PageStore) {
    this.db = new Database({ store, pageSize: CATALOG_PAGE_SIZE });
    applyMigrations(this.db, MIGRATIONS);
  }

  /** Adds `name`; false when it is already there. */
  create(name: string, now: number): boolean {
    return this.db.prepare("INSERT INTO databases (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING").run(name, now).changes === 1;
  }

  /** Adds `name` unless present: databases created on first use register this way. */
  register(name: string, now: number): void {
    this.create(name, now);
  }

  get(name: string): DatabaseEntry | null {
    const row = this.db.prepare("SELECT name, created_at FROM databases WHERE name = ?").get(name) as DatabaseRow | undefined;
    return row ? entry(row) : null;
  }

  list(): DatabaseEntry[] {
    return (this.db.prepare("SELECT name, created_at FROM databases ORDER BY name").all() as DatabaseRow[]).map(entry);
  }

  /** Removes `name`; false when it was not there. */
  remove(name: string): boolean {
    return this.db.prepare("DELETE FROM databases WHERE name = ?").run(name).changes === 1;
  }

  recordToken(token: TokenRecord): void {
    this.db
      .prepare("INSERT INTO tokens (id, database, access, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .run(token.id, token.database, token.access, token.createdAt, token.expiresAt);
  }

  /** The schema version the migrations brought the catalog to. */
  schemaVersion(): number {
    return this.db.prepare("PRAGMA user_version").pluck().get() as number;
  }
}
