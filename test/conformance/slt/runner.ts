// Runs sqllogictest scripts against an engine adapter and counts, per file,
// the statement and query records that passed, failed or were skipped by
// their skipif/onlyif conditions. Semantics follow the reference runner
// (sqllogictest.c); where this runner differs it is stricter, see below.
import type { SltConnection, SltEngine } from "./engine.js";
import { collectSltFiles } from "./files.js";
import { formatRows, type SltColumnType } from "./format.js";
import { fileLines, textLines } from "./lines.js";
import { parseSlt } from "./parser.js";
import type { SltCondition, SltQuery, SltRecord, SltStatement } from "./records.js";
import { expectedHash, expectedLines, hashLine, hashValues, isSortMode, sortValues } from "./result.js";

export interface SltRunOptions {
  /** The engine name skipif/onlyif match (case-insensitively). Default "sqlite": Tessera answers to it too. */
  conditionName?: string;
  /** Stop a file once it has run this long (checked between records); the stop counts as one failure. */
  timeoutPerFileMs?: number;
  /** Failures kept with details per file (all are counted). Default 10. */
  maxFailuresKept?: number;
  /** Called after each file, e.g. to print progress. */
  onFile?: (result: SltFileResult) => void;
}

export interface SltCounts {
  /** Statement and query records executed (passed + failed). */
  run: number;
  passed: number;
  failed: number;
  /** Statement and query records not run because of their conditions. */
  skipped: number;
}

export interface SltFailure {
  line: number;
  sql: string;
  message: string;
  /** The expected result as written in the script. */
  expected?: string[];
  /** The actual result printed the same way (one hash line above the hash threshold). */
  actual?: string[];
  /** For a hashed actual result, its first values, to help diagnose. */
  actualValues?: string[];
}

export interface SltFileResult extends SltCounts {
  path: string;
  durationMs: number;
  /** A `halt` record stopped the file. */
  halted: boolean;
  timedOut: boolean;
  failures: SltFailure[];
}

export interface SltSummary {
  files: SltFileResult[];
  total: SltCounts;
  durationMs: number;
}

const DEFAULT_HASH_THRESHOLD = 8;
const VALUES_SHOWN_FOR_HASHED = 20;

export function emptyCounts(): SltCounts {
  return { run: 0, passed: 0, failed: 0, skipped: 0 };
}

