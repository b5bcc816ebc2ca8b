// Test helper: runs the same SQL on Tessera and on real SQLite (sql.js) and
// reports each statement's outcome in one comparable shape: typed rows (REAL
// stays distinct from INTEGER) or the error message.
import initSqlJs, { type Database as SqlJsDatabase } from "sql.js";
import { afterAll, expect, it } from "vitest";
import { Database } from "../../../src/engine/index.js";
import { IntegralReal, intValue, realValue, type SqlValue } from "../../../src/engine/value/types.js";

export type Outcome = { rows: SqlValue[][] } | { error: string };

type RawValue = number | bigint | string | Uint8Array | null;

const SQL = await initSqlJs();

function canonical(v: RawValue): SqlValue {
  if (typeof v === "bigint") return intValue(v);
  if (typeof v === "number") return realValue(v);
  return v;
}

/** A pair of fresh databases, one per engine, fed the same statements. */
export class Oracle {
  readonly sqlite: SqlJsDatabase = new SQL.Database();
  readonly tessera = new Database();

  /** Runs a statement on both engines; returns both outcomes. */
  run(sql: string, params: RawValue[] = []): { sqlite: Outcome; tessera: Outcome } {
    return { sqlite: this.runSqlite(sql, params), tessera: this.runTessera(sql, params) };
  }

  runSqlite(sql: string, params: RawValue[] = []): Outcome {
    try {
      const stmt = this.sqlite.prepare(sql);
      try {
        stmt.bind(params as (number | string | Uint8Array | null)[]);
        const rows: SqlValue[][] = [];
        const getter = stmt as unknown as { get(p: null, c: { useBigInt: true }): RawValue[] };
        while (stmt.step()) rows.push(getter.get(null, { useBigInt: true }).map(canonical));
        return { rows };
      } finally {
        stmt.free();
      }
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  runTessera(sql: string, params: RawValue[] = []): Outcome {
    try {
      const stmt = this.tessera.prepare(sql).canonical();
      return { rows: stmt.all(...params) as SqlValue[][] };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  /** Runs setup statements on both, failing loudly if either engine rejects one. */
  setup(script: string): void {
    this.sqlite.exec(script);
    this.tessera.exec(script);
  }

  close(): void {
    this.sqlite.close();
    this.tessera.close();
  }
}

/** A printable form of an outcome (IntegralReal shown as `1.0`, blobs as x'..'). */
export function show(o: Outcome): string {
  if ("error" in o) return `error: ${o.error}`;
  return JSON.stringify(o.rows, (_k, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof IntegralReal) return `${v.value}.0`;
    if (v instanceof Uint8Array) return `x'${Buffer.from(v).toString("hex")}'`;
    return v;
  });
}

/** A setup script and statements whose outcomes must be SQLite's. */
export interface ScriptCase {
  name: string;
  setup: string;
  statements: string[];
}

/**
 * One test per case, on a fresh pair: after the setup, each statement's
 * outcome on Tessera equals SQLite's. EXPLAIN rows are compared by their
 * detail text (node ids are SQLite's bytecode addresses).
 */
export function itRunsLikeSqlite(cases: readonly ScriptCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const oracle = new Oracle();
      try {
        oracle.setup(c.setup);
        for (const sql of c.statements) {
          const { sqlite, tessera } = oracle.run(sql);
          const shown = (o: Outcome): string => show(sql.startsWith("EXPLAIN") && "rows" in o ? { rows: o.rows.map((r) => r.slice(3)) } : o);
          expect(`${sql}\n  ${shown(tessera)}`).toBe(`${sql}\n  ${shown(sqlite)}`);
        }
      } finally {
        oracle.close();
      }
    });
  }
}

/** One test per query, each expecting Tessera's outcome to be SQLite's, on a fresh pair set up with `setup`. */
export function itMatchesSqlite(setup: string, queries: readonly string[]): void {
  const oracle = new Oracle();
  oracle.setup(setup);
  afterAll(() => oracle.close());
  for (const sql of queries) {
    it(sql, () => {
      const { sqlite, tessera } = oracle.run(sql);
      expect(show(tessera)).toBe(show(sqlite));
    });
  }
}
