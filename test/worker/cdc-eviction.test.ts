// Change subscribers across an eviction of the database's Durable Object with
// their WebSockets hibernated (inside workerd): the new instance rebuilds
// them from the socket attachments, so a live subscriber gets each later
// commit once, and one catching up (paced by its acknowledgements) carries
// on from where its window stopped, without loss, duplicates or reordering.
// The runtime lets pending timers run before it evicts (as it hibernates an
// object only without them), so a fan-out pass and the write of the
// attachments are never cut short by it.
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { captured, subscribe, type Feed, type FeedMessage } from "./cdc-helpers.js";
import { run } from "./hrana-helpers.js";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

const valuesOf = (messages: FeedMessage[]) => messages.map((m) => (m.changes![0].after as { v: number }).v);

async function transactions(feed: Feed, count: number): Promise<FeedMessage[]> {
  const received = [];
  for (let i = 0; i < count; i++) received.push(await feed.transaction());
  return received;
}

describe("eviction with hibernated subscribers", () => {
  it("resumes each subscriber from its attachment: live ones get later commits once, a catching-up one carries on at its next ack", async () => {
    const db = "cdc-evict";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const live = await subscribe(db, "since=");
    const { change_id: start } = await live.next();
    expect(await live.next()).toMatchObject({ type: "live" });
    for (let v = 1; v <= 6; v++) await run(db, `INSERT INTO t VALUES (${v})`);
    const first = await transactions(live, 6);
    live.ack(first[5].change_id);
    // Each insert is two change ids (the change and its commit record): a window of 4 holds two of them.
    const catchingUp = await subscribe(db, `since=${start}&window=4`);
    expect(await catchingUp.next()).toMatchObject({ type: "subscribed", change_id: start });
    const replayed = await transactions(catchingUp, 2);
    await catchingUp.expectNoTransaction();

    await evictDurableObject(stubFor(db));

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
});
