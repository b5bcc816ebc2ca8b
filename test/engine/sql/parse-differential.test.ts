// Seeded differential test against sql.js: valid statements are mutated
// (a token deleted, inserted or replaced, once or twice; or the head of one
// statement joined to the tail of another) and whenever SQLite
// reports a syntax error our parser must report the same message, and
// whenever SQLite accepts the text we must accept it too. Statements where
// SQLite's first error is a semantic one are skipped (SQLite reports those
// during parsing, we leave them to later stages), as are DELETE/UPDATE with
// ORDER BY/LIMIT, which we accept by design (SQLITE_ENABLE_UPDATE_DELETE_LIMIT).

import { expect, test } from "vitest";
import { parseScript } from "../../../src/engine/sql/parse.js";
import { tokenize } from "../../../src/engine/sql/tokenizer.js";
import { isSyntaxMessage, sqlitePrepareError } from "./sqljs-oracle.js";
import { VALID } from "./valid-cases.js";
import { seededRandom as random } from "../../helpers/random.js";

const MUTATIONS = 3000;
const SEED = 20261125;

const INSERTABLE = [
  "SELECT", "FROM", "(", ")", ",", "AND", "NOT", "NULL", "1", "'s'", "a", "ON", "AS", "JOIN", "BY", "ORDER",
  "=", "*", "IN", "IS", "CASE", "END", "WHEN", "DEFAULT", "PRIMARY", "KEY", "OVER", "FILTER", "WINDOW", ".",
  "-", "COLLATE", "LIMIT", "VALUES", "DISTINCT", "ALWAYS", "GENERATED", "INDEXED", "CURRENT", "ROW",
  "CONSTRAINT", "CHECK", "REFERENCES", "DELETE", "UPDATE", "SET", "DEFERRABLE", "TEMP", "IF", "EXISTS",
  "TRIGGER", "BEGIN", "INSERT", "INTO", "FOR", "EACH", "WITHOUT", "ROWID", "STRICT", "UNIQUE", "INDEX",
  "USING", "RENAME", "TO", "ADD", "COLUMN", "DROP", "CONFLICT", "DO", "NOTHING", "RETURNING", "REPLACE",
  "OR", "AUTOINCREMENT", "RECURSIVE", "WITH", "RAISE", "EXCLUDE", "PARTITION", "ROWS", "UNBOUNDED",
  "PRECEDING", "NULLS", "DESC", "NATURAL", "LEFT", "ESCAPE", "LIKE", "ISNULL", "BETWEEN", "UNION", "==",
];

function ourError(sql: string): string | null {
  try {
    parseScript(sql);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function tokensOf(sql: string): string[] {
  return tokenize(sql)
    .tokens.filter((t) => t.type !== "EOF")
    .map((t) => sql.slice(t.start, t.end));
}

test.each([
  ["token edits", false],
  ["crossover of two statements plus token edits", true],
])(`${MUTATIONS} mutated statements (%s) fail (or not) exactly as in SQLite`, async (_label, crossover) => {
  const rnd = random(SEED + (crossover ? 1 : 0));
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const mismatches: string[] = [];
  let compared = 0;
  for (let k = 0; k < MUTATIONS; k++) {
    const words = tokensOf(pick(VALID));
    if (crossover) {
      const other = tokensOf(pick(VALID));
      words.splice(Math.floor(rnd() * words.length), words.length, ...other.slice(Math.floor(rnd() * other.length)));
    }
    const count = (crossover ? 0 : 1) + Math.floor(rnd() * 2);
    for (let m = 0; m < count; m++) {
      const at = Math.floor(rnd() * words.length);
      const op = rnd();
      if (op < 0.4) words.splice(at, 1);
      else if (op < 0.8) words.splice(at, 0, pick(INSERTABLE));
      else words[at] = pick(INSERTABLE);
    }
    const sql = words.join(" ");
    if (sql.includes(";")) continue;
    const expected = await sqlitePrepareError(sql);
    if (expected !== null && !isSyntaxMessage(expected)) continue;
    if (/^(WITH .*\)\s*)?(DELETE|UPDATE)\b/.test(sql) && /^near "(ORDER|LIMIT)"/.test(expected ?? "")) continue;
    compared++;
    const actual = ourError(sql);
    if (actual !== expected) mismatches.push(`${sql}\n  sqlite: ${expected}\n  ours:   ${actual}`);
  }
  expect(mismatches).toEqual([]);
  expect(compared).toBeGreaterThan(MUTATIONS / 2);
});
