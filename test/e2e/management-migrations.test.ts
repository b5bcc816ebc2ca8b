// The catalog's migrations as bundled into the Worker match migrations/*.sql
// (regenerate with `npx tsx migrations/generate-module.ts`), and they apply
// once, in order, on our engine.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { MODULE_PATH, renderMigrationsModule } from "../../migrations/generate-module.js";
import { applyMigrations } from "../../src/durable-object/catalog/migrate.js";
import { MIGRATIONS } from "../../src/durable-object/catalog/migrations.generated.js";
import { Database } from "../../src/engine/index.js";

it("the generated module is up to date with migrations/*.sql", () => {
  expect(readFileSync(MODULE_PATH, "utf8")).toBe(renderMigrationsModule());
  expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
});

it("applies each migration once, in version order, recording user_version", () => {
  const db = new Database();
  const steps = [
    { version: 2, name: "0002_b.sql", sql: "ALTER TABLE a ADD COLUMN y" },
    { version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (x)" },
  ];
  expect(applyMigrations(db, steps)).toEqual([1, 2]);
  expect(applyMigrations(db, steps)).toEqual([]);
  expect(db.prepare("PRAGMA user_version").pluck().get()).toBe(2);
  db.exec("INSERT INTO a (x, y) VALUES (1, 2)");
  expect(db.prepare("SELECT x + y FROM a").pluck().get()).toBe(3);
  // A failing migration leaves the previous version and schema intact.
  expect(() => applyMigrations(db, [...steps, { version: 3, name: "0003_c.sql", sql: "CREATE TABLE c (x); CREATE TABLE a (z)" }])).toThrow(/already exists/);
  expect(db.prepare("PRAGMA user_version").pluck().get()).toBe(2);
  expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'c'").pluck().get()).toBe(0);
});
