// The captured changes are complete: replaying the CDC table (full mode)
// onto a copy of the database as it was when capture started reproduces the
// final contents of every table, after random INSERT / UPDATE / DELETE /
// REPLACE / UPSERT statements, trigger bodies and foreign-key cascades,
// committed, rolled back or failed. Seeded and bounded.
import { describe, expect, it } from "vitest";
import { Database, type SqlValue } from "../../../src/engine/index.js";
import { seededRandom } from "../../helpers/random.js";
import { readChanges } from "./helpers.js";

const SCHEMA = `
  PRAGMA foreign_keys = ON;
  CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, n INTEGER);
  CREATE TABLE child (id INTEGER PRIMARY KEY, code TEXT REFERENCES parent(code) ON UPDATE CASCADE ON DELETE CASCADE, v REAL);
  CREATE TABLE tally (code TEXT PRIMARY KEY, hits INTEGER);
  CREATE TRIGGER count_child AFTER INSERT ON child BEGIN
    INSERT INTO tally VALUES (NEW.code, 1) ON CONFLICT(code) DO UPDATE SET hits = hits + 1;
  END;
`;
const TABLES = ["parent", "child", "tally"];

function contents(db: Database): Record<string, SqlValue[][]> {
  return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT rowid, * FROM ${t} ORDER BY rowid`).raw().all() as SqlValue[][]]));
}

/**
 * Applies captured changes to `db` strictly: an insert must not find its row
 * (or a UNIQUE key) taken, an update and a delete must find their row, so a
 * missing or extra change makes the replay fail or diverge.
 */
function replay(db: Database, source: Database): void {
  for (const c of readChanges(source)) {
    if (c.change_type === 2) continue;
    const table = c.table_name as string;
    const columns = columnsOf(db, table);
    let changed: number;
    if (c.change_type === -1) changed = db.prepare(`DELETE FROM ${table} WHERE rowid = ?`).run(c.id).changes;
    else if (c.change_type === 1) {
      const marks = columns.map(() => "?").join(", ");
      changed = db.prepare(`INSERT INTO ${table} (rowid, ${columns.join(", ")}) VALUES (?, ${marks})`).run(c.id, ...(c.after as SqlValue[])).changes;
    } else {
      const sets = columns.map((name) => `${name} = ?`).join(", ");
      changed = db.prepare(`UPDATE ${table} SET ${sets} WHERE rowid = ?`).run(...(c.after as SqlValue[]), c.id).changes;
    }
    expect(changed, `change ${c.change_id} (${c.change_type} ${table} ${String(c.id)})`).toBe(1);
  }
}

function columnsOf(db: Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

function randomStatement(random: () => number): string {
  const code = `'c${Math.floor(random() * 8)}'`;
  const id = Math.floor(random() * 12);
  const n = Math.floor(random() * 100);
  switch (Math.floor(random() * 9)) {
    case 0:
      return `INSERT INTO parent VALUES (${id}, ${code}, ${n})`;
    case 1:
      return `REPLACE INTO parent VALUES (${id}, ${code}, ${n})`;
    case 2:
      return `UPDATE parent SET code = ${code} WHERE id = ${id}`;
    case 3:
      return `UPDATE parent SET n = n + 1, id = ${id + 20} WHERE id = ${id}`;
    case 4:
      return `DELETE FROM parent WHERE id = ${id}`;
    case 5:
      return `INSERT INTO child (code, v) VALUES (${code}, ${n / 4})`;
    case 6:
      return `INSERT INTO parent VALUES (${id}, ${code}, ${n}) ON CONFLICT(id) DO UPDATE SET n = excluded.n, code = excluded.code`;
    case 7:
      return `UPDATE OR REPLACE child SET id = ${id} WHERE id = (SELECT max(id) FROM child)`;
    default:
      return `DELETE FROM child WHERE v > ${n / 8}`;
  }
}

describe("replaying the captured changes", () => {
  for (const seed of [1, 2, 3]) {
    it(`reproduces the database (seed ${seed})`, () => {
      const db = new Database();
      db.exec(SCHEMA);
      const random = seededRandom(seed);
      for (let i = 0; i < 20; i++) {
        try {
          db.exec(randomStatement(random));
        } catch {
          // Constraint failures are part of the workload: they must leave nothing captured.
        }
      }
      const start = new Database({ image: db.serialize() });
      start.exec("PRAGMA foreign_keys = OFF; DROP TRIGGER count_child");
      db.exec("PRAGMA capture_data_changes_conn('full')");
      for (let i = 0; i < 150; i++) {
        const inTransaction = random() < 0.3;
        if (inTransaction) db.exec("BEGIN");
        for (let k = 0; k < (inTransaction ? 3 : 1); k++) {
          try {
            db.exec(randomStatement(random));
          } catch {
            // As above.
          }
        }
        if (inTransaction) db.exec(random() < 0.25 ? "ROLLBACK" : "COMMIT");
      }
      replay(start, db);
      expect(contents(start)).toEqual(contents(db));
      const changes = readChanges(db);
      expect(changes.length).toBeGreaterThan(100);
      for (const c of changes.filter((x) => x.change_type === 0)) expect([c.before, c.after, c.updates].every((r) => r !== null)).toBe(true);
    });
  }
});
