// Reporting: per-file lines, cumulative per-folder subtotals, the closing
// totals line and the JSON summary.
import { describe, expect, it } from "vitest";
import { folderTotals, formatFailure, formatFileLine, formatTotalsLine, summaryJson } from "./slt/report.js";
import type { SltFileResult } from "./slt/runner.js";

function file(path: string, passed: number, failed: number, skipped: number): SltFileResult {
  return { path, run: passed + failed, passed, failed, skipped, durationMs: 1250, halted: false, timedOut: false, failures: [] };
}

const files = [
  file("/corpus/select1.test", 10, 0, 1),
  file("/corpus/index/between/1/a.test", 5, 1, 0),
  file("/corpus/index/between/10/b.test", 4, 0, 2),
  file("/corpus/index/in/10/c.test", 3, 3, 0),
];

describe("sqllogictest reports", () => {
  it("totals every folder level cumulatively", () => {
    expect(folderTotals(files, "/corpus").map((t) => [t.folder, t.files, t.counts.passed, t.counts.failed, t.counts.skipped])).toEqual([
      [".", 4, 22, 4, 3],
      ["index", 3, 12, 4, 2],
      ["index/between", 2, 9, 1, 2],
      ["index/between/1", 1, 5, 1, 0],
      ["index/between/10", 1, 4, 0, 2],
      ["index/in", 1, 3, 3, 0],
      ["index/in/10", 1, 3, 3, 0],
    ]);
  });

  it("prints file lines, failures and the exact closing line", () => {
    expect(formatFileLine(files[1], "index/between/1/a.test")).toBe(
      "FAIL index/between/1/a.test: 6 run, 5 passed, 1 failed, 0 skipped (1.3 s)",
    );
    expect(formatFileLine({ ...files[0], halted: true }, "select1.test")).toBe(
      "PASS select1.test: 10 run, 10 passed, 0 failed, 1 skipped (1.3 s, halted)",
    );
    expect(formatTotalsLine({ run: 26, passed: 22, failed: 4, skipped: 3 })).toBe("22 passed, 4 failed, 3 skipped");
    const failure = formatFailure({ line: 7, sql: "SELECT 1", message: "wrong result", expected: ["2"], actual: ["1"] }, "a.test");
    expect(failure.split("\n")).toEqual(["  a.test:7: wrong result", "    SQL:", "      SELECT 1", "    expected:", "      2", "    actual:", "      1"]);
  });

  it("summarises a run as JSON with paths relative to the base folder", () => {
    const json = JSON.parse(summaryJson({ files, total: { run: 26, passed: 22, failed: 4, skipped: 3 }, durationMs: 5000 }, "/corpus", "sqlite"));
    expect(json.engine).toBe("sqlite");
    expect(json.total).toEqual({ run: 26, passed: 22, failed: 4, skipped: 3 });
    expect(json.files[1]).toEqual({ path: "index/between/1/a.test", run: 6, passed: 5, failed: 1, skipped: 0, durationMs: 1250, halted: false, timedOut: false });
    expect(json.folders).toHaveLength(7);
  });
});
