// The adapter interface between the sqllogictest runner and a database engine.
// An engine opens fresh, empty databases; each script runs on its own one.
import type { SqlValue } from "../../../src/engine/value/types.js";

export type SltEngineName = "sqlite" | "tessera";

export interface SltQueryResult {
  /** The statement's column count, known even when no row is returned. */
  columnCount: number;
  /** Values in canonical form (src/engine/value/types.ts). */
  rows: SqlValue[][];
}

export interface SltConnection {
  /** Runs one or more SQL statements; throws when any fails. */
  execute(sql: string): void;
  /** Runs the first statement of `sql` and returns all its rows; throws on error. */
  query(sql: string): SltQueryResult;
  close(): void;
}

export interface SltEngine {
  readonly name: SltEngineName;
  /** A connection to a new, empty database. */
  open(): SltConnection;
}