export function addCounts(into: SltCounts, from: SltCounts): void {
  into.run += from.run;
  into.passed += from.passed;
  into.failed += from.failed;
  into.skipped += from.skipped;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** skipif NAME skips when NAME is the engine; onlyif NAME skips unless it is. */
function isSkipped(conditions: readonly SltCondition[], engineName: string): boolean {
  const name = engineName.toLowerCase();
  return conditions.some((c) => (c.kind === "skipif") === (c.engine.toLowerCase() === name));
}

/** The state of one script run: its connection, hash threshold and labels. */
class ScriptRun {
  readonly result: SltFileResult;
  private hashThreshold = DEFAULT_HASH_THRESHOLD;
  /** label -> MD5 of the result it stands for. */
  private readonly labels = new Map<string, string>();
  private readonly conditionName: string;
  private readonly maxFailuresKept: number;

  constructor(
    private readonly connection: SltConnection,
    path: string,
    options: SltRunOptions,
  ) {
    this.result = { path, durationMs: 0, halted: false, timedOut: false, failures: [], ...emptyCounts() };
    this.conditionName = options.conditionName ?? "sqlite";
    this.maxFailuresKept = options.maxFailuresKept ?? 10;
  }

  /** Runs one record; returns false when the file must stop here (halt). */
  step(record: SltRecord): boolean {
    if (isSkipped(record.conditions, this.conditionName)) {
      if (record.kind === "statement" || record.kind === "query") this.result.skipped++;
      if (record.kind === "query") this.seedLabelFromSkipped(record);
      return true;
    }
    switch (record.kind) {
      case "statement":
        this.runStatement(record);
        return true;
      case "query":
        this.runQuery(record);
        return true;
      case "hash-threshold":
        this.hashThreshold = record.threshold;
        return true;
      case "halt":
        this.result.halted = true;
        return false;
      case "invalid":
        // The reference runner stops the file at an unknown record type; records
        // are delimited by blank lines, so this runner fails it and goes on.
        this.fail({ line: record.line, sql: record.text, message: record.message });
        return true;
    }
  }

  timeOut(line: number, limitMs: number): void {
    this.result.timedOut = true;
    this.fail({ line, sql: "", message: `timed out after ${limitMs / 1000} s; the rest of the file was not run` });
  }

  private pass(): void {
    this.result.run++;
    this.result.passed++;
  }

  private fail(failure: SltFailure): void {
    this.result.run++;
    this.result.failed++;
    if (this.result.failures.length < this.maxFailuresKept) this.result.failures.push(failure);
  }

  private runStatement(record: SltStatement): void {
    let error: string | undefined;
    try {
      this.connection.execute(record.sql);
    } catch (e) {
      error = errorMessage(e);
    }
    if (record.expectError && error === undefined) {
      this.fail({ line: record.line, sql: record.sql, message: "statement succeeded but an error was expected" });
    } else if (!record.expectError && error !== undefined) {
      this.fail({ line: record.line, sql: record.sql, message: `statement failed: ${error}` });
    } else {
      this.pass();
    }
  }

  private runQuery(record: SltQuery): void {
    const { line, sql } = record;
    if (!/^[TIR]+$/.test(record.types)) {
      this.fail({ line, sql, message: `bad type string '${record.types}' (one of T, I, R per column)` });
      return;
    }
    if (!isSortMode(record.sort)) {
      this.fail({ line, sql, message: `unknown sort method '${record.sort}'` });
      return;
    }
    const types = record.types.split("") as SltColumnType[];
    let values: string[];
    try {
      const result = this.connection.query(sql);
      if (result.columnCount !== types.length) {
        const message = `wrong number of result columns: expected ${types.length} but got ${result.columnCount}`;
        this.fail({ line, sql, message });
        return;
      }
      values = sortValues(formatRows(result.rows, types), types.length, record.sort);
    } catch (e) {
      this.fail({ line, sql, message: `query failed: ${errorMessage(e)}` });
      return;
    }

    // As in the reference runner, results above the threshold are compared by
    // hash. Unlike it (it stops at the shorter list), every line must match.
    const hashed = this.hashThreshold > 0 && values.length > this.hashThreshold;
    const md5 = hashed || record.label !== undefined ? hashValues(values) : "";
    const actual = hashed ? [hashLine(values.length, md5)] : values;
    const details = (message: string): SltFailure => ({
      line,
      sql,
      message,
      expected: record.expected && expectedLines(record.expected),
      actual,
      actualValues: hashed ? values.slice(0, VALUES_SHOWN_FOR_HASHED) : undefined,
    });
    if (record.expected) {
      const expected = expectedLines(record.expected);
      if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
        this.fail(details("wrong result"));
        return;
      }
    }
    if (record.label !== undefined && !this.labelAgrees(record.label, record, md5)) {
      this.fail(details(`result of label '${record.label}' differs from an earlier query with that label`));
      return;
    }
    this.pass();
  }

  /**
   * The first query of a label fixes the hash the label stands for: its
   * expected result when it has one (so one wrong result does not fail every
   * later query of the label), else its actual result.
   */
  private labelAgrees(label: string, record: SltQuery, actualHash: string): boolean {
    const known = this.labels.get(label);
    if (known !== undefined) return known === actualHash;
    this.labels.set(label, record.expected ? expectedHash(record.expected) : actualHash);
    return true;
  }

  /** A skipped labelled query still tells what its label stands for (the reference runner does this too). */
  private seedLabelFromSkipped(record: SltQuery): void {
    if (record.label === undefined || record.expected === undefined || this.labels.has(record.label)) return;
    this.labels.set(record.label, expectedHash(record.expected));
  }
}

function runScript(engine: SltEngine, path: string, lines: Iterable<string>, options: SltRunOptions): SltFileResult {
  const started = performance.now();
  const connection = engine.open();
  const run = new ScriptRun(connection, path, options);
  try {
    for (const record of parseSlt(lines)) {
      const limit = options.timeoutPerFileMs;
      if (limit !== undefined && performance.now() - started > limit) {
        run.timeOut(record.line, limit);
        break;
      }
      if (!run.step(record)) break;
    }
  } finally {
    connection.close();
  }
  run.result.durationMs = performance.now() - started;
  return run.result;
}

/** Runs one script file on a fresh database of `engine`. */
export function runSltFile(engine: SltEngine, path: string, options: SltRunOptions = {}): SltFileResult {
  return runScript(engine, path, fileLines(path), options);
}

/** Runs a script given as text (unit tests); `name` stands for its path in the result. */
export function runSltText(engine: SltEngine, text: string, options: SltRunOptions = {}, name = "<text>"): SltFileResult {
  return runScript(engine, name, textLines(text), options);
}

/**
 * Runs every script under `paths` (files, or folders searched recursively
 * for *.test), each on a fresh database, and totals the counts.
 */
export async function runSltFiles(engine: SltEngine, paths: readonly string[], options: SltRunOptions = {}): Promise<SltSummary> {
  const started = performance.now();
  const files: SltFileResult[] = [];
  const total = emptyCounts();
  for (const path of collectSltFiles(paths)) {
    const result = runSltFile(engine, path, options);
    files.push(result);
    addCounts(total, result);
    options.onFile?.(result);
    // Let timers and I/O (progress output, vitest's worker pings) through between files.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { files, total, durationMs: performance.now() - started };
}

/** passed / run, 1 when nothing ran. */
export function passRate(counts: SltCounts): number {
  return counts.run === 0 ? 1 : counts.passed / counts.run;
}
