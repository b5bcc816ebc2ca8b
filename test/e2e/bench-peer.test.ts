// End to end: the service benchmark's setup (bench/service/wrangler.toml under
// the real `wrangler dev`) serves both sides correctly before it is timed: the
// peer Durable Object on ctx.storage.sql answers rows with the storage rows
// the runtime counted, runs a transaction all or nothing and, as the runtime
// does, refuses BEGIN; our measured DatabaseObject reports the storage rows its
// page store cost, and both sides answer the workload's queries alike.
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "./worker-harness.js";
import { startWranglerDev } from "./wrangler-harness.js";

interface PeerAnswer {
  rows?: unknown[][];
  results?: unknown[][][];
  rowsRead: number;
  rowsWritten: number;
  message?: string;
}

let worker: RunningWorker;
let ours: Client;

async function peer(endpoint: "query" | "transaction", body: unknown): Promise<{ status: number; answer: PeerAnswer }> {
  const res = await fetch(`${worker.url}/peer/check/${endpoint}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, answer: (await res.json()) as PeerAnswer };
}

async function ourStorageCost(): Promise<{ rowsRead: number; rowsWritten: number; statements: number }> {
  const res = await fetch(`${worker.url}/bench/storage-cost/check`);
  expect(res.status).toBe(200);
  return (await res.json()) as { rowsRead: number; rowsWritten: number; statements: number };
}

beforeAll(async () => {
  worker = await startWranglerDev({ config: "bench/service/wrangler.toml" });
  ours = createClient({ url: worker.databaseUrl("check") });
});

afterAll(async () => {
  ours?.close();
  await worker?.dispose();
});

describe("benchmark peer on ctx.storage.sql", () => {
  it("answers rows with the storage rows the runtime counted", async () => {
    expect((await peer("query", { sql: "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)" })).status).toBe(200);
    const insert = await peer("query", { sql: "INSERT INTO kv (k, v) VALUES (?, ?), (?, ?)", params: [1, "one", 2, "two"] });
    expect(insert).toMatchObject({ status: 200, answer: { rows: [], rowsWritten: 2 } });
    const read = await peer("query", { sql: "SELECT v FROM kv WHERE k = ?", params: [2] });
    expect(read).toMatchObject({ status: 200, answer: { rows: [["two"]], rowsRead: 1, rowsWritten: 0 } });
  });

  it("runs a transaction all or nothing in one request", async () => {
    const ok = await peer("transaction", { statements: [{ sql: "UPDATE kv SET v = ? WHERE k = ?", params: ["uno", 1] }, { sql: "SELECT v FROM kv ORDER BY k" }] });
    expect(ok).toMatchObject({ status: 200, answer: { results: [[], [["uno"], ["two"]]], rowsWritten: 1 } });
    const failed = await peer("transaction", { statements: [{ sql: "UPDATE kv SET v = 'lost' WHERE k = 2" }, { sql: "INSERT INTO kv (k, v) VALUES (1, 'duplicate')" }] });
    expect(failed.status).toBe(400);
    expect(failed.answer.message).toMatch(/UNIQUE constraint failed/);
    expect((await peer("query", { sql: "SELECT v FROM kv WHERE k = 2" })).answer.rows).toEqual([["two"]]);
  });

  it("cannot hold a transaction across requests: the runtime refuses BEGIN", async () => {
    const begin = await peer("query", { sql: "BEGIN" });
    expect(begin.status).toBe(400);
    expect(begin.answer.message).toMatch(/transaction/i);
  });

  it("refuses malformed requests with a 400", async () => {
    expect((await peer("query", { sql: 42 })).status).toBe(400);
    expect((await peer("transaction", { statements: "SELECT 1" })).status).toBe(400);
  });
});

describe("our measured DatabaseObject in the benchmark worker", () => {
  it("reports the storage rows of its page store, and answers the workload like the peer", async () => {
    await ours.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    await ourStorageCost();
    await ours.execute({ sql: "INSERT INTO kv (k, v) VALUES (?, ?), (?, ?)", args: [1, "one", 2, "two"] });
    const write = await ourStorageCost();
    // A small commit rewrites the changed table leaf and page 1 (see do-page-store.ts).
    expect(write.rowsWritten).toBe(2);
    const rs = await ours.execute({ sql: "SELECT v FROM kv WHERE k = ?", args: [2] });
    expect(rs.rows.map((r) => [r.v])).toEqual([["two"]]);
    // The page is cached since the write: a warm read costs no storage rows.
    expect(await ourStorageCost()).toMatchObject({ rowsRead: 0, rowsWritten: 0 });
    const peerRows = (await peer("query", { sql: "SELECT v FROM kv WHERE k = ?", params: [2] })).answer.rows;
    expect(peerRows).toEqual([["two"]]);
  });
});
