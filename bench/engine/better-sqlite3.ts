// better-sqlite3 as an optional peer of the engine benchmark. Its native addon
// is not a dependency of the project (building it takes minutes and needs the
// headers of the Node that loads it), so `npm run bench:native` builds it into
// .bench-native/ once, and the benchmark includes it when it is there.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { BindValue } from "../../src/engine/index.js";
import type { BenchEngine, BenchStatement } from "./engines.js";

/** Where `npm run bench:native` installs the addon. */
export const NATIVE_DIR = fileURLToPath(new URL("../../.bench-native/", import.meta.url));

/** The part of better-sqlite3's API the benchmark uses (its types are not installed either). */
interface BetterStatement {
  readonly reader: boolean;
  raw(toggle: boolean): BetterStatement;
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface BetterDatabase {
  exec(sql: string): void;
  prepare(sql: string): BetterStatement;
  close(): void;
}
type BetterDatabaseClass = new (filename: string) => BetterDatabase;

function betterStatement(stmt: BetterStatement): BenchStatement {
  if (stmt.reader) stmt.raw(true);
  const args = (params: readonly BindValue[]) => params as unknown[];
  return {
    run: (params) => void stmt.run(...args(params)),
    get: (params) => stmt.get(...args(params)) as unknown[] | undefined,
    all: (params) => stmt.all(...args(params)) as unknown[][],
    free: () => undefined,
  };
}

/** The engine, or null (with the reason) when the addon was not built or does not load in this Node. */
export function betterSqlite3(): { engine: BenchEngine } | { missing: string } {
  const entry = `${NATIVE_DIR}node_modules/better-sqlite3`;
  if (!existsSync(entry)) return { missing: "not built; `npm run bench:native` builds it" };
  let Database: BetterDatabaseClass;
  try {
    Database = createRequire(import.meta.url)(entry) as BetterDatabaseClass;
    new Database(":memory:").close();
  } catch (e) {
    return { missing: `does not load (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); rebuild with \`npm run bench:native\`` };
  }
  return {
    engine: {
      name: "better-sqlite3 (native)",
      open() {
        const db = new Database(":memory:");
        return {
          exec: (sql) => db.exec(sql),
          prepare: (sql) => betterStatement(db.prepare(sql)),
          close: () => db.close(),
        };
      },
    },
  };
}
