// isComplete: SQLite's sqlite3_complete, deciding whether a text ends a
// statement (a `;` outside strings, comments and CREATE TRIGGER bodies).
// Used by shells and by clients that collect input line by line.

import { tokenize, type Token } from "./tokenizer.js";

// The token classes and state machine of SQLite's complete.c.
const SEMI = 0;
const OTHER = 1;
const EXPLAIN = 2;
const CREATE = 3;
const TEMP = 4;
const TRIGGER = 5;
const END = 6;

// TRANSITIONS[state][tokenClass]; states: 0 start, 1 after `;`, 2 normal,
// 3 after EXPLAIN, 4 after CREATE, 5 inside a trigger, 6 `;` in trigger,
// 7 END after `;` in trigger. Complete when the final state is 1.
const TRANSITIONS: readonly (readonly number[])[] = [
  // SEMI OTHER EXPLAIN CREATE TEMP TRIGGER END
  [1, 2, 3, 4, 2, 2, 2],
  [1, 2, 3, 4, 2, 2, 2],
  [1, 2, 2, 2, 2, 2, 2],
  [1, 3, 2, 4, 2, 2, 2],
  [1, 2, 2, 2, 4, 5, 2],
  [6, 5, 5, 5, 5, 5, 5],
  [6, 5, 5, 5, 5, 5, 7],
  [1, 5, 5, 5, 5, 5, 5],
];

function tokenClass(t: Token): number {
  switch (t.type) {
    case ";":
      return SEMI;
    case "EXPLAIN":
      return EXPLAIN;
    case "CREATE":
      return CREATE;
    case "TEMP":
      return TEMP;
    case "TRIGGER":
      return TRIGGER;
    case "END":
      return END;
    default:
      return OTHER;
  }
}

/** Whether `sql` ends with a complete statement, exactly like sqlite3_complete. */
export function isComplete(sql: string): boolean {
  const { tokens, unterminatedComment } = tokenize(sql);
  if (unterminatedComment) return false;
  let state = 0;
  for (const t of tokens) {
    if (t.type === "EOF") break;
    // An unterminated string or quoted name runs to the end: never complete.
    if (t.type === "ILLEGAL" && t.end === sql.length && /^['"`[]/.test(sql[t.start])) return false;
    state = TRANSITIONS[state][tokenClass(t)];
  }
  return state === 1;
}
