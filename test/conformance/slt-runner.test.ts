// The runner end to end through real SQLite (sql.js): record semantics on
// small scripts, a few corpus files that must pass (and the one record SQLite
// itself fails), and the CLI's output and exit codes.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { SltEngine } from "./slt/engine.js";
import { corpusDir } from "./slt/corpus.js";
import { createSqlJsEngine } from "./slt/sqljs-engine.js";
import { runSltFiles, runSltText, type SltFileResult } from "./slt/runner.js";

let sqlite: SltEngine;
beforeAll(async () => {
  sqlite = await createSqlJsEngine();
});

const run = (script: string): SltFileResult => runSltText(sqlite, script);
const counts = (r: SltFileResult) => ({ run: r.run, passed: r.passed, failed: r.failed, skipped: r.skipped });

const TABLE = "statement ok\nCREATE TABLE t(a INTEGER, b TEXT)\n\nstatement ok\nINSERT INTO t VALUES(2,'x'),(1,'y'),(3,NULL)\n\n";

describe("runner semantics", () => {
  it("passes statements that succeed or fail as expected and fails the others", () => {
    const result = run(`${TABLE}statement error\nSELECT * FROM missing\n\nstatement ok\nSELECT * FROM missing\n\nstatement error\nSELECT 1\n`);
    expect(counts(result)).toEqual({ run: 5, passed: 3, failed: 2, skipped: 0 });
    expect(result.failures.map((f) => [f.line, f.message])).toEqual([
      [10, "statement failed: no such table: missing"],
      [13, "statement succeeded but an error was expected"],
    ]);
  });

  it("sorts with rowsort and valuesort, keeps the order with nosort", () => {
    const result = run(
      `${TABLE}query IT rowsort\nSELECT a, b FROM t\n----\n1\ny\n2\nx\n3\nNULL\n\n` +
        `query T valuesort\nSELECT b FROM t\n----\nNULL\nx\ny\n\n` +
        `query I nosort\nSELECT a FROM t ORDER BY a DESC\n----\n3\n2\n1\n\n` +
        `query I nosort\nSELECT a FROM t ORDER BY a DESC\n----\n1\n2\n3\n`,
    );
    expect(counts(result)).toEqual({ run: 6, passed: 5, failed: 1, skipped: 0 });
    expect(result.failures[0]).toMatchObject({ message: "wrong result", expected: ["1", "2", "3"], actual: ["3", "2", "1"] });
  });

  it("applies skipif/onlyif for the engine name sqlite (case-insensitive) and stops at an applicable halt", () => {
    const result = run(
      "skipif SQLite\nstatement ok\nBOGUS\n\nonlyif mysql\nstatement ok\nBOGUS\n\nskipif mysql\nstatement ok\nSELECT 1\n\n" +
        "onlyif sqlite\nstatement ok\nSELECT 1\n\nskipif sqlite\nhalt\n\nonlyif sqlite\nhalt\n\nstatement ok\nBOGUS\n",
    );
    expect(counts(result)).toEqual({ run: 2, passed: 2, failed: 0, skipped: 2 });
    expect(result.halted).toBe(true);
  });

  it("compares by hash above the hash threshold, by values at or below it", () => {
    const values = "1\n2\n3";
    const script = (threshold: number, expected: string) =>
      `hash-threshold ${threshold}\n\nquery I rowsort\nVALUES(3),(2),(1)\n----\n${expected}\n`;
    const hash = "3 values hashing to c0710d6b4f15dfa88f600b0e6b624077"; // md5("1\n2\n3\n")
    expect(counts(run(script(2, hash)))).toMatchObject({ passed: 1, failed: 0 });
    expect(counts(run(script(3, values)))).toMatchObject({ passed: 1, failed: 0 });
    expect(counts(run(script(0, values)))).toMatchObject({ passed: 1, failed: 0 });
    expect(counts(run(script(2, values)))).toMatchObject({ passed: 0, failed: 1 });
    const wrongHash = run(script(2, hash.replace("c07", "d07")));
    expect(wrongHash.failures[0]).toMatchObject({ actual: [hash], actualValues: ["1", "2", "3"] });
  });

  it("checks that queries sharing a label agree, seeding the label from the first query's expected result", () => {
    const result = run(
      `${TABLE}query I rowsort label-a\nSELECT a FROM t\n----\n1\n2\n3\n\n` +
        `query I rowsort label-a\nSELECT a FROM t WHERE a < 10\n\n` +
        `query I rowsort label-a\nSELECT a FROM t WHERE a > 1\n\n` +
        `skipif sqlite\nquery I rowsort label-b\nSELECT 0\n----\n7\n\n` +
        `query I rowsort label-b\nSELECT 7\n`,
    );
    expect(counts(result)).toEqual({ run: 6, passed: 5, failed: 1, skipped: 1 });
    expect(result.failures[0]).toMatchObject({ line: 17, message: "result of label 'label-a' differs from an earlier query with that label" });
  });

  it("fails queries with the wrong column count, a bad type string, an unknown sort or an error", () => {
    const result = run(
      "query II nosort\nSELECT 1\n----\n1\n\nquery X nosort\nSELECT 1\n----\n1\n\nquery I upsidedown\nSELECT 1\n----\n1\n\n" +
        "query I nosort\nSELECT * FROM missing\n----\n\nfrobnicate\n\nquery I nosort\nSELECT 1\n----\n1\n",
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      "wrong number of result columns: expected 2 but got 1",
      "bad type string 'X' (one of T, I, R per column)",
      "unknown sort method 'upsidedown'",
      "query failed: no such table: missing",
      "unknown record type 'frobnicate'",
    ]);
    expect(counts(result)).toEqual({ run: 6, passed: 1, failed: 5, skipped: 0 });
  });

  it("stops a file that exceeds its time budget and counts that as a failure", () => {
    const result = runSltText(sqlite, `${TABLE}statement ok\nSELECT 1\n`, { timeoutPerFileMs: 1e-9 });
    expect(result.timedOut).toBe(true);
    expect(counts(result)).toEqual({ run: 1, passed: 0, failed: 1, skipped: 0 });
  });
});

