// Durable Object restarts in the middle of BEGIN CONCURRENT commits: at every
// sql.exec of a concurrent commit (fast path and replay path) the object
// aborts (which also discards the request's earlier unconfirmed writes);
// the restarted object's storage holds none of the transaction, and a clean
// run holds all of it. The workload (many pages, overflow rows, deletes,
// AUTOINCREMENT) is test/engine/mvcc/crash-workload.ts; storage failures
// that do not abort the object are test/worker/mvcc-commit-crash.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DurableObjectPageStore } from "../../src/durable-object/do-page-store.js";
import { Database } from "../../src/engine/index.js";
import { runTransactions, snapshot, writeBase, type Snapshot } from "../engine/mvcc/crash-workload.js";
import { FailingStorage } from "./stores/failing-sql-storage.js";

type Path = "fast" | "replay";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

function inObject<R>(name: string, fn: (storage: DurableObjectStorage, state: DurableObjectState) => R): Promise<R> {
  return runInDurableObject(stubFor(name), (_instance: object, state) => fn(state.storage, state));
}

const open = (storage: DurableObjectStorage | FailingStorage) => new Database({ store: new DurableObjectPageStore(storage) });

/**
 * The states the storage may hold, computed on an in-memory database: before
 * the commit (with the other transaction's commit on the replay path), after
 * it, and the base the transactions started from (the same as "none" on the
 * fast path; "none" is the name reported then).
 */
function expectedStates(path: Path): Record<"none" | "all" | "base", Snapshot> {
  const db = new Database();
  writeBase(db);
  const base = snapshot(db);
  const a = db.connect();
  runTransactions(a, db.connect(), path);
  const none = snapshot(db);
  a.exec("COMMIT");
  return { none, all: snapshot(db), base };
}

/** Which expected state `db` holds; fails on anything else (a partial commit). */
function stateOf(db: Database, states: Record<string, Snapshot>): string {
  const now = JSON.stringify(snapshot(db));
  const name = Object.keys(states).find((key) => JSON.stringify(states[key]) === now);
  expect(name, "the storage holds a state that is neither before nor after the commit").toBeDefined();
  return name!;
}

/** Runs the transactions over `failing` and arms it right before the COMMIT; returns the COMMIT's outcome. */
function commitThrough(failing: FailingStorage, path: Path, failAt: number): string {
  const db = open(failing);
  const a = db.connect();
  runTransactions(a, db.connect(), path);
  failing.arm(failAt);
  try {
    a.exec("COMMIT");
    return "committed";
  } catch (error) {
    expect(a.inTransaction).toBe(false);
    return String(error);
  }
}

describe.each(["fast", "replay"] as const)("a concurrent commit on the %s path over Durable Object storage", (path) => {
  it("leaves all or none of it when the object aborts at any sql.exec of the commit", async () => {
    const states = expectedStates(path);
    const calls = await inObject(`mvcc-${path}-clean`, (storage) => {
      writeBase(open(storage));
      const counting = new FailingStorage(storage);
      expect(commitThrough(counting, path, Infinity)).toBe("committed");
      expect(stateOf(open(storage), states)).toBe("all");
      return counting.execCalls;
    });
    expect(calls).toBeGreaterThan(2);

    for (let failAt = 1; failAt <= calls; failAt++) {
      const name = `mvcc-${path}-abort-${failAt}`;
      // The base is confirmed in a request of its own, so that the abort cannot discard it.
      await inObject(name, (storage) => writeBase(open(storage)));
      const outcome = await inObject(name, (storage, state) => {
        const failing = new FailingStorage(storage, () => state.abort("simulated crash"));
        return commitThrough(failing, path, failAt);
      }).catch((error: unknown) => String(error));
      expect(outcome, `abort at sql.exec ${failAt}`).not.toBe("committed");
      // The old stub is broken; a new one reaches a new instance over the same storage.
      const after = await inObject(name, (storage) => stateOf(open(storage), states));
      // The abort may also discard the other transaction's commit made earlier in the same request.
      expect(["none", "base"], `abort at sql.exec ${failAt}`).toContain(after);
    }
  });
});
