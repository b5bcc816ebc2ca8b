// Change relays (inside workerd): the database's object sends each commit to
// its relays, which serve the subscribers; what each subscriber receives is
// what the database would have sent it, across a crash of the database's
// object, and after a crash of the relay when it resumes with since; a
// subscriber starting further back
// than its relay holds is filled in from the pull API, or told to catch up
// there when that is too far.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCESS_HEADER } from "../../src/durable-object/access.js";
import { CloseCode } from "../../src/durable-object/cdc/close-codes.js";
import { RELAY_MAX_CHANGES, RELAY_TOO_FAR_BEHIND } from "../../src/durable-object/cdc/relay/change-relay.js";
import { RELAY_TAG, SOCKET_TAG } from "../../src/durable-object/cdc/socket-subscriber.js";
import type { DatabaseObject } from "../../src/durable-object/database-object.js";
import { DEFAULT_RELAYS } from "../../src/router/database-route.js";
import { captured, databaseStub, latestChangeId, relayStub, subscribe, subscribeToRelay, transactions, valuesOf, type Feed, type FeedMessage } from "./cdc-helpers.js";
import { execute, HOST, run } from "./hrana-helpers.js";

async function live(feed: Feed): Promise<number> {
  const { change_id } = await feed.next();
  expect(await feed.next()).toMatchObject({ type: "live", change_id });
  return change_id;
}

