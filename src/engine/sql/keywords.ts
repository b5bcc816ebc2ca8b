// SQLite's keyword table (mkkeywordhash.c) and the keyword classes the parser
// needs: which keywords may stand in for an identifier (parse.y's
// `%fallback ID`) and which are join keywords (JOIN_KW).

const KEYWORD_LIST = [
  "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC",
  "ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST",
  "CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS",
  "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
  "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH",
  "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL",
  "FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB",
  "GROUP", "GROUPS", "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED",
  "INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN",
  "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT",
  "NOTHING", "NOTNULL", "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS",
  "OUTER", "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE",
  "RANGE", "RECURSIVE", "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE",
  "RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET",
  "TABLE", "TEMP", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "UNBOUNDED", "UNION",
  "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN", "WHERE",
  "WINDOW", "WITH", "WITHOUT",
] as const;

export type Keyword = (typeof KEYWORD_LIST)[number];

/** Upper-case word -> keyword token type. TEMPORARY is the same token as TEMP. */
export const KEYWORDS: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ...KEYWORD_LIST.map((k): [string, Keyword] => [k, k]),
  ["TEMPORARY", "TEMP"],
]);

/** KEYWORDS plus the all-lower-case spelling of each, for words scanned without mixed case. */
export const KEYWORDS_ANY_CASE: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ...KEYWORDS,
  ...[...KEYWORDS].map(([word, kw]): [string, Keyword] => [word.toLowerCase(), kw]),
]);

/**
 * Keywords that SQLite accepts as an identifier wherever the keyword itself
 * cannot appear (parse.y `%fallback ID`, incl. window and CTIME_KW words and
 * LIKE_KW). The parser checks the keyword meaning first, then falls back.
 * WINDOW, OVER and FILTER are not here: the tokenizer turns them into plain
 * IDs when the context does not make them keywords. INDEXED is not here
 * either: parse.y lets it be an `id` but not an `ids` (Parser.isId/isIds).
 */
export const FALLBACK_ID: ReadonlySet<string> = new Set<string>([
  "ABORT", "ACTION", "AFTER", "ALWAYS", "ANALYZE", "ASC", "ATTACH", "BEFORE", "BEGIN", "BY",
  "CASCADE", "CAST", "COLUMN", "CONFLICT", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
  "CURRENT_TIMESTAMP", "DATABASE", "DEFERRED", "DESC", "DETACH", "DO", "EACH", "END",
  "EXCLUDE", "EXCLUSIVE", "EXPLAIN", "FAIL", "FIRST", "FOLLOWING", "FOR",
  "GENERATED", "GLOB", "GROUPS", "IF", "IGNORE", "IMMEDIATE", "INITIALLY",
  "INSTEAD", "KEY", "LAST", "LIKE", "MATCH", "MATERIALIZED", "NO", "NULLS", "OF", "OFFSET",
  "OTHERS", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "QUERY", "RAISE", "RANGE",
  "RECURSIVE", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE", "RESTRICT", "ROLLBACK",
  "ROW", "ROWS", "SAVEPOINT", "TEMP", "TIES", "TRIGGER", "UNBOUNDED", "VACUUM", "VIEW",
  "VIRTUAL", "WITH", "WITHOUT",
]);

/** JOIN_KW: valid in table/column names (`nm`) and expressions, not as a bare alias. */
export const JOIN_KEYWORDS: ReadonlySet<string> = new Set<string>([
  "CROSS", "FULL", "INNER", "LEFT", "NATURAL", "OUTER", "RIGHT",
]);
