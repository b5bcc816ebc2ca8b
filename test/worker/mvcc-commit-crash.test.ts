// BEGIN CONCURRENT commits on Durable Object storage: a storage failure at
// every sql.exec of a concurrent commit (the fast path, where nothing was
// committed since the snapshot, and the replay path, where another
// transaction committed first) leaves all or none of it, as a restarted
// engine (a fresh Database over the same storage, memory gone) sees it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DurableObjectPageStore } from "../../src/durable-object/do-page-store.js";
import { Database } from "../../src/engine/index.js";
import { FailingStorage, InjectedFailure } from "./stores/failing-sql-storage.js";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

type Row = { id: number; v: string };

function rows(db: Database): Row[] {
  return db.prepare("SELECT id, v FROM t ORDER BY id").all() as Row[];
}

const BASE: Row[] = [
  { id: 1, v: "a" },
  { id: 2, v: "b" },
  { id: 3, v: "c" },
];

describe.each([
  { path: "fast path", otherCommitsFirst: false },
  { path: "replay path", otherCommitsFirst: true },
])("a concurrent commit on the $path", ({ path, otherCommitsFirst }) => {
  it("fails at every sql.exec without a trace, then commits whole", async () => {
    await runInDurableObject(stubFor(`mvcc-crash-${path}`), (_instance: object, state) => {
      const failing = new FailingStorage(state.storage);
      const fresh = () => new Database({ store: new DurableObjectPageStore(state.storage), pageSize: 4096 });
      const setup = fresh();
      setup.exec("PRAGMA journal_mode = 'mvcc'; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE); CREATE TABLE log (x)");
      setup.close();
      const expectedAfter = (other: boolean): Row[] => {
        const out = BASE.map((r) => ({ ...r }));
        out[0].v = "a-mine";
        if (other) out[1].v = "b-other";
        out.push({ id: 4, v: "d-mine" }, ...Array.from({ length: 40 }, (_, i) => ({ id: 5 + i, v: `bulk-${i}-${"x".repeat(200)}` })));
        return out;
      };

      for (let failAt = 1; ; failAt++) {
        // Each attempt starts from the base state, in a new engine (as after a restart).
        const db = new Database({ store: new DurableObjectPageStore(failing), pageSize: 4096 });
        db.exec("DELETE FROM t; INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        const mine = db.connect();
        const other = db.connect();
        mine.exec("BEGIN CONCURRENT");
        other.exec("BEGIN CONCURRENT");
        mine.exec("UPDATE t SET v = 'a-mine' WHERE id = 1; INSERT INTO t (v) VALUES ('d-mine')");
        const bulk = mine.prepare("INSERT INTO t (v) VALUES (?)");
        for (let i = 0; i < 40; i++) bulk.run(`bulk-${i}-${"x".repeat(200)}`);
        other.exec("UPDATE t SET v = 'b-other' WHERE id = 2");
        if (otherCommitsFirst) other.exec("COMMIT");
        else other.exec("ROLLBACK");

        failing.arm(failAt);
        let failed = false;
        try {
          mine.exec("COMMIT");
        } catch (e) {
          expect(e).toBeInstanceOf(InjectedFailure);
          failed = true;
        }
        failing.arm(Infinity);
        expect(mine.inTransaction).toBe(false);
        db.close();

        const restarted = fresh();
        expect(restarted.prepare("PRAGMA integrity_check").pluck().get()).toBe("ok");
        const expected = failed ? BASE.map((r, i) => (otherCommitsFirst && i === 1 ? { ...r, v: "b-other" } : r)) : expectedAfter(otherCommitsFirst);
        expect(rows(restarted)).toEqual(expected);
        expect(restarted.prepare("PRAGMA journal_mode").pluck().get()).toBe("mvcc");
        restarted.close();
        if (!failed) {
          // The commit wrote several pages in one storage transaction: it had more than one place to fail.
          expect(failAt).toBeGreaterThan(2);
          break;
        }
      }
    });
  });
});
