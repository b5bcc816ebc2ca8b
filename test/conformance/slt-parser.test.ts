// The sqllogictest record parser and line sources: record kinds, conditions,
// comments, CRLF endings, labels, hashed results, chunked file reading.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileLines, textLines } from "./slt/lines.js";
import { parseSlt } from "./slt/parser.js";
import type { SltRecord } from "./slt/records.js";

const parse = (text: string): SltRecord[] => [...parseSlt(textLines(text))];

describe("sqllogictest parser", () => {
  it("reads statements, queries, hash-threshold and halt with their line numbers", () => {
    const records = parse(
      [
        "hash-threshold 16",
        "",
        "statement ok",
        "CREATE TABLE t1(a INTEGER,",
        "  b TEXT)",
        "",
        "statement error",
        "SELECT * FROM nowhere",
        "",
        "query IT rowsort",
        "SELECT a, b",
        "  FROM t1",
        "----",
        "1",
        "x",
        "",
        "halt",
      ].join("\n"),
    );
    expect(records).toEqual([
      { kind: "hash-threshold", line: 1, conditions: [], threshold: 16 },
      { kind: "statement", line: 3, conditions: [], expectError: false, sql: "CREATE TABLE t1(a INTEGER,\n  b TEXT)" },
      { kind: "statement", line: 7, conditions: [], expectError: true, sql: "SELECT * FROM nowhere" },
      {
        kind: "query",
        line: 10,
        conditions: [],
        types: "IT",
        sort: "rowsort",
        label: undefined,
        sql: "SELECT a, b\n  FROM t1",
        expected: { kind: "values", values: ["1", "x"] },
      },
      { kind: "halt", line: 17, conditions: [] },
    ]);
  });

  it("collects skipif/onlyif conditions, ignoring trailing comments on their lines", () => {
    const [record] = parse("skipif mysql # not compatible\nonlyif sqlite\nquery I nosort\nSELECT 1\n----\n1\n");
    expect(record.conditions).toEqual([
      { kind: "skipif", engine: "mysql" },
      { kind: "onlyif", engine: "sqlite" },
    ]);
    expect(record.kind).toBe("query");
    expect(record.line).toBe(1);
  });

  it("drops '#' comment lines anywhere, even inside a record, and treats whitespace-only lines as blank", () => {
    const records = parse("# leading comment\nstatement ok\n# inside\nCREATE TABLE t(x)\n   \t\nstatement ok\nDROP TABLE t\n");
    expect(records.map((r) => (r.kind === "statement" ? r.sql : r.kind))).toEqual(["CREATE TABLE t(x)", "DROP TABLE t"]);
  });

  it("handles CRLF line endings like LF", () => {
    const lf = "query I rowsort label-1\nSELECT 1\n----\n1\n\nstatement ok\nSELECT 2\n";
    expect(parse(lf.replace(/\n/g, "\r\n"))).toEqual(parse(lf));
  });

  it("parses labels (first 20 characters, as the reference runner keys them) and hashed results", () => {
    const [query] = parse("query I valuesort label-0123456789abcdefghij\nSELECT 1\n----\n30 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n");
    expect(query).toMatchObject({
      kind: "query",
      sort: "valuesort",
      label: "label-0123456789abcd",
      expected: { kind: "hash", count: 30, md5: "3c13dee48d9356ae19af2515e05e6b54" },
    });
  });

  it("keeps a query without a ---- line as having no expected result, and an empty result as no values", () => {
    const [noSeparator, empty] = parse("query I\nSELECT 1\n\nquery I nosort\nSELECT 1 WHERE 0\n----\n");
    expect(noSeparator).toMatchObject({ kind: "query", sort: "nosort", sql: "SELECT 1", expected: undefined });
    expect(empty).toMatchObject({ kind: "query", expected: { kind: "values", values: [] } });
  });

  it("turns records the reference runner rejects into invalid records", () => {
    const records = parse("statement maybe\nSELECT 1\n\nfrobnicate now\n\nskipif sqlite\n");
    expect(records.map((r) => (r.kind === "invalid" ? r.message : r.kind))).toEqual([
      "statement argument should be 'ok' or 'error'",
      "unknown record type 'frobnicate'",
      "condition without a record",
    ]);
  });

  it("reads a file in chunks without splitting lines or UTF-8 characters, removing one \\r per line", () => {
    const dir = mkdtempSync(join(tmpdir(), "slt-lines-"));
    const path = join(dir, "lines.test");
    const lines = ["query T nosort", "SELECT 'héllo wörld €'", "----", "h@@llo w@@rld @@@", "", "last line without newline"];
    writeFileSync(path, lines.join("\r\n"));
    for (const chunk of [1, 2, 3, 7, 1 << 20]) expect([...fileLines(path, chunk)]).toEqual(lines);
  });

  it("splits text on \\n only: a bare \\r inside a line stays", () => {
    expect([...textLines("a\rb\r\nc\n")]).toEqual(["a\rb", "c"]);
  });
});
