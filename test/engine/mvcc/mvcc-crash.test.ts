// Crash safety of BEGIN CONCURRENT commits: a page-store failure at every
// store call of a concurrent commit — on the fast path (nothing committed
// since the snapshot: its own pages are published) and on the replay path
// (its rows are replayed onto the latest state) — leaves the store holding
// either all of the transaction or none of it, and the failing COMMIT says
// which (an error means none). Over MemoryPageStore (every call may fail,
// with a tiny page cache so commits read from the store) and over
// NodeFileStore with the process dying at every mutating filesystem call
// (test/engine/stores/crashing-file-system.ts), reopened on the real disk.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Database, type PageStore } from "../../../src/engine/index.js";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { CrashingFileSystem, SimulatedCrash } from "../stores/crashing-file-system.js";
import { useTempDir } from "../stores/temp-dir.js";
import { runTransactions, snapshot, whichState, writeBase } from "./crash-workload.js";
import { FailingPageStore } from "./failing-page-store.js";
import { integrity } from "./mvcc-helpers.js";

describe.each(["fast", "replay"] as const)("a concurrent commit on the %s path", (path) => {
  /** Runs the scenario over `store`; returns the state before and after the commit (when it succeeded). */
  function scenario(store: PageStore, beforeCommit: () => void): { db: Database; a: Database; committed: boolean; error: unknown } {
    const db = new Database({ store, cacheBytes: 4 * 4096 });
    writeBase(db);
    const a = db.connect();
    runTransactions(a, db.connect(), path);
    beforeCommit();
    try {
      a.exec("COMMIT");
      return { db, a, committed: true, error: null };
    } catch (error) {
      return { db, a, committed: false, error };
    }
  }

  it("leaves all or none of it after a page-store failure at any store call", () => {
    // A clean run gives the states before and after the commit, and how many store calls the commit makes.
    const clean = new FailingPageStore();
    const reference = scenario(clean, () => clean.arm(Infinity));
    expect(reference.committed).toBe(true);
    const callsInCommit = clean.calls;
    expect(callsInCommit).toBeGreaterThan(path === "fast" ? 0 : 5);
    const after = snapshot(new Database({ store: clean.inner }));
    const baseStore = new FailingPageStore();
    const baseDb = new Database({ store: baseStore });
    writeBase(baseDb);
    runTransactions(baseDb.connect(), baseDb.connect(), path);
    const before = snapshot(new Database({ store: baseStore.inner }));
    expect(after).not.toEqual(before);

    for (let failAt = 1; failAt <= callsInCommit; failAt++) {
      const store = new FailingPageStore();
      const run = scenario(store, () => store.arm(failAt));
      expect(run.committed, `failure at call ${failAt}`).toBe(false);
      expect((run.error as { code?: string }).code).toBe("SQLITE_IOERR");
      expect(run.a.inTransaction).toBe(false);
      // The store holds none of it; so does the live database, which keeps working: the retry commits.
      expect(whichState(new Database({ store: store.inner }), before, after)).toBe("none");
      expect(whichState(run.db, before, after)).toBe("none");
      runTransactions(run.a, run.db.connect(), "fast");
      run.a.exec("COMMIT");
      expect(integrity(new Database({ store: store.inner }))).toBe("ok");
    }
  });

  const tempDir = useTempDir();

  it("leaves all or none of it when the process dies at any filesystem call of the commit (NodeFileStore)", () => {
    const dir = tempDir();
    const basePath = join(dir, "base.sqlite");
    const base = new Database({ store: NodeFileStore.open(basePath) });
    writeBase(base);
    const before = snapshot(base);
    base.close();

    /** Runs the scenario on a copy of the base file through `fs`; returns how many mutating calls preceded COMMIT. */
    const run = (file: string, fs: CrashingFileSystem) => {
      copyFileSync(basePath, file);
      const db = new Database({ store: NodeFileStore.open(file, { fileSystem: fs }), cacheBytes: 4 * 4096 });
      const a = db.connect();
      runTransactions(a, db.connect(), path);
      const callsBefore = fs.mutatingCalls;
      let committed = false;
      try {
        a.exec("COMMIT");
        committed = true;
        db.close();
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        fs.releaseFds();
      }
      return { callsBefore, committed };
    };

    const cleanPath = join(dir, "clean.sqlite");
    const counter = new CrashingFileSystem({ crashAt: Infinity });
    const clean = run(cleanPath, counter);
    expect(clean.committed).toBe(true);
    const callsInCommit = counter.mutatingCalls - clean.callsBefore;
    expect(callsInCommit).toBeGreaterThan(2);
    const reopenedClean = new Database({ store: NodeFileStore.open(cleanPath) });
    const after = snapshot(reopenedClean);
    reopenedClean.close();
    // On the replay path, the state "none" includes the other transaction's earlier commit.
    let none = before;
    if (path === "replay") {
      const firstCrash = join(dir, "first.sqlite");
      run(firstCrash, new CrashingFileSystem({ crashAt: clean.callsBefore + 1 }));
      const reopened = new Database({ store: NodeFileStore.open(firstCrash) });
      none = snapshot(reopened);
      reopened.close();
      expect(none).not.toEqual(before);
    }

    const outcomes = new Map<string, number>();
    for (let i = 1; i <= callsInCommit; i++) {
      // A crashing write lands half its bytes (the store's own crash tests also cover clean cuts).
      const crashPath = join(dir, `crash-${i}.sqlite`);
      const result = run(crashPath, new CrashingFileSystem({ crashAt: clean.callsBefore + i, tornWriteFraction: 0.5 }));
      expect(result.committed).toBe(false);
      const reopened = new Database({ store: NodeFileStore.open(crashPath) });
      const state = whichState(reopened, none, after);
      reopened.close();
      outcomes.set(state, (outcomes.get(state) ?? 0) + 1);
    }
    // Early crashes lose the commit; a crash after its commit point keeps it.
    expect(outcomes.get("none")).toBeGreaterThan(0);
    expect(outcomes.get("all")).toBeGreaterThan(0);
  });
});
