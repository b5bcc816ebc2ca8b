// A real crash: a child process commits to a NodeFileStore in a loop and is
// SIGKILLed at random moments; each time, the reopened file must hold one
// complete committed version — the last one the child reported, or the one it
// was committing when it died — never a mix of two.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NodeFileStore } from "../../../src/engine/pager/node-file-store.js";
import { KILL_TEST_PAGE_SIZE, pageCountForVersion } from "./fixtures/commit-loop-versions.js";
import { pageImage, range, readImage, sameImage, versionOf } from "./page-images.js";
import { useTempDir } from "./temp-dir.js";

const tempDir = useTempDir();
const childScript = fileURLToPath(new URL("./fixtures/commit-loop.ts", import.meta.url));

/** Seeded so that a failing run can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

/** Runs the child from version `start`; kills it `delayMs` after its first commit. */
function runAndKill(path: string, start: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, path, String(start)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      timer ??= setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") return reject(new Error(`child exited on its own: ${stderr}`));
      const reported = stdout.split("\n").filter((line) => line !== "").map(Number);
      resolve(reported.length > 0 ? reported[reported.length - 1] : start - 1);
    });
  });
}

describe("NodeFileStore under SIGKILL", () => {
  it("always reopens to one complete committed version", async () => {
    const path = join(tempDir(), "killed.sqlite");
    const random = seededRandom(20261125);
    let next = 1;
    for (let round = 0; round < 4; round++) {
      const lastReported = await runAndKill(path, next, 20 + Math.floor(random() * 200));
      expect(lastReported).toBeGreaterThanOrEqual(next);

      const store = NodeFileStore.open(path);
      const image = readImage(store);
      store.close();
      const version = versionOf(image[0], 1);
      expect([lastReported, lastReported + 1]).toContain(version);
      const expected = range(1, pageCountForVersion(version)).map((pageNo) =>
        pageImage(KILL_TEST_PAGE_SIZE, version, pageNo),
      );
      expect(sameImage(image, expected)).toBe(true);
      next = version + 1;
    }
  });
});