describe("change relays", () => {
  it("serve the subscribers: the database's object has one subscriber per relay in use, and every subscriber gets every commit once, in order", async () => {
    const db = "relay-spread";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const feeds: Feed[] = [];
    for (let i = 0; i < 12; i++) feeds.push(await subscribe(db, "since="));
    for (const feed of feeds) await live(feed);
    for (let v = 1; v <= 3; v++) await run(db, `INSERT INTO t VALUES (${v})`);
    for (const feed of feeds) {
      expect(valuesOf(await transactions(feed, 3))).toEqual([1, 2, 3]);
      await feed.expectNoTransaction(20);
    }
    const sockets = await runInDurableObject(databaseStub(db), (_: DatabaseObject, state) => ({ all: state.getWebSockets(SOCKET_TAG).length, relays: state.getWebSockets(RELAY_TAG).length }));
    expect(sockets.relays).toBe(sockets.all);
    expect(sockets.all).toBeGreaterThanOrEqual(1);
    expect(sockets.all).toBeLessThanOrEqual(DEFAULT_RELAYS);
    const counts = await Promise.all(Array.from({ length: DEFAULT_RELAYS }, (_, n) => relayStub(db, n).subscriberCount()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    for (const feed of feeds) feed.close();
  });

  it("keep their subscribers through a crash of the database's object mid-pass: each gets every commit once, in order", async () => {
    const db = "relay-crash";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const feeds: Feed[] = [];
    for (let n = 0; n < DEFAULT_RELAYS; n++) for (let i = 0; i < 3; i++) feeds.push(await subscribeToRelay(db, n, "since="));
    for (const feed of feeds) await live(feed);
    const crash = runInDurableObject(databaseStub(db), async (instance: DatabaseObject, state) => {
      const body = JSON.stringify({ baton: null, requests: [execute("INSERT INTO t VALUES (1)"), { type: "close" }] });
      const res = await instance.fetch(new Request(`${HOST}/db/${db}/v2/pipeline`, { method: "POST", headers: { "content-type": "application/json", [ACCESS_HEADER]: "rw" }, body }));
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 0));
      state.abort("simulated crash");
    });
    await expect(crash).rejects.toThrow("simulated crash");
    await run(db, "INSERT INTO t VALUES (2)");
    for (const feed of feeds) {
      expect(valuesOf(await transactions(feed, 2))).toEqual([1, 2]);
      await feed.expectNoTransaction(20);
    }
    for (const feed of feeds) feed.close();
  });

  it("send heartbeats from their alarm", async () => {
    const db = "relay-evict";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const feed = await subscribeToRelay(db, 0, "since=");
    const cursor = await live(feed);
    const heartbeat = new Promise<FeedMessage>((resolve) => feed.socket.addEventListener("message", (e) => resolve(JSON.parse(e.data as string) as FeedMessage)));
    expect(await runDurableObjectAlarm(relayStub(db, 0))).toBe(true);
    expect(await heartbeat).toMatchObject({ type: "heartbeat", change_id: cursor });
    await run(db, "INSERT INTO t VALUES (1)");
    expect(valuesOf(await transactions(feed, 1))).toEqual([1]);
    feed.close();
  });

  it("disconnect their subscribers when they crash (1006); resuming with since, each gets exactly what it missed", async () => {
    const db = "relay-relay-crash";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const feeds = [await subscribeToRelay(db, 0, "since="), await subscribeToRelay(db, 0, "since=")];
    const start = await live(feeds[0]);
    await live(feeds[1]);
    await run(db, "INSERT INTO t VALUES (1)");
    const received = [await transactions(feeds[0], 1), [] as FeedMessage[]];
    const ends = feeds.map((feed) => feed.closed);
    await expect(runInDurableObject(relayStub(db, 0), (_, state) => state.abort("simulated relay crash"))).rejects.toThrow("simulated relay crash");
    for (const end of ends) expect((await end).code).toBe(1006);
    received[1] = feeds[1].takeQueuedTransactions();
    await run(db, "INSERT INTO t VALUES (2)");
    for (const got of received) {
      const resumed = await subscribe(db, `since=${got.at(-1)?.change_id ?? start}`);
      expect(valuesOf([...got, ...(await transactions(resumed, 2 - got.length))])).toEqual([1, 2]);
      expect(await resumed.next()).toMatchObject({ type: "live" });
      await resumed.expectNoTransaction(20);
      resumed.close();
    }
  });

  it("fill in a subscriber that starts before what the relay holds from the database's pull API", async () => {
    const db = "relay-fill";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const start = await latestChangeId(db);
    await run(db, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
    // The relay starts holding from here.
    const current = await subscribeToRelay(db, 0, "since=");
    await live(current);
    await run(db, "INSERT INTO t VALUES (3)");
    expect(valuesOf(await transactions(current, 1))).toEqual([3]);
    const behind = await subscribeToRelay(db, 0, `since=${start}`);
    expect(await behind.next()).toMatchObject({ type: "subscribed", change_id: start });
    expect(valuesOf(await transactions(behind, 3))).toEqual([1, 2, 3]);
    expect(await behind.next()).toMatchObject({ type: "live" });
    await run(db, "INSERT INTO t VALUES (4)");
    for (const feed of [current, behind]) {
      expect(valuesOf(await transactions(feed, 1))).toEqual([4]);
      await feed.expectNoTransaction(20);
      feed.close();
    }
  });

  it("pass integers beyond 2^53 and infinities on with their exact text, live and filled in", async () => {
    const db = "relay-exact";
    await captured(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)");
    const start = await latestChangeId(db);
    await run(db, "INSERT INTO t VALUES (9007199254740993, -9223372036854775808)");
    const current = await subscribeToRelay(db, 2, "since=");
    await live(current);
    const texts: string[] = [];
    current.socket.addEventListener("message", (e) => texts.push(e.data as string));
    await run(db, "UPDATE t SET v = 9223372036854775807", "INSERT INTO t VALUES (2, -1e999)");
    await transactions(current, 2);
    const behind = await subscribeToRelay(db, 2, `since=${start}`);
    behind.socket.addEventListener("message", (e) => texts.push(e.data as string));
    await transactions(behind, 3);
    const text = texts.join("\n");
    expect(text).toContain('"after":{"k":9007199254740993,"v":-9223372036854775808}');
    expect(text).toContain('"after":{"k":9007199254740993,"v":9223372036854775807},"updates":{"v":9223372036854775807}');
    expect(text).toContain('"after":{"k":2,"v":-9e999}');
    current.close();
    behind.close();
  });

  it("refuse a start the database no longer retains, or ahead of its newest change, with 4410 as the database does", async () => {
    const db = "relay-resync";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    await run(db, "INSERT INTO t VALUES (1)");
    const latest = await latestChangeId(db);
    const ahead = await subscribeToRelay(db, 1, `since=${latest + 10}`);
    expect((await ahead.closed).code).toBe(CloseCode.RESYNC);
    await run(db, "PRAGMA capture_data_changes_conn('off')");
    const off = await subscribeToRelay(db, 1, "since=");
    expect((await off.closed).code).toBe(CloseCode.CAPTURE_OFF);
  });

  it(`cut off a start more than ${RELAY_MAX_CHANGES} changes back with the resumable 4408: the client catches up with the pull API`, async () => {
    const db = "relay-too-far";
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const start = await latestChangeId(db);
    await run(db, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x <= ${RELAY_MAX_CHANGES}) INSERT INTO t SELECT x FROM c`);
    const current = await subscribeToRelay(db, 0, "since=");
    await live(current);
    const behind = await subscribeToRelay(db, 0, `since=${start}`);
    expect(await behind.closed).toEqual({ code: CloseCode.BEHIND, reason: RELAY_TOO_FAR_BEHIND.slice(0, 120) });
    await run(db, "INSERT INTO t VALUES (0)");
    expect(valuesOf(await transactions(current, 1))).toEqual([0]);
    current.close();
  });
});
