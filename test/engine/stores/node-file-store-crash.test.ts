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
import { applyCommit, commitOf, range, readImage, sameImage, type DatabaseImage } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();
const PAGE_SIZE = 512;

interface Scenario {
  name: string;
  /** Pages and count of the committed state before the crashing commit. */
  before: { pageNos: number[]; pageCount: number };
  /** The crashing commit. */
  commit: { pageNos: number[]; pageCount: number };
}

const scenarios: Scenario[] = [
  { name: "grows the file", before: { pageNos: range(1, 5), pageCount: 5 }, commit: { pageNos: [1, 3, ...range(6, 9)], pageCount: 9 } },
  { name: "shrinks the file", before: { pageNos: range(1, 9), pageCount: 9 }, commit: { pageNos: [1, 2], pageCount: 4 } },
  { name: "overwrites in place", before: { pageNos: range(1, 6), pageCount: 6 }, commit: { pageNos: [1, 2, 4, 6], pageCount: 6 } },
  { name: "is the first commit", before: { pageNos: [], pageCount: 0 }, commit: { pageNos: range(1, 3), pageCount: 3 } },
  { name: "grows with a hole", before: { pageNos: range(1, 2), pageCount: 2 }, commit: { pageNos: [2, 5], pageCount: 5 } },
];

/** A database file holding the scenario's old state; returns its path and image. */
function prepare(dir: string, scenario: Scenario): { path: string; oldImage: DatabaseImage; newImage: DatabaseImage } {
  const path = join(dir, "db.sqlite");
  const store = NodeFileStore.open(path);
  const beforePages = commitOf(PAGE_SIZE, 1, scenario.before.pageNos);
  if (scenario.before.pageCount > 0) store.commit(beforePages, scenario.before.pageCount, PAGE_SIZE);
  store.close();
  const oldImage = applyCommit([], beforePages, scenario.before.pageCount, PAGE_SIZE);
  const newImage = applyCommit(oldImage, commitPages(scenario), scenario.commit.pageCount, PAGE_SIZE);
  return { path, oldImage, newImage };
}

const commitPages = (scenario: Scenario) => commitOf(PAGE_SIZE, 2, scenario.commit.pageNos);

/** Runs the scenario's commit through `fileSystem`; returns true if it crashed. */
function commitCrashing(path: string, scenario: Scenario, fileSystem: CrashingFileSystem): boolean {
  try {
    const store = NodeFileStore.open(path, { fileSystem });
    store.commit(commitPages(scenario), scenario.commit.pageCount, PAGE_SIZE);
    store.close();
    return false;
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
    fileSystem.releaseFds();
    return true;
  }
}

/** Reopens on the real filesystem and says which state the file holds. */
function survivingState(path: string, oldImage: DatabaseImage, newImage: DatabaseImage): "old" | "new" {
  const store = NodeFileStore.open(path);
  const image = readImage(store);
  store.close();
  expect(existsSync(`${path}-journal`)).toBe(false);
  if (sameImage(image, oldImage)) return "old";
  if (sameImage(image, newImage)) return "new";
  throw new Error(`mixed state: ${image.length} pages, neither the old nor the new commit`);
}

/** Mutating calls a whole open + commit + close makes. */
function countMutatingCalls(scenario: Scenario): number {
  const { path } = prepare(tempDir(), scenario);
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
          const { path, oldImage, newImage } = prepare(tempDir(), scenario);
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
    const { path, oldImage, newImage } = prepare(dir, scenario);
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