describe("corpus files through real SQLite", () => {
  it("passes select1.test, select2.test and a CRLF file completely", async () => {
    const summary = await runSltFiles(sqlite, ["select1.test", "select2.test", "random/select/slt_good_125.test"].map((f) => join(corpusDir(), f)));
    expect(summary.files.map((f) => [f.failed, f.passed])).toEqual([
      [0, 1031],
      [0, 1031],
      [0, 12],
    ]);
  });

  it("passes evidence/ except the one query SQLite itself fails (integer overflow in sum)", async () => {
    const summary = await runSltFiles(sqlite, [join(corpusDir(), "evidence")]);
    expect(summary.files).toHaveLength(12);
    expect(summary.total).toEqual({ run: 489, passed: 488, failed: 1, skipped: 5 });
    const failed = summary.files.filter((f) => f.failed > 0);
    expect(failed.map((f) => [f.path.endsWith("slt_lang_aggfunc.test"), f.failures[0].line, f.failures[0].message])).toEqual([
      [true, 480, "query failed: integer overflow"],
    ]);
  });
});

describe("slt CLI", () => {
  const cli = join(import.meta.dirname, "slt-cli.ts");
  const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");
  const runCli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(tsx, [cli, ...args]);
      return { code: 0, stdout, stderr };
    } catch (e) {
      const failed = e as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  it("prints a line per file, folder subtotals and the closing totals line; exit 1 when something failed", async () => {
    const { code, stdout } = await runCli(["--engine", "sqlite", "--verbose", join(corpusDir(), "evidence")]);
    const lines = stdout.trimEnd().split("\n");
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe("488 passed, 1 failed, 5 skipped");
    expect(stdout).toMatch(/^PASS in1\.test: 214 run, 214 passed, 0 failed, 2 skipped \(\d+\.\d s\)$/m);
    expect(stdout).toMatch(/^\.\/: 12 files, 489 run, 488 passed, 1 failed, 5 skipped, pass rate 99\.8%$/m);
    expect(stdout).toContain("FAIL slt_lang_aggfunc.test: 80 run, 79 passed, 1 failed, 0 skipped");
    expect(stdout).toContain("slt_lang_aggfunc.test:480: query failed: integer overflow");
  });

  it("exits 0 when every record passes", async () => {
    const { code, stdout } = await runCli([join(corpusDir(), "evidence", "in2.test")]);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("53 passed, 0 failed, 1 skipped");
  });

  it("exits 2 with a message for an unknown engine", async () => {
    const { code, stderr } = await runCli(["--engine", "nosuch", join(corpusDir(), "evidence", "in2.test")]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown engine 'nosuch' (expected sqlite or tessera)");
  });
});
