// Change data capture end to end: the real Worker served by `wrangler dev`
// (one start for this file, on 127.0.0.1 and a free port) with auth on, writes through @libsql/client, subscribers with the `ws`
// package, SSE and pull with fetch. Exactly the committed changes arrive, in
// order; a subscriber that disconnects mid-stream resumes with since and
// misses nothing; filters narrow; a slow consumer is cut off resumably;
// retention expiry and bad or missing tokens get their documented answers.
import { createClient, type Client } from "@libsql/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changesUrl, Subscriber } from "./cdc-subscriber.js";
import type { RunningWorker } from "./worker-harness.js";
import { startWranglerDev } from "./wrangler-harness.js";
import { seededRandom } from "../helpers/random.js";

const SECRET = "cdc-e2e-secret-long-enough-for-hs256-signing";
let worker: RunningWorker;
const clients: Client[] = [];
const subscribers: Subscriber[] = [];

function token(access: "rw" | "ro", database: string): Promise<string> {
  return new SignJWT({ a: access, id: database }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
}

async function client(database: string): Promise<Client> {
  const c = createClient({ url: worker.databaseUrl(database), authToken: await token("rw", database) });
  clients.push(c);
  return c;
}

function subscriber(database: string, query: string, options: { token?: string; ack?: boolean }): Subscriber {
  const s = new Subscriber(changesUrl(worker.url, database, query), options);
  subscribers.push(s);
  return s;
}

async function latest(db: Client): Promise<number> {
  return Number((await db.execute("SELECT coalesce(max(change_id), 0) FROM turso_cdc")).rows[0][0]);
}

beforeAll(async () => {
  worker = await startWranglerDev({ vars: { JWT_SECRET: SECRET } });
});

afterAll(async () => {
  for (const s of subscribers) s.socket.terminate();
  for (const c of clients) c.close();
  await worker?.dispose();
});

describe("change data capture over WebSocket", () => {
  it("delivers exactly the committed changes, grouped by transaction, to a read-only subscriber", async () => {
    const db = await client("cdc-e2e");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)");
    const feed = subscriber("cdc-e2e", "since=", { token: await token("ro", "cdc-e2e") });
    await feed.until(() => feed.notices.some((n) => n.type === "live"));
    await db.execute({ sql: "INSERT INTO items VALUES (?, ?, ?)", args: [1, "apple", 3] });
    await db.batch(["INSERT INTO items VALUES (2, 'pear', 1)", "UPDATE items SET qty = qty + 1 WHERE id = 1"], "write");
    const tx = await db.transaction("write");
    await tx.execute("INSERT INTO items VALUES (3, 'fig', 9)");
    await tx.rollback();
    await db.execute("DELETE FROM items WHERE id = 2");
    await feed.until(() => feed.transactions.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(feed.transactions.map((t) => t.changes.map((c) => [c.op, c.table, c.id, c.before, c.after]))).toEqual([
      [["insert", "items", 1, null, { id: 1, name: "apple", qty: 3 }]],
      [
        ["insert", "items", 2, null, { id: 2, name: "pear", qty: 1 }],
        ["update", "items", 1, { id: 1, name: "apple", qty: 3 }, { id: 1, name: "apple", qty: 4 }],
      ],
      [["delete", "items", 2, { id: 2, name: "pear", qty: 1 }, null]],
    ]);
    expect(feed.transactions.at(-1)!.change_id).toBe(await latest(db));
  });

  it("resumes after a disconnect mid-stream with since: no loss, no reordering", async () => {
    const db = await client("cdc-e2e-resume");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE log (n INTEGER)");
    const start = await latest(db);
    const random = seededRandom(7);
    const read = await token("ro", "cdc-e2e-resume");
    let written = 0;
    const writes = (async () => {
      for (let i = 0; i < 60; i++) {
        const rows = 1 + Math.floor(random() * 3);
        await db.batch(Array.from({ length: rows }, () => ({ sql: "INSERT INTO log VALUES (?)", args: [++written] })), "write");
      }
    })();
    const received: number[] = [];
    let cursor = start;
    for (let connection = 0; connection < 4; connection++) {
      const feed = subscriber("cdc-e2e-resume", `since=${cursor}&tables=log`, { token: read });
      await feed.until(() => feed.transactions.length >= 5 || (connection === 3 && feed.notices.some((n) => n.type === "live")), 20_000);
      // Drop the connection abruptly, keeping what a client would have processed.
      feed.socket.terminate();
      for (const t of feed.transactions) {
        if (t.change_id <= cursor) continue;
        received.push(...t.changes.map((c) => c.after!.n as number));
        cursor = t.change_id;
      }
    }
    await writes;
    const last = subscriber("cdc-e2e-resume", `since=${cursor}&tables=log`, { token: read });
    await last.until(() => last.notices.some((n) => n.type === "live"));
    received.push(...last.transactions.flatMap((t) => t.changes.map((c) => c.after!.n as number)));
    expect(received).toEqual(Array.from({ length: written }, (_, i) => i + 1));
  });

  it("filters by table and operation", async () => {
    const db = await client("cdc-e2e-filter");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.batch(["CREATE TABLE a (v)", "CREATE TABLE b (v)"], "write");
    const feed = subscriber("cdc-e2e-filter", "since=&tables=a&operations=update", { token: await token("ro", "cdc-e2e-filter") });
    await feed.until(() => feed.notices.some((n) => n.type === "live"));
    await db.batch(["INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (1)", "UPDATE a SET v = 2", "UPDATE b SET v = 2"], "write");
    await feed.until(() => feed.transactions.length >= 1);
    expect(feed.transactions[0].changes.map((c) => [c.op, c.table, c.after])).toEqual([["update", "a", { v: 2 }]]);
  });

  it("cuts off a consumer that does not acknowledge (4408), which then resumes with since", async () => {
    const db = await client("cdc-e2e-slow");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE t (v)");
    const read = await token("ro", "cdc-e2e-slow");
    const slow = subscriber("cdc-e2e-slow", "since=&window=10", { token: read, ack: false });
    await slow.until(() => slow.notices.some((n) => n.type === "live"));
    const start = slow.notices[0].change_id;
    for (let i = 1; i <= 10; i++) await db.execute({ sql: "INSERT INTO t VALUES (?)", args: [i] });
    expect(await slow.ended).toMatchObject({ code: 4408 });
    const processed = slow.transactions.at(-1)?.change_id ?? start;
    const resumed = subscriber("cdc-e2e-slow", `since=${processed}`, { token: read });
    await resumed.until(() => resumed.notices.some((n) => n.type === "live"));
    const values = [...slow.transactions, ...resumed.transactions].flatMap((t) => t.changes.map((c) => c.after!.v));
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("answers a since older than retention with 4410 once the alarm pruned", async () => {
    const db = await client("cdc-e2e-retention");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("PRAGMA capture_data_changes_retention('changes=2')");
    await db.execute("CREATE TABLE t (v)");
    for (let i = 0; i < 5; i++) await db.execute({ sql: "INSERT INTO t VALUES (?)", args: [i] });
    const read = await token("ro", "cdc-e2e-retention");
    // The alarm prunes a few seconds after the commits.
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${worker.url}/db/cdc-e2e-retention/changes?since=0`, { headers: { authorization: `Bearer ${read}` } })).status !== 410) {
      if (Date.now() > deadline) throw new Error("never pruned");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const stale = subscriber("cdc-e2e-retention", "since=0", { token: read });
    expect(await stale.ended).toMatchObject({ code: 4410 });
  });
});

describe("authorization", () => {
  it("refuses subscriptions without a valid token for the database", async () => {
    const db = await client("cdc-e2e-auth");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    const noToken = subscriber("cdc-e2e-auth", "", {});
    await noToken.open();
    noToken.send({ type: "subscribe", since: 0 });
    expect(await noToken.ended).toMatchObject({ code: 4401 });
    const otherDatabase = subscriber("cdc-e2e-auth", "", {});
    await otherDatabase.open();
    otherDatabase.send({ type: "subscribe", token: await token("ro", "somewhere-else") });
    expect(await otherDatabase.ended).toMatchObject({ code: 4403 });
    expect(await subscriber("cdc-e2e-auth", "since=", { token: "not-a-jwt" }).ended).toMatchObject({ status: 401 });
    expect(await subscriber("cdc-e2e-auth", "since=", { token: await token("rw", "somewhere-else") }).ended).toMatchObject({ status: 403 });
    expect((await fetch(`${worker.url}/db/cdc-e2e-auth/changes`)).status).toBe(401);
    expect((await fetch(`${worker.url}/db/cdc-e2e-auth/changes`, { headers: { accept: "text/event-stream" } })).status).toBe(401);
  });

  it("ends a subscription when its token expires (4401), header or message token", async () => {
    const db = await client("cdc-e2e-expiry");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    const shortLived = () =>
      new SignJWT({ a: "ro", id: "cdc-e2e-expiry" })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime(Math.floor(Date.now() / 1000) + 3)
        .sign(new TextEncoder().encode(SECRET));
    const byHeader = subscriber("cdc-e2e-expiry", "since=", { token: await shortLived() });
    const byMessage = subscriber("cdc-e2e-expiry", "", {});
    await byMessage.open();
    byMessage.send({ type: "subscribe", token: await shortLived() });
    await byHeader.until(() => byHeader.notices.some((n) => n.type === "live"));
    await byMessage.until(() => byMessage.notices.some((n) => n.type === "live"));
    const started = Date.now();
    for (const ended of await Promise.all([byHeader.ended, byMessage.ended])) expect(ended).toMatchObject({ code: 4401, reason: expect.stringMatching(/expired/) });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("accepts the token in the subscribe message (for browsers, which cannot set headers)", async () => {
    const db = await client("cdc-e2e-browser");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE t (v)");
    const feed = subscriber("cdc-e2e-browser", "", {});
    await feed.open();
    feed.send({ type: "subscribe", token: await token("ro", "cdc-e2e-browser") });
    await feed.until(() => feed.notices.some((n) => n.type === "live"));
    await db.execute("INSERT INTO t VALUES ('hello')");
    await feed.until(() => feed.transactions.length === 1);
    expect(feed.transactions[0].changes[0].after).toEqual({ v: "hello" });
  });
});

describe("Server-Sent Events and pull", () => {
  it("streams events with change ids and pages with a next cursor", async () => {
    const db = await client("cdc-e2e-sse");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE t (v)");
    const start = await latest(db);
    const read = await token("ro", "cdc-e2e-sse");
    const controller = new AbortController();
    const res = await fetch(`${worker.url}/db/cdc-e2e-sse/changes?since=${start}`, { headers: { authorization: `Bearer ${read}`, accept: "text/event-stream" }, signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    await db.execute("INSERT INTO t VALUES (1)");
    await db.execute("INSERT INTO t VALUES (2)");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while ((text.match(/event: transaction/g) ?? []).length < 2) text += (await reader.read()).value ?? "";
    controller.abort();
    const ids = [...text.matchAll(/id: (\d+)\nevent: transaction\ndata: (.*)\n/g)].map((m) => [Number(m[1]), (JSON.parse(m[2]) as TransactionLike).changes[0].after.v]);
    expect(ids.map((i) => i[1])).toEqual([1, 2]);
    const page = (await (await fetch(`${worker.url}/db/cdc-e2e-sse/changes?since=${start}&limit=1`, { headers: { authorization: `Bearer ${read}` } })).json()) as { transactions: TransactionLike[]; next: number };
    expect(page.transactions.map((t) => t.changes[0].after.v)).toEqual([1]);
    expect(page.next).toBe(ids[0][0]);
  });

  it("takes the token from the token query parameter, as a browser EventSource must send it", async () => {
    const db = await client("cdc-e2e-sse-query");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE t (v)");
    await db.execute("INSERT INTO t VALUES ('q')");
    const read = await token("ro", "cdc-e2e-sse-query");
    const page = await fetch(`${worker.url}/db/cdc-e2e-sse-query/changes?since=0&tables=t&token=${read}`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { transactions: TransactionLike[] }).transactions.map((t) => t.changes[0].after.v)).toEqual(["q"]);
    const controller = new AbortController();
    const sse = await fetch(`${worker.url}/db/cdc-e2e-sse-query/changes?since=0&tables=t&token=${read}`, { headers: { accept: "text/event-stream" }, signal: controller.signal });
    expect(sse.headers.get("content-type")).toBe("text/event-stream");
    controller.abort();
    expect((await fetch(`${worker.url}/db/cdc-e2e-sse-query/changes?since=0&token=${await token("ro", "elsewhere")}`)).status).toBe(403);
  });
});

interface TransactionLike {
  changes: { after: { v: unknown } }[];
}
