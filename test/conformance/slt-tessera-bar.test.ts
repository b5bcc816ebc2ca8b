// CI's conformance bar for Tessera's engine: select1-5.test and evidence/
// from the sqllogictest corpus must each pass at least 99% of their records.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, createEngine, passRate, runSltFiles, type SltSummary } from "./slt/index.js";

const BAR = 0.99;

async function run(paths: string[]): Promise<SltSummary> {
  const engine = await createEngine("tessera");
  return runSltFiles(engine, paths.map((p) => join(corpusDir(), p)), { timeoutPerFileMs: 120_000 });
}

function describeFailures(summary: SltSummary): string {
  return summary.files
    .flatMap((f) => f.failures.slice(0, 3).map((x) => `${f.path}:${x.line}: ${x.message}`))
    .slice(0, 20)
    .join("\n");
}

describe("sqllogictest pass rate of the Tessera engine", () => {
  it("passes at least 99% of select1-5.test", { timeout: 300_000 }, async () => {
    const summary = await run(["select1.test", "select2.test", "select3.test", "select4.test", "select5.test"]);
    console.log(`select1-5: ${summary.total.passed}/${summary.total.run} (${(passRate(summary.total) * 100).toFixed(2)}%)`);
    expect(summary.total.run).toBeGreaterThan(10_000);
    expect(passRate(summary.total), describeFailures(summary)).toBeGreaterThanOrEqual(BAR);
  });

  it("passes at least 99% of evidence/", { timeout: 120_000 }, async () => {
    const summary = await run(["evidence"]);
    console.log(`evidence: ${summary.total.passed}/${summary.total.run} (${(passRate(summary.total) * 100).toFixed(2)}%)`);
    expect(summary.total.run).toBeGreaterThan(400);
    expect(passRate(summary.total), describeFailures(summary)).toBeGreaterThanOrEqual(BAR);
  });
});
