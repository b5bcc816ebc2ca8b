// Applying the catalog's schema migrations to an engine Database: in version
// order, each in its own transaction together with the bump of PRAGMA
// user_version, so a migration is applied exactly once and a failed one
// leaves the previous version intact. Platform-neutral.
import type { Database } from "../../engine/index.js";

export interface Migration {
  /** 1, 2, 3... from the file name NNNN_*.sql. */
  version: number;
  name: string;
  sql: string;
}

/** Applies the migrations newer than the database's user_version; returns the versions applied. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): number[] {
  const current = db.prepare("PRAGMA user_version").pluck().get() as number;
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
