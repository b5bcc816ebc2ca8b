// SqliteError: the one error type the engine throws for SQL-level failures,
// with SQLite's result-code names (primary or extended) and messages.

export type SqliteErrorCode =
  | "SQLITE_ERROR"
  | "SQLITE_INTERNAL"
  | "SQLITE_PERM"
  | "SQLITE_ABORT"
  | "SQLITE_BUSY"
  | "SQLITE_BUSY_SNAPSHOT"
  | "SQLITE_LOCKED"
  | "SQLITE_NOMEM"
  | "SQLITE_READONLY"
  | "SQLITE_INTERRUPT"
  | "SQLITE_IOERR"
  | "SQLITE_CORRUPT"
  | "SQLITE_NOTFOUND"
  | "SQLITE_FULL"
  | "SQLITE_CANTOPEN"
  | "SQLITE_PROTOCOL"
  | "SQLITE_SCHEMA"
  | "SQLITE_TOOBIG"
  | "SQLITE_CONSTRAINT"
  | "SQLITE_CONSTRAINT_CHECK"
  | "SQLITE_CONSTRAINT_FOREIGNKEY"
  | "SQLITE_CONSTRAINT_NOTNULL"
  | "SQLITE_CONSTRAINT_PRIMARYKEY"
  | "SQLITE_CONSTRAINT_TRIGGER"
  | "SQLITE_CONSTRAINT_UNIQUE"
  | "SQLITE_CONSTRAINT_DATATYPE"
  | "SQLITE_MISMATCH"
  | "SQLITE_MISUSE"
  | "SQLITE_RANGE"
  | "SQLITE_NOTADB";

/** Conflict resolutions that end a statement differently from ABORT (undo the statement alone). */
export type ConstraintResolution = "FAIL" | "ROLLBACK";

export class SqliteError extends Error {
  override name = "SqliteError";
  /** Set on a RAISE(FAIL) or RAISE(ROLLBACK) error, or a constraint's own ON CONFLICT FAIL / ROLLBACK: how it ends the statement. */
  resolution?: ConstraintResolution;
  /**
   * @param code SQLite's result code name, e.g. `SQLITE_CONSTRAINT_UNIQUE`.
   * @param offset for syntax errors, the character offset in the SQL text where the error was found.
   */
  constructor(
    message: string,
    readonly code: SqliteErrorCode = "SQLITE_ERROR",
    readonly offset?: number,
  ) {
    super(message);
  }
}
