// The corpus parse check shared by the corpus-*.test.ts files: every
// statement of every SQLite-applicable `statement ok` / `query` record must
// parse; every `statement error` record that SQLite rejects with a syntax
// error must be rejected by us with the same message.

import { expect } from "vitest";
import { parseScript } from "../../../src/engine/sql/parse.js";
import { corpusFiles, sqliteRecords, type SltRecord } from "./slt-records.js";
import { isSyntaxMessage, sqlitePrepareError } from "./sqljs-oracle.js";

export interface CorpusCounts {
  records: number;
  statements: number;
  errorRecords: number;
  syntaxErrorRecords: number;
}

function ourError(sql: string): string | null {
  try {
    parseScript(sql);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function checkCorpus(dirs: string[]): Promise<CorpusCounts> {
  const counts: CorpusCounts = { records: 0, statements: 0, errorRecords: 0, syntaxErrorRecords: 0 };
  const failures: string[] = [];
  const errorRecords: SltRecord[] = [];
  for (const dir of dirs) {
    for (const file of corpusFiles(dir)) {
      for (const record of sqliteRecords(file)) {
        if (record.type === "error") {
          errorRecords.push(record);
          continue;
        }
        counts.records++;
        try {
          counts.statements += parseScript(record.sql).length;
        } catch (e) {
          if (failures.length < 20) failures.push(`${file}:${record.line}: ${(e as Error).message}\n${record.sql}`);
        }
      }
    }
  }
  for (const record of errorRecords) {
    counts.errorRecords++;
    const expected = await sqlitePrepareError(record.sql);
    if (expected === null || !isSyntaxMessage(expected)) continue;
    counts.syntaxErrorRecords++;
    const actual = ourError(record.sql);
    if (actual !== expected) failures.push(`${record.file}:${record.line}: expected ${expected}, got ${actual}`);
  }
  expect(failures).toEqual([]);
  return counts;
}
