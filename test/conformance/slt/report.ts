// Reporting of sqllogictest runs: one line per file, failure details,
// per-folder subtotals, the closing "N passed, N failed, N skipped" line, and
// the same figures as JSON.
import { dirname, relative, sep } from "node:path";
import { addCounts, emptyCounts, passRate, type SltCounts, type SltFailure, type SltFileResult, type SltSummary } from "./runner.js";

function percent(counts: SltCounts): string {
  return `${(passRate(counts) * 100).toFixed(1)}%`;
}

function countsText(c: SltCounts): string {
  return `${c.run} run, ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
}

/** e.g. "PASS evidence/in1.test: 214 run, 214 passed, 0 failed, 12 skipped (0.3 s)". */
export function formatFileLine(result: SltFileResult, displayPath: string): string {
  const status = result.failed > 0 ? "FAIL" : "PASS";
  const notes = [result.halted ? "halted" : "", result.timedOut ? "timed out" : ""].filter((n) => n !== "");
  const noteText = notes.length > 0 ? `, ${notes.join(", ")}` : "";
  return `${status} ${displayPath}: ${countsText(result)} (${(result.durationMs / 1000).toFixed(1)} s${noteText})`;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `      ${l}`);
}

/** A failure as a few indented lines: location, message, SQL, expected and actual. */
export function formatFailure(failure: SltFailure, displayPath: string): string {
  const out = [`  ${displayPath}:${failure.line}: ${failure.message}`];
  if (failure.sql !== "") out.push("    SQL:", ...indent(failure.sql.split("\n")));
  if (failure.expected) out.push("    expected:", ...indent(failure.expected));
  if (failure.actual) out.push("    actual:", ...indent(failure.actual));
  if (failure.actualValues) out.push("    actual values (first ones, sorted):", ...indent(failure.actualValues));
  return out.join("\n");
}

export interface SltFolderTotal {
  /** Folder relative to the base, "." for the base itself; "/" separated. */
  folder: string;
  files: number;
  counts: SltCounts;
}

/** Cumulative totals for every folder level between `baseDir` and the files, sorted by folder. */
export function folderTotals(files: readonly SltFileResult[], baseDir: string): SltFolderTotal[] {
  const totals = new Map<string, SltFolderTotal>();
  for (const file of files) {
    const parts = relative(baseDir, dirname(file.path)).split(sep).filter((p) => p !== "");
    for (let depth = 0; depth <= parts.length; depth++) {
      const folder = depth === 0 ? "." : parts.slice(0, depth).join("/");
      let total = totals.get(folder);
      if (total === undefined) {
        total = { folder, files: 0, counts: emptyCounts() };
        totals.set(folder, total);
      }
      total.files++;
      addCounts(total.counts, file);
    }
  }
  return [...totals.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

export function formatFolderLine(total: SltFolderTotal): string {
  const files = `${total.files} file${total.files === 1 ? "" : "s"}`;
  return `${total.folder}/: ${files}, ${countsText(total.counts)}, pass rate ${percent(total.counts)}`;
}

/** The closing line, exactly "N passed, N failed, N skipped". */
export function formatTotalsLine(total: SltCounts): string {
  return `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`;
}

/** A machine-readable summary (for --json): totals, folder subtotals and per-file counts. */
export function summaryJson(summary: SltSummary, baseDir: string, engine: string): string {
  const display = (path: string): string => relative(baseDir, path).split(sep).join("/");
  return JSON.stringify(
    {
      engine,
      durationMs: Math.round(summary.durationMs),
      total: summary.total,
      folders: folderTotals(summary.files, baseDir),
      files: summary.files.map((f) => ({
        path: display(f.path),
        run: f.run,
        passed: f.passed,
        failed: f.failed,
        skipped: f.skipped,
        durationMs: Math.round(f.durationMs),
        halted: f.halted,
        timedOut: f.timedOut,
      })),
    },
    null,
    2,
  );
}
