// The commits the Node store crash tests interrupt (growing, shrinking,
// overwriting in place, the very first commit, growing past a hole) and the
// steps those tests share: set up the old state, run the commit through a
// crashing filesystem, and say which state a reopened store holds.
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import type { StoreFileSystem } from "../../../src/engine/pager/node-file-system.js";
import { SimulatedCrash, type CrashingFileSystem } from "./crashing-file-system.js";
import { applyCommit, commitOf, range, readImage, sameImage, type DatabaseImage } from "./page-images.js";

export const CRASH_PAGE_SIZE = 512;

export interface CrashScenario {
  name: string;
  /** Pages and count of the committed state before the crashing commit. */
  before: { pageNos: number[]; pageCount: number };
  /** The crashing commit. */
  commit: { pageNos: number[]; pageCount: number };
}

export const crashScenarios: CrashScenario[] = [
  { name: "grows the file", before: { pageNos: range(1, 5), pageCount: 5 }, commit: { pageNos: [1, 3, ...range(6, 9)], pageCount: 9 } },
  { name: "shrinks the file", before: { pageNos: range(1, 9), pageCount: 9 }, commit: { pageNos: [1, 2], pageCount: 4 } },
  { name: "overwrites in place", before: { pageNos: range(1, 6), pageCount: 6 }, commit: { pageNos: [1, 2, 4, 6], pageCount: 6 } },
  { name: "is the first commit", before: { pageNos: [], pageCount: 0 }, commit: { pageNos: range(1, 3), pageCount: 3 } },
  { name: "grows with a hole", before: { pageNos: range(1, 2), pageCount: 2 }, commit: { pageNos: [2, 5], pageCount: 5 } },
];

const commitPages = (scenario: CrashScenario) => commitOf(CRASH_PAGE_SIZE, 2, scenario.commit.pageNos);

/** Commits the scenario's old state to `path`; returns the old and new images. */
export function prepare(
  path: string,
  scenario: CrashScenario,
  fileSystem?: StoreFileSystem,
): { path: string; oldImage: DatabaseImage; newImage: DatabaseImage } {
  const store = NodeFileStore.open(path, { fileSystem });
  const beforePages = commitOf(CRASH_PAGE_SIZE, 1, scenario.before.pageNos);
  if (scenario.before.pageCount > 0) store.commit(beforePages, scenario.before.pageCount, CRASH_PAGE_SIZE);
  store.close();
  const oldImage = applyCommit([], beforePages, scenario.before.pageCount, CRASH_PAGE_SIZE);
  const newImage = applyCommit(oldImage, commitPages(scenario), scenario.commit.pageCount, CRASH_PAGE_SIZE);
  return { path, oldImage, newImage };
}

/** Runs the scenario's commit through `fileSystem`; returns true if it crashed. */
export function commitCrashing(path: string, scenario: CrashScenario, fileSystem: CrashingFileSystem): boolean {
  try {
    const store = NodeFileStore.open(path, { fileSystem });
    store.commit(commitPages(scenario), scenario.commit.pageCount, CRASH_PAGE_SIZE);
    store.close();
    return false;
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
    fileSystem.releaseFds();
    return true;
  }
}

/** Reopens `path` and says which state it holds; throws on a mix. */
export function reopenedState(
  path: string,
  oldImage: DatabaseImage,
  newImage: DatabaseImage,
  fileSystem?: StoreFileSystem,
): "old" | "new" {
  const store = NodeFileStore.open(path, { fileSystem });
  const image = readImage(store);
  store.close();
  if (sameImage(image, oldImage)) return "old";
  if (sameImage(image, newImage)) return "new";
  throw new Error(`mixed state: ${image.length} pages, neither the old nor the new commit`);
}
