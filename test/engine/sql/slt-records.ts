// Reads the SQL of sqllogictest records (format: /work/shared/sqllogictest/README.md)
// as they apply to SQLite: honours skipif/onlyif conditions and `halt`.
// Shared by the corpus parse tests and the parse benchmark.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const CORPUS_DIR = "/work/shared/sqllogictest";

export interface SltRecord {
  /** "ok" and "query" must succeed in SQLite; "error" must fail. */
  type: "ok" | "error" | "query";
  sql: string;
  file: string;
  line: number;
}

/** All *.test files under `dir` (or `dir` itself), sorted for reproducible runs. */
export function corpusFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...corpusFiles(path));
    else if (name.endsWith(".test")) out.push(path);
  }
  return out;
}

/** The records of one file that apply to SQLite, in order. */
export function* sqliteRecords(file: string): Generator<SltRecord> {
  const lines = readFileSync(file, "utf8").split("\n");
  let i = 0;
  while (i < lines.length) {
    // Skip blank lines and comments between records.
    const first = lines[i].replace(/\r$/, "");
    if (first.trim() === "" || first.startsWith("#")) {
      i++;
      continue;
    }
    let applies = true;
    let line = first;
    while (line.startsWith("skipif ") || line.startsWith("onlyif ")) {
      const engine = line.split(/\s+/)[1];
      if (line.startsWith("skipif ") ? engine === "sqlite" : engine !== "sqlite") applies = false;
      line = (lines[++i] ?? "").replace(/\r$/, "");
    }
    const recordLine = i + 1;
    const header = line.split(/\s+/);
    i++;
    if (header[0] === "halt") {
      if (applies) return;
      continue;
    }
    const sqlLines: string[] = [];
    if (header[0] === "statement" || header[0] === "query") {
      while (i < lines.length) {
        const l = lines[i].replace(/\r$/, "");
        if (l.trim() === "" || l === "----") break;
        sqlLines.push(l);
        i++;
      }
    }
    // Skip the rest of the record (expected results).
    while (i < lines.length && lines[i].replace(/\r$/, "").trim() !== "") i++;
    if (!applies || sqlLines.length === 0) continue;
    const sql = sqlLines.join("\n");
    if (header[0] === "query") yield { type: "query", sql, file, line: recordLine };
    else if (header[1] === "ok") yield { type: "ok", sql, file, line: recordLine };
    else if (header[1] === "error") yield { type: "error", sql, file, line: recordLine };
  }
}
