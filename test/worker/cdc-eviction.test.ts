// Change subscribers of the database's own Durable Object (as relays are,
// and every subscriber without relays) across the end of its instance
// (inside workerd). Evicted with its WebSockets hibernated: the new
// instance rebuilds the subscribers from the socket attachments, so a live
// subscriber gets each later commit once, and one catching up (paced by its
// acknowledgements) carries on from where its window stopped, without loss,
// duplicates or reordering. The runtime lets pending timers run before it
// evicts (as it hibernates an object only without them), so an eviction
// never cuts a fan-out pass or the write of the attachments short; a crash
// (abort) does, and disconnects every subscriber: resuming with since then
// recovers exactly what each missed.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCESS_HEADER } from "../../src/durable-object/access.js";
import { PASS_SLICE } from "../../src/durable-object/cdc/paced-fanout.js";
import type { DatabaseObject } from "../../src/durable-object/database-object.js";
import { captured, databaseStub, subscribeToDatabase, transactions, valuesOf, type Feed, type FeedMessage } from "./cdc-helpers.js";
import { execute, HOST, run } from "./hrana-helpers.js";

describe("eviction with hibernated subscribers", () => {
  it("resumes each subscriber from its attachment: live ones get later commits once, a catching-up one carries on at its next ack", async () => {
    const db = "cdc-evict";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const live = await subscribeToDatabase(db, "since=");
    const { change_id: start } = await live.next();
    expect(await live.next()).toMatchObject({ type: "live" });
    for (let v = 1; v <= 6; v++) await run(db, `INSERT INTO t VALUES (${v})`);
    const first = await transactions(live, 6);
    live.ack(first[5].change_id);
    // Each insert is two change ids (the change and its commit record): a window of 4 holds two of them.
    const catchingUp = await subscribeToDatabase(db, `since=${start}&window=4`);
    expect(await catchingUp.next()).toMatchObject({ type: "subscribed", change_id: start });
    const replayed = await transactions(catchingUp, 2);
    await catchingUp.expectNoTransaction();

    await evictDurableObject(databaseStub(db));

    await run(db, "INSERT INTO t VALUES (7)");
    expect(valuesOf(await transactions(live, 1))).toEqual([7]);
    await live.expectNoTransaction();
    const rest: FeedMessage[] = [];
    let last = replayed[1].change_id;
    while (rest.length < 5) {
      catchingUp.ack(last);
      rest.push(...(await transactions(catchingUp, Math.min(2, 5 - rest.length))));
      last = rest[rest.length - 1].change_id;
    }
    expect(valuesOf([...replayed, ...rest])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    catchingUp.ack(last);
    expect(await catchingUp.next()).toMatchObject({ type: "live", change_id: last });
    await catchingUp.expectNoTransaction();
    live.close();
    catchingUp.close();
  });

  it("a crash in the middle of a pass disconnects every subscriber; resuming with since, each gets exactly what it missed", async () => {
    const db = "cdc-crash";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    // More subscribers than one slice of a pass.
    const feeds: Feed[] = [];
    for (let i = 0; i < PASS_SLICE + 8; i++) feeds.push(await subscribeToDatabase(db, "since="));
    let start = 0;
    for (const feed of feeds) {
      start = (await feed.next()).change_id;
      expect(await feed.next()).toMatchObject({ type: "live" });
    }
    const ends = feeds.map((feed) => feed.closed);
    // Commit, let the pass deliver its first slice (a macrotask after the request), then abort before the next.
    const crash = runInDurableObject(databaseStub(db), async (instance: DatabaseObject, state) => {
      const body = JSON.stringify({ baton: null, requests: [execute("INSERT INTO t VALUES (1)"), { type: "close" }] });
      const res = await instance.fetch(new Request(`${HOST}/db/${db}/v2/pipeline`, { method: "POST", headers: { "content-type": "application/json", [ACCESS_HEADER]: "rw" }, body }));
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 0));
      state.abort("simulated crash");
    });
    await expect(crash).rejects.toThrow("simulated crash");
    for (const end of ends) expect((await end).code).toBe(1006);
    const before = feeds.map((feed) => feed.takeQueuedTransactions());
    const reached = before.filter((received) => received.length === 1).length;
    // The crash came mid-pass: the first slice got the commit, the rest did not.
    expect(reached).toBe(PASS_SLICE);
    expect(before.filter((received) => received.length === 0)).toHaveLength(feeds.length - PASS_SLICE);

    await run(db, "INSERT INTO t VALUES (2)");
    for (const received of before) {
      const since = received.at(-1)?.change_id ?? start;
      const resumed = await subscribeToDatabase(db, `since=${since}`);
      const rest = await transactions(resumed, 2 - received.length);
      expect(valuesOf([...received, ...rest])).toEqual([1, 2]);
      expect(await resumed.next()).toMatchObject({ type: "live" });
      await resumed.expectNoTransaction(20);
      resumed.close();
    }
  });
});
