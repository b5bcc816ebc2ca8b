// Isolated runs: scripts run in a worker thread; a script whose query never
// returns is stopped at the hard limit and the next script runs in a fresh worker.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSltFilesIsolated } from "./slt/isolated.js";

const PASSING = "query I nosort\nSELECT 1 + 1\n----\n2\n\nstatement ok\nCREATE TABLE t(x)\n";
// A recursive CTE without a bound never returns.
const HANGING = `${PASSING}\nquery I nosort\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c\n----\n0\n`;

describe("isolated sqllogictest runs", () => {
  it("stops a file whose query never returns and goes on with the next file in a new worker", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slt-isolated-"));
    for (const [name, text] of [["a.test", PASSING], ["b.test", HANGING], ["c.test", PASSING]]) writeFileSync(join(dir, name), text);
    const seen: string[] = [];
    const summary = await runSltFilesIsolated("sqlite", [dir], {
      // Generous for the passing files on a loaded machine; the hanging one is killed at the hard limit.
      timeoutPerFileMs: 1000,
      hardTimeoutPerFileMs: 2000,
      onFile: (result) => seen.push(result.path),
    });
    expect(seen).toEqual(["a.test", "b.test", "c.test"].map((n) => join(dir, n)));
    expect(summary.files.map((f) => [f.passed, f.failed, f.timedOut])).toEqual([
      [2, 0, false],
      [0, 1, true],
      [2, 0, false],
    ]);
    expect(summary.files[1].failures[0].message).toBe("still running after 2 s, stopped; this file's counts are lost");
    expect(summary.total).toEqual({ run: 5, passed: 4, failed: 1, skipped: 0 });
  });

  it("reports an engine that cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slt-isolated-"));
    writeFileSync(join(dir, "a.test"), PASSING);
    await expect(runSltFilesIsolated("nosuch", [dir], { timeoutPerFileMs: 1000 })).rejects.toThrow("unknown engine 'nosuch'");
  });
});
