// Crash injection for NodeFileStore: for every mutating filesystem call of a
// multi-page commit (growing, shrinking, overwriting, first commit), the
// process "dies" at that call (a dying write may land half its bytes); the
// store reopened on the real filesystem must hold exactly the old committed
// state or exactly the new one. Also crashes during the recovery itself.
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { CrashingFileSystem, SimulatedCrash } from "./crashing-file-system.js";
import {
  commitCrashing,
  crashScenarios as scenarios,
  prepare,
  reopenedState,
  type CrashScenario as Scenario,
} from "./crash-scenarios.js";
import type { DatabaseImage } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();

/** Reopens on the real filesystem and says which state the file holds. */
function survivingState(path: string, oldImage: DatabaseImage, newImage: DatabaseImage): "old" | "new" {
  const state = reopenedState(path, oldImage, newImage);
  expect(existsSync(`${path}-journal`)).toBe(false);
  return state;
}

/** Mutating calls a whole open + commit + close makes. */
function countMutatingCalls(scenario: Scenario): number {
  const { path } = prepare(join(tempDir(), "db.sqlite"), scenario);
  const counter = new CrashingFileSystem({ crashAt: Infinity });
  expect(commitCrashing(path, scenario, counter)).toBe(false);
  return counter.mutatingCalls;
}

describe("NodeFileStore crash safety", () => {
  for (const scenario of scenarios) {
    for (const tornWriteFraction of [0, 0.5]) {
      it(`a commit that ${scenario.name} survives a crash at every call (torn writes: ${tornWriteFraction > 0})`, () => {
        const total = countMutatingCalls(scenario);
        expect(total).toBeGreaterThan(8);
        const outcomes: Array<"old" | "new"> = [];
        for (let crashAt = 1; crashAt <= total; crashAt++) {
          const { path, oldImage, newImage } = prepare(join(tempDir(), "db.sqlite"), scenario);
          const fileSystem = new CrashingFileSystem({ crashAt, tornWriteFraction });
          expect(commitCrashing(path, scenario, fileSystem)).toBe(true);
          outcomes.push(survivingState(path, oldImage, newImage));
        }
        // Before the journal deletion the old state survives; once the
        // deletion happened (the last call syncs the directory) the new one.
        expect(outcomes[0]).toBe("old");
        expect(outcomes[total - 3]).toBe("old");
        expect(outcomes[total - 1]).toBe("new");
        // Once the new state survived a crash, every later crash keeps it.
        expect(outcomes.slice(outcomes.indexOf("new")).every((o) => o === "new")).toBe(true);
      });
    }
  }

  it("survives crashes during recovery from a hot journal", () => {
    const scenario = scenarios[0];
    const total = countMutatingCalls(scenario);
    // Crash mid-way through writing database pages: the journal is hot.
    const dir = tempDir();
    const { path, oldImage, newImage } = prepare(join(dir, "db.sqlite"), scenario);
    expect(commitCrashing(path, scenario, new CrashingFileSystem({ crashAt: total - 5, tornWriteFraction: 0.5 }))).toBe(true);
    expect(existsSync(`${path}-journal`)).toBe(true);
    const crashedCopy = join(dir, "crashed.sqlite");
    copyFileSync(path, crashedCopy);
    copyFileSync(`${path}-journal`, `${crashedCopy}-journal`);

    let recoveryCalls = 0;
    for (let crashAt = 1; ; crashAt++) {
      copyFileSync(crashedCopy, path);
      copyFileSync(`${crashedCopy}-journal`, `${path}-journal`);
      const fileSystem = new CrashingFileSystem({ crashAt, tornWriteFraction: 0.5 });
      try {
        NodeFileStore.open(path, { fileSystem }).close();
        recoveryCalls = crashAt - 1;
        break;
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        fileSystem.releaseFds();
      }
      expect(survivingState(path, oldImage, newImage)).toBe("old");
    }
    // Database open, restores of the 2 overwritten pages (1 and 3), truncate,
    // fsync, journal unlink, directory sync: each was a crash point above.
    expect(recoveryCalls).toBe(7);
  });
});
