// Power loss for NodeFileStore on a simulated disk where only fsync'd data and
// synced directory entries are sure to survive: for every crash point of a
// commit, several seeded choices of which unsynced writes, truncations and
// directory changes reached the disk must all reopen to exactly the old or
// exactly the new state; and once commit has returned, the new state must
// survive any power loss (durability, not just atomicity).
import { describe, expect, it } from "vitest";
import { CrashingFileSystem } from "./crashing-file-system.js";
import { commitCrashing, crashScenarios, prepare, reopenedState } from "./crash-scenarios.js";
import { SimulatedDisk } from "./simulated-disk.js";

const PATH = "/simulated/db.sqlite";
const LOSS_CHOICES_PER_CRASH_POINT = 12;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

describe("NodeFileStore under power loss", () => {
  for (const scenario of crashScenarios) {
    it(`a commit that ${scenario.name} is atomic and durable whatever unsynced data is lost`, () => {
      const counter = new CrashingFileSystem({ crashAt: Infinity }, new SimulatedDisk());
      prepare(PATH, scenario, counter);
      const setupCalls = counter.mutatingCalls;
      commitCrashing(PATH, scenario, counter);
      const commitCalls = counter.mutatingCalls - setupCalls;

      const outcomes = new Set<string>();
      // crashAt = commitCalls + 1: the commit completed, then the power went.
      for (let crashAt = 1; crashAt <= commitCalls + 1; crashAt++) {
        for (let choice = 0; choice < LOSS_CHOICES_PER_CRASH_POINT; choice++) {
          const disk = new SimulatedDisk();
          const { oldImage, newImage } = prepare(PATH, scenario, disk);
          const crashed = commitCrashing(PATH, scenario, new CrashingFileSystem({ crashAt }, disk));
          expect(crashed).toBe(crashAt <= commitCalls);
          const random = seededRandom(crashAt * 1000 + choice + 1);
          const rebooted = disk.afterPowerLoss(random);
          const state = reopenedState(PATH, oldImage, newImage, rebooted);
          if (!crashed) expect(state).toBe("new");
          // Recovery itself must leave a durable result: lose power again.
          expect(reopenedState(PATH, oldImage, newImage, rebooted.afterPowerLoss(random))).toBe(state);
          outcomes.add(state);
        }
      }
      expect([...outcomes].sort()).toEqual(["new", "old"]);
    });
  }
});
