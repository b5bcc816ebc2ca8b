// Streaming sqllogictest record parser. It reads lines the way the reference
// runner (sqllogictest.c) does: lines starting with '#' are dropped wherever
// they are, a line of only whitespace is blank, records are runs of
// non-blank lines, the first line is split into at most four whitespace-
// separated tokens. One record is materialised at a time.
import type { SltCondition, SltExpected, SltRecord } from "./records.js";

/** C isspace: space, \t \n \v \f \r. */
const BLANK = /^[ \t\n\v\f\r]*$/;
const TOKEN_SEPARATOR = /[ \t\n\v\f\r]+/;
const HASHED_RESULT = /^(\d+) values hashing to ([0-9a-f]{32})$/;
/** The reference runner stores at most 199 characters of a token. */
const MAX_TOKEN = 199;

interface Line {
  text: string;
  number: number;
}

function tokens(text: string): string[] {
  return text
    .trim()
    .split(TOKEN_SEPARATOR)
    .slice(0, 4)
    .map((t) => t.slice(0, MAX_TOKEN));
}

function parseExpected(lines: readonly string[]): SltExpected {
  const hashed = lines.length === 1 ? HASHED_RESULT.exec(lines[0]) : null;
  if (hashed) return { kind: "hash", count: Number(hashed[1]), md5: hashed[2] };
  return { kind: "values", values: [...lines] };
}

/** C atoi: the leading integer, 0 when there is none. */
function atoi(text: string | undefined): number {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isNaN(n) ? 0 : n;
}

function toRecord(block: readonly Line[]): SltRecord {
  const line = block[0].number;
  const conditions: SltCondition[] = [];
  let i = 0;
  for (; i < block.length; i++) {
    const [kind, engine] = tokens(block[i].text);
    if (kind !== "skipif" && kind !== "onlyif") break;
    conditions.push({ kind, engine: engine ?? "" });
  }
  const text = block.map((l) => l.text).join("\n");
  if (i === block.length) return { kind: "invalid", line, conditions, message: "condition without a record", text };
  const [keyword, arg1, arg2, arg3] = tokens(block[i].text);
  const body = block.slice(i + 1).map((l) => l.text);
  switch (keyword) {
    case "statement":
      if (arg1 !== "ok" && arg1 !== "error") {
        return { kind: "invalid", line, conditions, message: "statement argument should be 'ok' or 'error'", text };
      }
      return { kind: "statement", line, conditions, expectError: arg1 === "error", sql: body.join("\n") };
    case "query": {
      const separator = body.indexOf("----");
      const sqlLines = separator < 0 ? body : body.slice(0, separator);
      return {
        kind: "query",
        line,
        conditions,
        types: arg1 ?? "",
        sort: arg2 ?? "nosort",
        // The reference runner keys labels on their first 20 characters.
        label: arg3 === undefined ? undefined : arg3.slice(0, 20),
        sql: sqlLines.join("\n"),
        expected: separator < 0 ? undefined : parseExpected(body.slice(separator + 1)),
      };
    }
    case "hash-threshold":
      return { kind: "hash-threshold", line, conditions, threshold: atoi(arg1) };
    case "halt":
      return { kind: "halt", line, conditions };
    default:
      return { kind: "invalid", line, conditions, message: `unknown record type '${keyword}'`, text };
  }
}

/** The records of a script, one at a time, from its lines (see lines.ts). */
export function* parseSlt(lines: Iterable<string>): Generator<SltRecord> {
  let block: Line[] = [];
  let number = 0;
  for (const text of lines) {
    number++;
    if (text.startsWith("#")) continue;
    if (BLANK.test(text)) {
      if (block.length > 0) yield toRecord(block);
      block = [];
    } else {
      block.push({ text, number });
    }
  }
  if (block.length > 0) yield toRecord(block);
}
