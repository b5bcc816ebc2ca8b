// Differential harness for window-function tests: the same schema and data
// in Tessera and in sql.js (real SQLite, the oracle); a query's outcome on
// each side as rows of typed values ("integer:3", "real:1.5", "text:x", ...)
// or as its error message, so REAL and INTEGER results are told apart.
import initSqlJs from "sql.js";
import { Database } from "../../../src/engine/index.js";
import { IntegralReal, storageClass, type SqlValue } from "../../../src/engine/value/types.js";

type SqlJsDatabase = InstanceType<Awaited<ReturnType<typeof initSqlJs>>["Database"]>;
export type Param = number | string | null;

/** Rows as typed value strings, or the error message. */
export type Outcome = { rows: string[][] } | { error: string };

export interface WindowOracle {
  tessera(sql: string, params?: Param[]): Outcome;
  sqlite(sql: string, width: number, params?: Param[]): Outcome;
}

/** Opens both engines and runs `setup` (statements separated by ";") in each. */
export async function openOracle(setup: string): Promise<WindowOracle> {
  const SQL = await initSqlJs();
  const oracle: SqlJsDatabase = new SQL.Database();
  oracle.exec(setup);
  const db = new Database();
  for (const stmt of setup.split(";")) if (stmt.trim()) db.prepare(stmt).run();
  return {
    tessera(sql, params = []) {
      try {
        const rows = db.prepare(sql).canonical().all(...params) as SqlValue[][];
        return { rows: rows.map((r) => r.map(typedTessera)) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
    sqlite(sql, width, params = []) {
      // typeof() of every result column, read through a CTE (used once, it keeps the query's row order).
      const cols = Array.from({ length: width }, (_, i) => `typeof(r${i}), r${i}`).join(", ");
      const names = Array.from({ length: width }, (_, i) => `r${i}`).join(", ");
      try {
        const stmt = oracle.prepare(`WITH q(${names}) AS (${sql}) SELECT ${cols} FROM q`);
        stmt.bind(params);
        const rows: string[][] = [];
        while (stmt.step()) {
          const v = stmt.get();
          const row: string[] = [];
          for (let i = 0; i < width; i++) row.push(typedSqlJs(v[2 * i] as string, v[2 * i + 1]));
          rows.push(row);
        }
        stmt.free();
        return { rows };
      } catch (e) {
        // Errors are reported for the query itself, not the wrapper.
        try {
          const stmt = oracle.prepare(sql);
          stmt.bind(params);
          while (stmt.step());
          stmt.free();
        } catch (inner) {
          return { error: (inner as Error).message };
        }
        return { error: (e as Error).message };
      }
    },
  };
}

function typedTessera(v: SqlValue): string {
  const cls = storageClass(v);
  if (v instanceof IntegralReal) return `real:${v.value}`;
  if (v instanceof Uint8Array) return `blob:${Buffer.from(v).toString("hex")}`;
  return `${cls}:${v === null ? "" : String(v)}`;
}

function typedSqlJs(type: string, v: unknown): string {
  if (v instanceof Uint8Array) return `blob:${Buffer.from(v).toString("hex")}`;
  return `${type}:${v === null ? "" : String(v)}`;
}

export { seededRandom } from "../../helpers/random.js";
