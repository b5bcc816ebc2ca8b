// Change data capture fan-out inside workerd: WebSocket subscriptions
// (live, replay with since, resume, grouping by transaction, filters,
// acknowledgements and the buffer bound, close codes), batching of several
// transactions in one frame, Server-Sent Events,
// the pull API, heartbeats from the alarm, and the management API settings.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DatabaseObject } from "../../src/durable-object/database-object.js";
import { CloseCode } from "../../src/durable-object/cdc/close-codes.js";
import { captured, databaseStub, latestChangeId, subscribe, subscribeToDatabase, valuesOf, type FeedMessage } from "./cdc-helpers.js";
import { execute, expectJsonError, HOST, pipeline, run } from "./hrana-helpers.js";


function rows(message: FeedMessage): unknown[] {
  return (message.changes ?? []).map((c) => [c.op, c.table, c.id, c.before, c.after]);
}

describe("WebSocket subscription", () => {
  it("streams each committed transaction once, in commit order, with decoded rows", async () => {
    await captured("cdc-live", "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
    const feed = await subscribe("cdc-live", "since=");
    const subscribed = await feed.next();
    expect(subscribed).toMatchObject({ type: "subscribed", change_id: await latestChangeId("cdc-live") });
    await run("cdc-live", "INSERT INTO t VALUES (1, 'one')");
    await pipeline("cdc-live", [execute("BEGIN"), execute("UPDATE t SET v = 'uno' WHERE k = 1"), execute("INSERT INTO t VALUES (2, 'two')"), execute("COMMIT"), { type: "close" }]);
    await run("cdc-live", "DELETE FROM t WHERE k = 2");
    const first = await feed.transaction();
    expect(rows(first)).toEqual([["insert", "t", 1, null, { k: 1, v: "one" }]]);
    const second = await feed.transaction();
    expect(rows(second)).toEqual([
      ["update", "t", 1, { k: 1, v: "one" }, { k: 1, v: "uno" }],
      ["insert", "t", 2, null, { k: 2, v: "two" }],
    ]);
    const third = await feed.transaction();
    expect(rows(third)).toEqual([["delete", "t", 2, { k: 2, v: "two" }, null]]);
    expect(first.change_id).toBeLessThan(second.change_id);
    expect(second.change_id).toBeLessThan(third.change_id);
    expect(third.change_id).toBe(await latestChangeId("cdc-live"));
    await feed.expectNoTransaction();
    feed.close();
  });

  it("delivers BEGIN CONCURRENT transactions in commit order, not start order", async () => {
    await captured("cdc-concurrent", "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
    const feed = await subscribe("cdc-concurrent", "since=");
    await feed.next();
    const first = await pipeline("cdc-concurrent", [execute("BEGIN CONCURRENT"), execute("INSERT INTO t VALUES (1, 'started first')")]);
    const second = await pipeline("cdc-concurrent", [execute("BEGIN CONCURRENT"), execute("INSERT INTO t VALUES (2, 'started second')")]);
    await pipeline("cdc-concurrent", [execute("COMMIT"), { type: "close" }], second.baton);
    await pipeline("cdc-concurrent", [execute("COMMIT"), { type: "close" }], first.baton);
    expect(rows(await feed.transaction())).toEqual([["insert", "t", 2, null, { k: 2, v: "started second" }]]);
    expect(rows(await feed.transaction())).toEqual([["insert", "t", 1, null, { k: 1, v: "started first" }]]);
    feed.close();
  });

  it("leaves out rolled-back transactions", async () => {
    await captured("cdc-rollback", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-rollback", "tables=t");
    await feed.next();
    await pipeline("cdc-rollback", [execute("BEGIN"), execute("INSERT INTO t VALUES ('gone')"), execute("ROLLBACK"), { type: "close" }]);
    await run("cdc-rollback", "INSERT INTO t VALUES ('kept')");
    expect(rows(await feed.transaction())).toEqual([["insert", "t", 1, null, { v: "kept" }]]);
    feed.close();
  });

  it("replays retained changes after since, then goes live; a reconnect with the last change_id misses nothing", async () => {
    await captured("cdc-resume", "CREATE TABLE t (v INTEGER)");
    const start = await latestChangeId("cdc-resume");
    for (let i = 1; i <= 5; i++) await run("cdc-resume", `INSERT INTO t VALUES (${i})`);
    const first = await subscribe("cdc-resume", `since=${start}`);
    const seen: number[] = [];
    let last = start;
    for (let i = 0; i < 3; i++) {
      const message = await first.transaction();
      seen.push((message.changes![0].after as { v: number }).v);
      last = message.change_id;
    }
    first.close();
    await first.closed;
    for (let i = 6; i <= 8; i++) await run("cdc-resume", `INSERT INTO t VALUES (${i})`);
    const second = await subscribe("cdc-resume", `since=${last}`);
    for (let i = 0; i < 5; i++) seen.push(((await second.transaction()).changes![0].after as { v: number }).v);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await second.expectNoTransaction();
    second.close();
  });

  it("tells when the replay caught up, then pushes new commits", async () => {
    await captured("cdc-caughtup", "CREATE TABLE t (v)");
    const start = await latestChangeId("cdc-caughtup");
    await run("cdc-caughtup", "INSERT INTO t VALUES (1)");
    const feed = await subscribe("cdc-caughtup", `since=${start}`);
    const kinds: string[] = [];
    for (;;) {
      const message = await feed.next();
      kinds.push(message.type);
      if (message.type === "live") break;
    }
    expect(kinds).toEqual(["subscribed", "transaction", "live"]);
    await run("cdc-caughtup", "INSERT INTO t VALUES (2)");
    expect(rows(await feed.transaction())).toEqual([["insert", "t", 2, null, { v: 2 }]]);
    feed.close();
  });

  it("filters by table (names case-insensitive) and operation, still advancing the cursor past what it drops", async () => {
    await captured("cdc-filter", "CREATE TABLE a (v)", "CREATE TABLE b (v)");
    const feed = await subscribe("cdc-filter", "tables=B&operations=delete,update");
    await feed.next();
    await run("cdc-filter", "INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (1)", "UPDATE a SET v = 2", "UPDATE b SET v = 2", "DELETE FROM a", "DELETE FROM b");
    const update = await feed.transaction();
    expect(rows(update)).toEqual([["update", "b", 1, { v: 1 }, { v: 2 }]]);
    const del = await feed.transaction();
    expect(rows(del)).toEqual([["delete", "b", 1, { v: 2 }, null]]);
    await feed.expectNoTransaction();
    feed.close();
  });

  it("takes the subscription from a first message when the query names none", async () => {
    await captured("cdc-message", "CREATE TABLE t (v)");
    const start = await latestChangeId("cdc-message");
    await run("cdc-message", "INSERT INTO t VALUES ('before subscribing')");
    const feed = await subscribe("cdc-message");
    feed.send({ type: "subscribe", since: start, tables: ["t"] });
    expect(await feed.next()).toMatchObject({ type: "subscribed", change_id: start, tables: ["t"] });
    expect(rows(await feed.transaction())).toEqual([["insert", "t", 1, null, { v: "before subscribing" }]]);
    feed.close();
  });

  it("negotiates no permessage-deflate (no_web_socket_compression), so frames are not compressed once per subscriber", async () => {
    const res = await exports.default.fetch(`${HOST}/db/cdc-no-deflate/changes?since=`, {
      headers: { upgrade: "websocket", "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" },
    });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-extensions") ?? "").not.toContain("permessage-deflate");
    res.webSocket!.accept();
    res.webSocket!.close(1000, "done");
  });

  it("refuses bad subscriptions with 4400", async () => {
    await captured("cdc-bad");
    for (const query of ["operations=truncate", "since=-1", "window=0", "colour=red"]) {
      const feed = await subscribe("cdc-bad", query);
      expect((await feed.closed).code).toBe(CloseCode.BAD_REQUEST);
    }
    const feed = await subscribe("cdc-bad");
    feed.send({ type: "ack", change_id: 1 });
    expect((await feed.closed).code).toBe(CloseCode.BAD_REQUEST);
  });

  it("closes with 4410 when since is ahead of the newest change (the database was replaced)", async () => {
    await captured("cdc-ahead", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-ahead", `since=${(await latestChangeId("cdc-ahead")) + 100}`);
    const closed = await feed.closed;
    expect(closed.code).toBe(CloseCode.RESYNC);
    expect(closed.reason).toMatch(/resync/);
  });

  it("closes with 4409 when capture is off", async () => {
    await run("cdc-off", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-off", "since=0");
    expect((await feed.closed).code).toBe(CloseCode.CAPTURE_OFF);
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-off/changes?since=0`), 409, "CDC_OFF");
  });

  it("closes live subscribers when the capture table is dropped", async () => {
    await captured("cdc-dropped", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-dropped", "since=");
    await feed.next();
    await run("cdc-dropped", "DROP TABLE turso_cdc", "INSERT INTO t VALUES (1)");
    expect((await feed.closed).code).toBe(CloseCode.CAPTURE_OFF);
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-dropped/changes`), 409, "CDC_OFF");
  });

  it("closes live subscribers when capture is turned off", async () => {
    await captured("cdc-turnoff", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-turnoff", "since=");
    await feed.next();
    await run("cdc-turnoff", "PRAGMA capture_data_changes_conn('off')");
    expect((await feed.closed).code).toBe(CloseCode.CAPTURE_OFF);
  });
});

describe("buffer bound", () => {
  it("paces a catching-up subscriber by its acknowledgements", async () => {
    await captured("cdc-pace", "CREATE TABLE t (v)");
    const start = await latestChangeId("cdc-pace");
    for (let i = 1; i <= 6; i++) await run("cdc-pace", `INSERT INTO t VALUES (${i})`);
    // Each autocommit insert is two change ids (the change and its commit record): a window of 4 holds two.
    const feed = await subscribe("cdc-pace", `since=${start}&window=4`);
    await feed.next();
    const first = await feed.transaction();
    const second = await feed.transaction();
    await feed.expectNoTransaction();
    feed.ack(second.change_id);
    const values = [first, second, await feed.transaction(), await feed.transaction()].map((m) => (m.changes![0].after as { v: number }).v);
    expect(values).toEqual([1, 2, 3, 4]);
    feed.close();
  });

  it("cuts off a live subscriber that does not acknowledge, with the resumable 4408", async () => {
    await captured("cdc-slow", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-slow", "since=&window=4");
    await feed.next();
    for (let i = 1; i <= 4; i++) await run("cdc-slow", `INSERT INTO t VALUES (${i})`);
    const closed = await feed.closed;
    expect(closed.code).toBe(CloseCode.BEHIND);
    expect(closed.reason).toMatch(/since=/);
  });

  it("keeps a live subscriber that acknowledges as it goes", async () => {
    await captured("cdc-keeps", "CREATE TABLE t (v)");
    const feed = await subscribe("cdc-keeps", "since=&window=4");
    await feed.next();
    for (let i = 1; i <= 10; i++) {
      await run("cdc-keeps", `INSERT INTO t VALUES (${i})`);
      const message = await feed.transaction();
      expect((message.changes![0].after as { v: number }).v).toBe(i);
      feed.ack(message.change_id);
    }
    feed.close();
  });
});

describe("batching", () => {
  /** Commits `count` single-row transactions (values 1..count); returns the change_id before them. */
  async function commits(db: string, count: number): Promise<number> {
    await captured(db, "CREATE TABLE t (v INTEGER)");
    const start = await latestChangeId(db);
    for (let i = 1; i <= count; i++) await run(db, `INSERT INTO t VALUES (${i})`);
    return start;
  }


  it("sends the transactions one pass finds in one frame, in commit order, carrying the last change_id", async () => {
    const start = await commits("cdc-batch", 5);
    const feed = await subscribe("cdc-batch", `since=${start}`);
    const received = [];
    for (let i = 0; i < 5; i++) received.push(await feed.transaction());
    expect(valuesOf(received)).toEqual([1, 2, 3, 4, 5]);
    const changeIds = received.map((m) => m.change_id);
    expect(changeIds).toEqual([...changeIds].sort((a, b) => a - b));
    const frames = feed.frames.filter((f) => f.type === "transactions");
    expect(frames).toHaveLength(1);
    expect(frames[0]).toEqual({ type: "transactions", change_id: changeIds[4], transactions: received });
    expect(received.every((m) => m.type === "transaction")).toBe(true);
    feed.close();
  });

  it("fills a frame only up to the window, and sends the rest as acknowledgements make room", async () => {
    const start = await commits("cdc-batch-window", 6);
    // Each autocommit insert is two change ids (the change and its commit record): a window of 4 holds two.
    const feed = await subscribe("cdc-batch-window", `since=${start}&window=4`);
    const first = [await feed.transaction(), await feed.transaction()];
    await feed.expectNoTransaction();
    expect(feed.frames.filter((f) => f.type === "transactions").map((f) => f.transactions!.length)).toEqual([2]);
    feed.ack(first[1].change_id);
    const second = [await feed.transaction(), await feed.transaction()];
    await feed.expectNoTransaction();
    feed.ack(second[1].change_id);
    const third = [await feed.transaction(), await feed.transaction()];
    expect(valuesOf([...first, ...second, ...third])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(feed.frames.filter((f) => f.type === "transactions").map((f) => f.transactions!.length)).toEqual([2, 2, 2]);
    feed.close();
  });

  it("holds back what one pass finds beyond the window of a live subscriber that kept up, until its ack (no 4408)", async () => {
    await captured("cdc-batch-live", "CREATE TABLE t (v INTEGER)");
    const feed = await subscribe("cdc-batch-live", "since=&window=4");
    await feed.next();
    // One request, three commits: one pass finds six change ids, more than the window of four.
    await pipeline("cdc-batch-live", [execute("INSERT INTO t VALUES (1)"), execute("INSERT INTO t VALUES (2)"), execute("INSERT INTO t VALUES (3)"), { type: "close" }]);
    const first = [await feed.transaction(), await feed.transaction()];
    await feed.expectNoTransaction();
    // A commit while it is held back (before its ack came): it waits too, the subscriber is not cut off.
    await run("cdc-batch-live", "INSERT INTO t VALUES (4)");
    await feed.expectNoTransaction();
    feed.ack(first[1].change_id);
    const rest = [await feed.transaction(), await feed.transaction()];
    expect(valuesOf([...first, ...rest])).toEqual([1, 2, 3, 4]);
    // Not acknowledging, it falls behind at the next commits beyond its window, and is cut off.
    for (let i = 5; i <= 7; i++) await run("cdc-batch-live", `INSERT INTO t VALUES (${i})`);
    expect((await feed.closed).code).toBe(CloseCode.BEHIND);
  });

  it("resumes after the last transaction processed from a frame, even one inside it", async () => {
    const start = await commits("cdc-batch-resume", 4);
    const first = await subscribe("cdc-batch-resume", `since=${start}`);
    await first.transaction();
    const processed = await first.transaction();
    first.close();
    await first.closed;
    await run("cdc-batch-resume", "INSERT INTO t VALUES (5)");
    const second = await subscribe("cdc-batch-resume", `since=${processed.change_id}`);
    const rest = [];
    for (let i = 0; i < 3; i++) rest.push(await second.transaction());
    expect(valuesOf(rest)).toEqual([3, 4, 5]);
    await second.expectNoTransaction();
    second.close();
  });

  it("keeps a filter's view: a frame holds only the transactions the filter selects", async () => {
    await captured("cdc-batch-filter", "CREATE TABLE a (v)", "CREATE TABLE b (v)");
    const start = await latestChangeId("cdc-batch-filter");
    await run("cdc-batch-filter", "INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (2)", "INSERT INTO a VALUES (3)", "INSERT INTO b VALUES (4)");
    const feed = await subscribe("cdc-batch-filter", `since=${start}&tables=b`);
    const received = [await feed.transaction(), await feed.transaction()];
    expect(received.map((m) => rows(m))).toEqual([[["insert", "b", 1, null, { v: 2 }]], [["insert", "b", 2, null, { v: 4 }]]]);
    expect(feed.frames.find((f) => f.type === "transactions")?.transactions).toEqual(received);
    await feed.expectNoTransaction();
    feed.close();
  });

  it("writes what was sent and acknowledged to the socket attachment before the object could hibernate", async () => {
    const start = await commits("cdc-batch-attachment", 3);
    const feed = await subscribeToDatabase("cdc-batch-attachment", `since=${start}`);
    const received = [await feed.transaction(), await feed.transaction(), await feed.transaction()];
    const last = received[2].change_id;
    feed.ack(last);
    expect((await feed.next()).type).toBe("live");
    // The alarm (heartbeats) writes the subscribers' state; until then the runtime keeps the object awake with a timer.
    await runDurableObjectAlarm(databaseStub("cdc-batch-attachment"));
    const attachments = await runInDurableObject(databaseStub("cdc-batch-attachment"), (_: DatabaseObject, state) => state.getWebSockets("cdc").map((s) => s.deserializeAttachment() as unknown));
    expect(attachments).toEqual([expect.objectContaining({ phase: "subscribed", cursor: last, sent: last, acked: last, live: true })]);
    feed.close();
  });
});

describe("heartbeats and hibernation state", () => {
  it("sends heartbeats with the cursor from the alarm, and keeps the subscription in the socket attachment", async () => {
    await captured("cdc-heartbeat", "CREATE TABLE t (v)");
    const feed = await subscribeToDatabase("cdc-heartbeat", "since=");
    const { change_id } = await feed.next();
    expect(await feed.next()).toEqual({ type: "live", change_id });
    const heartbeat = new Promise<FeedMessage>((resolve) => feed.socket.addEventListener("message", (e) => resolve(JSON.parse(e.data as string) as FeedMessage)));
    expect(await runDurableObjectAlarm(databaseStub("cdc-heartbeat"))).toBe(true);
    expect(await heartbeat).toMatchObject({ type: "heartbeat", change_id });
    const attachments = await runInDurableObject(databaseStub("cdc-heartbeat"), (_: DatabaseObject, state) => state.getWebSockets("cdc").map((s) => s.deserializeAttachment() as unknown));
    expect(attachments).toEqual([expect.objectContaining({ database: "cdc-heartbeat", phase: "subscribed", cursor: change_id, live: true })]);
    feed.close();
  });
});

describe("Server-Sent Events", () => {
  async function readEvents(res: Response, count: number): Promise<{ id: string | null; event: string; data: string }[]> {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const events: { id: string | null; event: string; data: string }[] = [];
    let text = "";
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      let end: number;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const fields = Object.fromEntries(block.split("\n").filter((l) => !l.startsWith(":") && l.includes(": ")).map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]));
        if (fields.event) events.push({ id: fields.id ?? null, event: fields.event, data: fields.data });
      }
    }
    await reader.cancel();
    return events;
  }

  it("streams transactions as events whose ids are change ids, resuming from Last-Event-ID", async () => {
    await captured("cdc-sse", "CREATE TABLE t (v)");
    const start = await latestChangeId("cdc-sse");
    await run("cdc-sse", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
    const res = await exports.default.fetch(`${HOST}/db/cdc-sse/changes?since=${start}`, { headers: { accept: "text/event-stream" } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const [one, two, live] = await readEvents(res, 3);
    expect(one.event).toBe("transaction");
    expect(JSON.parse(one.data)).toMatchObject({ change_id: Number(one.id), changes: [{ op: "insert", after: { v: 1 } }] });
    expect(JSON.parse(two.data)).toMatchObject({ changes: [{ after: { v: 2 } }] });
    expect(live.event).toBe("live");
    const resumed = await exports.default.fetch(`${HOST}/db/cdc-sse/changes?since=${start}`, { headers: { accept: "text/event-stream", "last-event-id": one.id! } });
    const [again] = await readEvents(resumed, 1);
    expect(again.id).toBe(two.id);
  });

  it("cuts off a live SSE subscriber that stops reading, with event close 4408", async () => {
    await captured("cdc-sse-slow", "CREATE TABLE t (v)");
    const res = await exports.default.fetch(`${HOST}/db/cdc-sse-slow/changes?since=`, { headers: { accept: "text/event-stream" } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: live")) text += (await reader.read()).value ?? "";
    // Stop reading: each insert below queues ~200 KB of event text, far beyond what the pipes between us buffer.
    for (let i = 0; i < 40; i++) await run("cdc-sse-slow", `INSERT INTO t VALUES (printf('%.*c', 200000, 'x'))`);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const close = /event: close\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(close![1])).toMatchObject({ code: CloseCode.BEHIND });
    expect((text.match(/event: transaction/g) ?? []).length).toBeLessThan(40);
  });

  it("refuses a since older than retention with 410 before streaming", async () => {
    await captured("cdc-sse-ahead", "CREATE TABLE t (v)");
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-sse-ahead/changes?since=999999`, { headers: { accept: "text/event-stream" } }), 410, "CDC_RESYNC_REQUIRED");
  });
});

describe("pull", () => {
  it("pages through whole transactions with a next cursor", async () => {
    await captured("cdc-pull", "CREATE TABLE t (v)");
    const start = await latestChangeId("cdc-pull");
    await pipeline("cdc-pull", [execute("BEGIN"), execute("INSERT INTO t VALUES (1)"), execute("INSERT INTO t VALUES (2)"), execute("COMMIT"), { type: "close" }]);
    await run("cdc-pull", "INSERT INTO t VALUES (3)", "INSERT INTO t VALUES (4)");
    const page = async (since: number, limit: number) => {
      const res = await exports.default.fetch(`${HOST}/db/cdc-pull/changes?since=${since}&limit=${limit}&tables=t`);
      expect(res.status).toBe(200);
      return (await res.json()) as { transactions: FeedMessage[]; next: number; caught_up: boolean; latest: number };
    };
    const first = await page(start, 2);
    expect(first.latest).toBe(await latestChangeId("cdc-pull"));
    expect(first.transactions.map((t) => t.changes!.map((c) => (c.after as { v: number }).v))).toEqual([[1, 2]]);
    expect(first.caught_up).toBe(false);
    const rest = await page(first.next, 100);
    expect(rest.transactions.map((t) => t.changes!.map((c) => (c.after as { v: number }).v))).toEqual([[3], [4]]);
    expect(rest.caught_up).toBe(true);
    expect(rest.next).toBe(await latestChangeId("cdc-pull"));
    const empty = await page(rest.next, 100);
    expect(empty).toEqual({ transactions: [], next: rest.next, caught_up: true, latest: rest.next });
  });

  it("answers bad parameters with 400 JSON", async () => {
    await captured("cdc-pull-bad");
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-pull-bad/changes?limit=0`), 400, "CDC_BAD_SUBSCRIPTION");
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-pull-bad/changes?since=abc`), 400, "CDC_BAD_SUBSCRIPTION");
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-pull-bad/changes`, { method: "POST" }), 405, "METHOD_NOT_ALLOWED");
  });
});

describe("retention", () => {
  it("prunes past retention from the alarm (not in the writers' requests) and closes a since older than that with 4410", async () => {
    await captured("cdc-retention", "CREATE TABLE t (v)");
    await run("cdc-retention", "PRAGMA capture_data_changes_retention('changes=4')");
    for (let i = 1; i <= 6; i++) await run("cdc-retention", `INSERT INTO t VALUES (${i})`);
    const count = async () => Number(((await run("cdc-retention", "SELECT count(*) FROM turso_cdc"))[0].rows[0][0] as { value: string }).value);
    const before = await count();
    expect(before).toBeGreaterThan(4);
    expect(await runDurableObjectAlarm(databaseStub("cdc-retention"))).toBe(true);
    expect(await count()).toBeLessThanOrEqual(4);
    const [range] = await run("cdc-retention", "SELECT min(change_id), max(change_id) FROM turso_cdc");
    const oldest = Number((range.rows[0][0] as { value: string }).value);
    expect(oldest).toBeGreaterThan(1);
    const stale = await subscribe("cdc-retention", `since=${oldest - 2}`);
    const closed = await stale.closed;
    expect(closed.code).toBe(CloseCode.RESYNC);
    expect(closed.reason).toMatch(/older than the retained/);
    await expectJsonError(await exports.default.fetch(`${HOST}/db/cdc-retention/changes?since=0`), 410, "CDC_RESYNC_REQUIRED");
    const fresh = await subscribe("cdc-retention", `since=${oldest - 1}&tables=t`);
    expect((await fresh.transaction()).changes![0].after).toEqual({ v: 5 });
    expect((await fresh.transaction()).changes![0].after).toEqual({ v: 6 });
    fresh.close();
  });
});
