// The registry accepts exactly the argument counts SQLite accepts for each
// built-in of the core, math, aggregate and window families.
import initSqlJs from "sql.js";
import { expect, it } from "vitest";
import { aggregateFunctions } from "../../../src/engine/func/aggregate.js";
import { coreScalarFunctions } from "../../../src/engine/func/core.js";
import { mathFunctions } from "../../../src/engine/func/math.js";
import { functionExists, lookupFunction } from "../../../src/engine/func/registry.js";
import { windowFunctions } from "../../../src/engine/func/window.js";

it("argument counts accepted match SQLite's (0 to 4 arguments)", async () => {
  const SQL = await initSqlJs({ useOldExtensionFunctions: false } as Parameters<typeof initSqlJs>[0]);
  const db = new SQL.Database();
  db.run("CREATE TABLE t(x)");
  const names = new Set([...coreScalarFunctions, ...mathFunctions, ...aggregateFunctions, ...windowFunctions].map((f) => f.name));
  const bad: string[] = [];
  for (const name of names) {
    // soundex is not compiled into sql.js; its count is checked separately below.
    if (name === "soundex") continue;
    const isWindow = windowFunctions.some((f) => f.name === name);
    for (let n = 0; n <= 4; n++) {
      const args = Array.from({ length: n }, (_, i) => (name === "ntile" || name === "nth_value" ? "1" : i === 1 && name === "likelihood" ? "0.5" : "NULL"));
      const sql = isWindow ? `SELECT ${name}(${args.join(", ")}) OVER () FROM t` : `SELECT ${name}(${args.join(", ")})`;
      let sqliteAccepts = true;
      try {
        db.exec(sql);
      } catch (e) {
        const message = (e as Error).message;
        if (message.includes("wrong number of arguments") || message.includes("no such function")) sqliteAccepts = false;
      }
      const engineAccepts = lookupFunction(name, n) !== undefined;
      if (engineAccepts !== sqliteAccepts) bad.push(`${name}/${n}: sqlite ${sqliteAccepts} engine ${engineAccepts}`);
    }
  }
  expect(bad).toEqual([]);
  expect(lookupFunction("SOUNDEX", 1)?.name).toBe("soundex");
  expect(lookupFunction("soundex", 2)).toBeUndefined();
  expect(functionExists("Upper")).toBe(true);
  expect(functionExists("no_such_fn")).toBe(false);
});
