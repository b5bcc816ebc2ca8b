// DurableObjectPageStore inside workerd, on the real storage of the project's
// DatabaseObject: round trips, growing and shrinking, argument checks, a crash
// at every sql.exec of a commit leaving exactly the old state, and persistence
// across Durable Object evictions.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DurableObjectPageStore } from "../../../src/durable-object/do-page-store.js";
import { SqliteError } from "../../../src/engine/errors.js";
import {
  applyCommit,
  commitOf,
  pageImage,
  range,
  readImage,
  sameImage,
  type DatabaseImage,
} from "../../engine/stores/page-images.js";
import { FailingStorage, InjectedFailure } from "./failing-sql-storage.js";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

/** Runs `fn` inside the named object with its real DurableObjectStorage. */
function inObject<R>(
  name: string,
  fn: (storage: DurableObjectStorage, instance: object, state: DurableObjectState) => R,
): Promise<R> {
  return runInDurableObject(stubFor(name), (instance: object, state) => fn(state.storage, instance, state));
}

describe("DurableObjectPageStore", () => {
  it("starts empty and round-trips commits that grow, overwrite and shrink", async () => {
    await inObject("store-roundtrip", (storage) => {
      const store = new DurableObjectPageStore(storage);
      expect(store.pageSize).toBeUndefined();
      expect(store.pageCount()).toBe(0);
      let image: DatabaseImage = [];
      const steps: Array<[number, number[], number]> = [
        [1, range(1, 4), 4],
        [2, [2, 6, 7], 7], // grows with a hole at page 5
        [3, [1, 3], 3],
        [4, [1, ...range(4, 10)], 10],
        [5, [1], 1],
      ];
      for (const [version, pageNos, pageCount] of steps) {
        const pages = commitOf(1024, version, pageNos);
        store.commit(pages, pageCount, 1024);
        image = applyCommit(image, pages, pageCount, 1024);
        expect(sameImage(readImage(store), image)).toBe(true);
        expect(sameImage(readImage(new DurableObjectPageStore(storage)), image)).toBe(true);
      }
      expect(storage.sql.exec("SELECT max(page_no) AS last FROM tessera_pages").one().last).toBe(1);
    });
  });

  it("stores a page given as a view into a larger buffer", async () => {
    await inObject("store-views", (storage) => {
      const store = new DurableObjectPageStore(storage);
      const backing = new Uint8Array(3 * 512);
      backing.set(pageImage(512, 7, 1), 512);
      store.commit(new Map([[1, backing.subarray(512, 1024)]]), 1, 512);
      expect(sameImage(readImage(new DurableObjectPageStore(storage)), [pageImage(512, 7, 1)])).toBe(true);
    });
  });

  it("rejects inconsistent commits and out-of-range reads", async () => {
    await inObject("store-checks", (storage) => {
      const store = new DurableObjectPageStore(storage);
      store.commit(commitOf(1024, 1, [1, 2]), 2, 1024);
      const codeOf = (fn: () => unknown) => {
        try {
          fn();
        } catch (error) {
          return error instanceof SqliteError ? error.code : String(error);
        }
        return "no error";
      };
      expect(codeOf(() => store.commit(commitOf(2048, 2, [1]), 1, 2048))).toBe("SQLITE_MISUSE");
      expect(codeOf(() => store.commit(commitOf(1024, 2, [3]), 2, 1024))).toBe("SQLITE_MISUSE");
      expect(codeOf(() => store.readPage(3))).toBe("SQLITE_RANGE");
      expect(sameImage(readImage(store), [pageImage(1024, 1, 1), pageImage(1024, 1, 2)])).toBe(true);
      store.close();
      expect(codeOf(() => store.pageCount())).toBe("SQLITE_MISUSE");
    });
  });

  it("runs no SQL for a commit that changes nothing", async () => {
    await inObject("store-noop", (storage) => {
      const counting = new FailingStorage(storage);
      const store = new DurableObjectPageStore(counting);
      store.commit(commitOf(512, 1, [1, 2]), 2, 512);
      counting.arm(Infinity);
      store.commit(new Map(), 2, 512);
      expect(counting.execCalls).toBe(0);
      store.commit(new Map(), 1, 512);
      expect(counting.execCalls).toBe(2);
      expect(sameImage(readImage(new DurableObjectPageStore(storage)), [pageImage(512, 1, 1)])).toBe(true);
    });
  });

  const crashScenarios = [
    { name: "grows", before: [range(1, 5), 5], commit: [[1, 3, ...range(6, 9)], 9] },
    { name: "shrinks", before: [range(1, 9), 9], commit: [[1, 2], 4] },
    { name: "is the first commit", before: [[], 0], commit: [range(1, 3), 3] },
    { name: "overwrites in place", before: [range(1, 6), 6], commit: [[1, 2, 4, 6], 6] },
  ] as const;

  for (const scenario of crashScenarios) {
    it(`a commit that ${scenario.name} fails at every sql.exec without a trace`, async () => {
      await inObject(`store-crash-${scenario.name}`, (storage) => {
        const failing = new FailingStorage(storage);
        const [beforePages, beforeCount] = scenario.before;
        const [commitPages, commitCount] = scenario.commit;
        const setup = new DurableObjectPageStore(storage);
        const base = commitOf(512, 1, beforePages);
        if (beforeCount > 0) setup.commit(base, beforeCount, 512);
        const oldImage = applyCommit([], base, beforeCount, 512);
        const change = commitOf(512, 2, commitPages);
        const newImage = applyCommit(oldImage, change, commitCount, 512);

        let failAt = 1;
        for (; ; failAt++) {
          const store = new DurableObjectPageStore(failing);
          failing.arm(failAt);
          try {
            store.commit(change, commitCount, 512);
          } catch (error) {
            expect(error).toBeInstanceOf(InjectedFailure);
            expect(store.pageCount()).toBe(beforeCount);
            expect(sameImage(readImage(new DurableObjectPageStore(storage)), oldImage)).toBe(true);
            continue;
          }
          break;
        }
        // One exec per changed page, one DELETE when shrinking, one meta write
        // when the page count changes.
        const shrinks = commitCount < beforeCount ? 1 : 0;
        const metaWrites = commitCount !== beforeCount ? 1 : 0;
        expect(failAt - 1).toBe(commitPages.length + shrinks + metaWrites);
        expect(sameImage(readImage(new DurableObjectPageStore(storage)), newImage)).toBe(true);
      });
    });
  }

  it("survives the object aborting at every sql.exec of a commit", async () => {
    const name = "store-abort";
    const oldImage = await inObject(name, (storage) => {
      const pages = commitOf(512, 1, range(1, 4));
      new DurableObjectPageStore(storage).commit(pages, 4, 512);
      return applyCommit([], pages, 4, 512);
    });
    const change = commitOf(512, 2, [1, 2, ...range(5, 7)]);
    const execsPerCommit = change.size + 1;
    for (let failAt = 1; failAt <= execsPerCommit; failAt++) {
      const outcome = await inObject(name, (storage, _instance, state) => {
        const failing = new FailingStorage(storage, () => state.abort("simulated crash"));
        const store = new DurableObjectPageStore(failing);
        failing.arm(failAt);
        store.commit(change, 7, 512);
        return "committed";
      }).catch((error: unknown) => String(error));
      expect(outcome).toMatch(/simulated crash/);
      // The aborted object's stub is broken; a new stub reaches a new instance.
      const image = await inObject(name, (storage) => readImage(new DurableObjectPageStore(storage)));
      expect(sameImage(image, oldImage)).toBe(true);
    }
    const committed = await inObject(name, (storage) => {
      new DurableObjectPageStore(storage).commit(change, 7, 512);
      return readImage(new DurableObjectPageStore(storage));
    });
    expect(sameImage(committed, applyCommit(oldImage, change, 7, 512))).toBe(true);
  });

  it("keeps committed pages across evictions, and a failed commit stays invisible after one", async () => {
    const name = "store-evict";
    const instances = new WeakSet<object>();
    const image = await inObject(name, (storage, instance) => {
      instances.add(instance);
      const store = new DurableObjectPageStore(storage);
      const pages = commitOf(4096, 1, range(1, 6));
      store.commit(pages, 6, 4096);
      const failing = new FailingStorage(storage);
      failing.arm(3);
      expect(() => new DurableObjectPageStore(failing).commit(commitOf(4096, 2, range(1, 8)), 8, 4096)).toThrow(
        InjectedFailure,
      );
      return applyCommit([], pages, 6, 4096);
    });

    await evictDurableObject(stubFor(name));
    await inObject(name, (storage, instance) => {
      expect(instances.has(instance)).toBe(false);
      instances.add(instance);
      const store = new DurableObjectPageStore(storage);
      expect(store.pageSize).toBe(4096);
      expect(sameImage(readImage(store), image)).toBe(true);
      store.commit(commitOf(4096, 3, [2]), 3, 4096);
    });

    await evictDurableObject(stubFor(name));
    await inObject(name, (storage, instance) => {
      expect(instances.has(instance)).toBe(false);
      const expected = applyCommit(image, commitOf(4096, 3, [2]), 3, 4096);
      expect(sameImage(readImage(new DurableObjectPageStore(storage)), expected)).toBe(true);
    });
  });
});
