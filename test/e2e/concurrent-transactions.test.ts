// End to end: many writers at once through unmodified @libsql/client, over
// HTTP (batons) and WebSocket streams, against the real Worker under
// `wrangler dev`.
// The database's concurrentTransactions setting ("all") makes the client's
// own BEGIN IMMEDIATE run as BEGIN CONCURRENT: 16 clients incrementing their
// own rows all commit; 16 clients on one hot row commit or conflict, and the
// row counts exactly the commits.
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "./worker-harness.js";
import { startWranglerDev } from "./wrangler-harness.js";

const CLIENTS = 16;
const ROUNDS = 3;
let worker: RunningWorker;
const clients: Client[] = [];

beforeAll(async () => {
  worker = await startWranglerDev({ vars: { BUSY_TIMEOUT_MS: "10000" } });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await worker?.dispose();
});

function client(name: string, scheme: "http" | "ws"): Client {
  const url = worker.databaseUrl(name).replace(/^http/, scheme);
  const c = createClient({ url });
  clients.push(c);
  return c;
}

async function putSettings(name: string, body: unknown): Promise<Response> {
  return fetch(`${worker.url}/v1/databases/${name}/settings`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Creates the database with `counters` rows and switches plain BEGINs to concurrent ones. */
async function prepare(name: string, counters: number): Promise<void> {
  const setup = client(name, "http");
  await setup.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  await setup.execute(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${counters}) INSERT INTO counters SELECT i, 0 FROM k`);
  expect((await fetch(`${worker.url}/v1/databases`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) })).status).toBe(409);
  const res = await putSettings(name, { concurrentTransactions: "all" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ name, settings: { concurrentTransactions: "all" } });
}

/** An interactive transaction that reads a counter, waits for the others to be inside theirs, and writes it back plus one. */
async function increment(c: Client, id: number, barrier: () => Promise<void>): Promise<void> {
  const tx = await c.transaction("write");
  try {
    const n = Number((await tx.execute({ sql: "SELECT n FROM counters WHERE id = ?", args: [id] })).rows[0].n);
    await barrier();
    await tx.execute({ sql: "UPDATE counters SET n = ? WHERE id = ?", args: [n + 1, id] });
    await tx.commit();
  } finally {
    tx.close();
  }
}

/** A barrier for `parties` transactions: each waits until all reached it (so that they really overlap). */
function barrierFor(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

describe.each(["http", "ws"] as const)("over %s", (scheme) => {
  it(`${CLIENTS} clients in overlapping interactive transactions on their own rows all commit`, async () => {
    const name = `own-rows-${scheme}`;
    await prepare(name, CLIENTS);
    const cs = Array.from({ length: CLIENTS }, () => client(name, scheme));
    for (let round = 0; round < ROUNDS; round++) {
      const barrier = barrierFor(CLIENTS);
      await Promise.all(cs.map((c, i) => increment(c, i + 1, barrier)));
    }
    const rows = (await cs[0].execute("SELECT n FROM counters ORDER BY id")).rows.map((r) => Number(r.n));
    expect(rows).toEqual(Array(CLIENTS).fill(ROUNDS));
  });

  it(`${CLIENTS} clients on one hot row: conflicts are SQLITE_BUSY_SNAPSHOT and the row counts exactly the commits`, async () => {
    const name = `hot-row-${scheme}`;
    await prepare(name, 1);
    const cs = Array.from({ length: CLIENTS }, () => client(name, scheme));
    const barrier = barrierFor(CLIENTS);
    const outcomes = await Promise.allSettled(cs.map((c) => increment(c, 1, barrier)));
    const committed = outcomes.filter((o) => o.status === "fulfilled").length;
    const errors = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    for (const e of errors) {
      expect(e).toBeInstanceOf(LibsqlError);
      expect((e as LibsqlError).code).toBe("SQLITE_BUSY_SNAPSHOT");
      expect((e as LibsqlError).message).toContain("conflict");
    }
    // All read 0 inside overlapping snapshots: exactly one can commit; a lost update would show more commits than the count.
    expect(committed).toBe(1);
    expect(Number((await cs[0].execute("SELECT n FROM counters WHERE id = 1")).rows[0].n)).toBe(committed);

    // Retried one at a time, every client commits: the count follows.
    for (const c of cs) await increment(c, 1, async () => {});
    expect(Number((await cs[0].execute("SELECT n FROM counters WHERE id = 1")).rows[0].n)).toBe(committed + CLIENTS);
  });
});

it("without the setting, the client's BEGIN IMMEDIATE transactions take the write lock one after another", async () => {
  const name = "plain-begins";
  const setup = client(name, "http");
  await setup.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  await setup.execute("INSERT INTO counters VALUES (1, 0)");
  const cs = Array.from({ length: 4 }, () => client(name, "http"));
  // No barrier: each waits for the lock in turn, reads the latest value, and none is lost.
  await Promise.all(cs.map((c) => increment(c, 1, async () => {})));
  expect(Number((await setup.execute("SELECT n FROM counters")).rows[0].n)).toBe(4);
  expect((await setup.execute("PRAGMA journal_mode")).rows[0].journal_mode).toBe("mvcc");
});

it("refuses invalid settings with a 400 JSON error", async () => {
  await client("settings-check", "http").execute("SELECT 1");
  for (const body of [{ concurrentTransactions: "sometimes" }, { colour: "blue" }, [1]]) {
    const res = await putSettings("settings-check", body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { code: string }).code).toBe("INVALID_SETTINGS");
  }
  const res = await fetch(`${worker.url}/v1/databases/settings-check/settings`);
  expect(await res.json()).toEqual({ name: "settings-check", settings: { concurrentTransactions: "off" } });
});
