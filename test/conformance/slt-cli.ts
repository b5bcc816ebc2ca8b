// `npm run slt -- [--engine sqlite|tessera] [--verbose] [--max-failures-shown N]
//  [--timeout-per-file SECONDS] [--json FILE] [files or folders...]`: runs sqllogictest
// scripts (default: the whole corpus), prints one line per file, per-folder
// subtotals, and ends with "N passed, N failed, N skipped". Exit code 0 only
// when nothing failed.
import { writeFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { corpusDir } from "./slt/corpus.js";
import { createEngine, DEFAULT_ENGINE } from "./slt/engines.js";
import { collectSltFiles } from "./slt/files.js";
import { folderTotals, formatFailure, formatFileLine, formatFolderLine, formatTotalsLine, summaryJson } from "./slt/report.js";
import { runSltFilesIsolated } from "./slt/isolated.js";
import { runSltFiles, type SltFileResult } from "./slt/runner.js";

const USAGE =
  "usage: npm run slt -- [--engine sqlite|tessera] [--verbose] [--max-failures-shown N] [--timeout-per-file SECONDS] [--json FILE] [files or folders...]";

function positiveNumber(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${option} needs a positive number, got '${text}'`);
  return n;
}

/** The deepest folder containing every path (a file stands for its folder). */
function commonFolder(paths: readonly string[], files: readonly string[]): string {
  const folders = paths.map((p) => {
    const absolute = resolve(p);
    return files.includes(absolute) ? dirname(absolute) : absolute;
  });
  let common = folders[0].split(sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(sep);
    let i = 0;
    while (i < common.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      engine: { type: "string", default: DEFAULT_ENGINE },
      verbose: { type: "boolean", short: "v", default: false },
      "max-failures-shown": { type: "string", default: "5" },
      "timeout-per-file": { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const maxFailuresShown = positiveNumber(values["max-failures-shown"], "max-failures-shown");
  const timeoutSeconds = values["timeout-per-file"];
  const timeoutPerFileMs = timeoutSeconds === undefined ? undefined : positiveNumber(timeoutSeconds, "timeout-per-file") * 1000;
  const paths = positionals.length > 0 ? positionals : [corpusDir()];
  const baseDir = commonFolder(paths, collectSltFiles(paths));
  const display = (path: string): string => relative(baseDir, path).split(sep).join("/") || path;
  const options = {
    maxFailuresKept: maxFailuresShown,
    onFile: (result: SltFileResult) => {
      console.log(formatFileLine(result, display(result.path)));
      if (values.verbose) for (const failure of result.failures) console.log(formatFailure(failure, display(result.path)));
    },
  };

  console.log(`sqllogictest: engine ${values.engine}, ${paths.join(" ")}`);
  // With a time limit, files run in a worker thread that can be killed if a statement never returns.
  const summary =
    timeoutPerFileMs === undefined
      ? await runSltFiles(await createEngine(values.engine), paths, options)
      : await runSltFilesIsolated(values.engine, paths, { ...options, timeoutPerFileMs });
  if (summary.files.length > 1) {
    console.log("\nFolders:");
    for (const total of folderTotals(summary.files, baseDir)) console.log(formatFolderLine(total));
  }
  if (values.json !== undefined) writeFileSync(values.json, `${summaryJson(summary, baseDir, values.engine)}\n`);
  console.log(`\n${summary.files.length} files in ${(summary.durationMs / 1000).toFixed(1)} s`);
  console.log(formatTotalsLine(summary.total));
  return summary.total.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`slt: ${error instanceof Error ? error.message : String(error)}`);
    console.error(USAGE);
    process.exitCode = 2;
  },
);
