// Test support shared by the date/time and JSON differential tests: an
// in-memory sql.js database as the oracle, a fixed FunctionContext, a seeded
// PRNG, and conversion between sql.js results and the engine's SqlValue.
import initSqlJs, { type Database, type Statement } from "sql.js";
import type { FunctionContext, ScalarFunction, SqlFunction } from "../../../src/engine/func/types.js";
import { IntegralReal, storageClass, type SqlValue } from "../../../src/engine/value/types.js";

export function fixedContext(statementTimeMs = 1_700_000_000_123): FunctionContext {
  return {
    changes: () => 0,
    totalChanges: () => 0,
    lastInsertRowid: () => 0,
    statementTime: () => statementTimeMs,
    randomBytes: (bytes) => bytes.fill(7),
    caseSensitiveLike: () => false,
  };
}

export function scalar(functions: readonly SqlFunction[], name: string, nArgs: number): ScalarFunction {
  const f = functions.find((g) => g.name === name && (g.nArgs === nArgs || g.nArgs === -1));
  if (f === undefined || f.kind !== "scalar") throw new Error(`no scalar ${name}/${nArgs}`);
  return f;
}

export { seededRandom } from "../../helpers/random.js";

/** A comparable description of a value: storage class and exact content. */
export type Described = [string, string | number | null];

export function describe(v: SqlValue): Described {
  const cls = storageClass(v);
  if (v instanceof IntegralReal) return [cls, v.value];
  if (typeof v === "bigint") return [cls, v.toString()];
  if (v instanceof Uint8Array) return [cls, Array.from(v).join(",")];
  return [cls, v];
}

/**
 * sql.js as the oracle: `value(expr, params)` runs `SELECT typeof(expr), expr`
 * (plus the exact text of integers beyond 2^53)
 * (expr refers to its parameters as ?1, ?2, …) and describes the result the
 * same way as `describe`; errors come back as { error }.
 */
export class Oracle {
  private readonly statements = new Map<string, Statement>();
  constructor(readonly db: Database) {}

  static async open(): Promise<Oracle> {
    const SQL = await initSqlJs();
    return new Oracle(new SQL.Database());
  }

  value(expr: string, params: readonly (string | number | null | Uint8Array)[] = []): Described | { error: string } {
    let stmt = this.statements.get(expr);
    if (stmt === undefined) {
      // The third column carries integers exactly (sql.js returns JS numbers).
      stmt = this.db.prepare(`SELECT typeof(${expr}), ${expr}, CAST(${expr} AS TEXT)`);
      this.statements.set(expr, stmt);
    }
    try {
      stmt.bind(params as (string | number | null | Uint8Array)[]);
      stmt.step();
      const [cls, value, text] = stmt.get() as [string, string | number | null | Uint8Array, string | null];
      if (value instanceof Uint8Array) return [cls, Array.from(value).join(",")];
      if (cls === "integer" && !Number.isSafeInteger(value)) return [cls, text];
      return [cls, value];
    } catch (e) {
      return { error: (e as Error).message };
    } finally {
      stmt.reset();
    }
  }

  /** All rows of a query, as sql.js returns them. */
  rows(sql: string): unknown[][] {
    const result = this.db.exec(sql);
    return result.length === 0 ? [] : (result[0]!.values as unknown[][]);
  }
}
