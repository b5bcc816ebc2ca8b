// Change data capture benchmark: the real Worker in workerd (Miniflare, as in
// the e2e tests), writes through @libsql/client, subscribers with `ws`.
// Reports change-to-subscriber latency (p50/p99, from just before the write
// request to the message's arrival, so it includes the write's own round
// trip) and delivered changes per second with 1, 100 and 1000 subscribers on
// one database, the writer's rate meanwhile (and as a ratio to the rate with
// capture on and no subscribers), and single-row write throughput with
// capture on versus off, and with 1000 connected subscribers that receive
// nothing (their filter names another table). The subscribers run on a
// worker thread (cdc-subscribers.ts), off the writer's event loop; they
// negotiate permessage-deflate (as `ws` and browsers do by default), and the
// last fan-out row has 1000 that do not: compressing each frame once per
// subscriber is most of what fan-out costs the Durable Object.
import { createClient, type Client } from "@libsql/client";
import { startWorker, type RunningWorker } from "../test/e2e/worker-harness.js";
import { now, SubscriberPool } from "./cdc-subscribers.js";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Lets the work of opening (or dropping) a thousand sockets finish before measuring. */
const SETTLE_MS = 2000;

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

function changesUrl(worker: RunningWorker, database: string, query = ""): string {
  return `${worker.url.replace(/^http/, "ws")}/db/${database}/changes?since=${query}`;
}

async function capturedDatabase(worker: RunningWorker, database: string, capture: boolean): Promise<Client> {
  const db = createClient({ url: worker.databaseUrl(database) });
  if (capture) await db.execute("PRAGMA capture_data_changes_conn('full')");
  await db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
  return db;
}

interface FanOutFigures {
  subscribers: number;
  compression: boolean;
  writes: number;
  writesPerSecond: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
}

async function fanOut(worker: RunningWorker, subscribers: number, writes: number, compression = true): Promise<FanOutFigures> {
  const database = `bench-cdc-${subscribers}${compression ? "" : "-uncompressed"}`;
  const db = await capturedDatabase(worker, database, true);
  const pool = await SubscriberPool.open(changesUrl(worker, database), subscribers, compression);
  await settle();
  const sentAt = new Map<number, number>();
  const started = now();
  for (let i = 0; i < writes; i++) {
    const t = now();
    const result = await db.execute({ sql: "INSERT INTO events (payload) VALUES (?)", args: [`event-${i}`] });
    sentAt.set(Number(result.lastInsertRowid), t);
  }
  const writesDone = now();
  const expected = writes * subscribers;
  const arrivals = await pool.arrivals(expected, 60_000);
  // change_id -> rowid: one insert and one commit record per autocommit statement, in order.
  const latencies: number[] = [];
  let lastArrival = started;
  for (const seen of arrivals) {
    const ids = [...seen.keys()].sort((a, b) => a - b);
    ids.forEach((changeId, index) => {
      const at = seen.get(changeId)!;
      latencies.push(at - sentAt.get(index + 1)!);
      lastArrival = Math.max(lastArrival, at);
    });
  }
  await pool.close();
  db.close();
  latencies.sort((a, b) => a - b);
  if (latencies.length !== expected) throw new Error(`${subscribers} subscribers: ${latencies.length} of ${expected} deliveries arrived`);
  return {
    subscribers,
    compression,
    writes,
    writesPerSecond: writes / ((writesDone - started) / 1000),
    deliveredPerSecond: expected / ((lastArrival - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Single-row inserts per second from one writer; `idle` subscribers are connected whose filter (another table) drops every change. */
async function writeRate(worker: RunningWorker, capture: boolean, writes: number, idle = 0): Promise<number> {
  const database = `bench-cdc-writes-${capture ? "on" : "off"}-${idle}`;
  const db = await capturedDatabase(worker, database, capture);
  const pool = idle > 0 ? await SubscriberPool.open(changesUrl(worker, database, "&tables=elsewhere"), idle) : null;
  await settle();
  for (let i = 0; i < 20; i++) await db.execute({ sql: "INSERT INTO events (payload) VALUES (?)", args: ["warm-up"] });
  const started = performance.now();
  for (let i = 0; i < writes; i++) await db.execute({ sql: "INSERT INTO events (payload) VALUES (?)", args: [`event-${i}`] });
  const perSecond = writes / ((performance.now() - started) / 1000);
  await pool?.close();
  db.close();
  return perSecond;
}

export async function run(): Promise<void> {
  const worker = await startWorker();
  try {
    const off = await writeRate(worker, false, 300);
    const on = await writeRate(worker, true, 300);
    const idle = await writeRate(worker, true, 300, 1000);
    const fanOuts = [await fanOut(worker, 1, 200), await fanOut(worker, 100, 100), await fanOut(worker, 1000, 200), await fanOut(worker, 1000, 200, false)];
    console.log("\nchange data capture (Miniflare on this machine; @libsql/client writer over HTTP, ws subscribers)\n");
    console.log("single-row autocommit inserts, one writer | writes/s\n--- | ---");
    console.log(`capture off | ${off.toFixed(0)}`);
    console.log(`capture on (full) | ${on.toFixed(0)}`);
    console.log(`ratio on/off | ${(on / off).toFixed(2)}`);
    console.log(`capture on, 1000 connected subscribers whose filter drops these changes | ${idle.toFixed(0)}`);
    console.log(`ratio 1000 idle subscribers / none | ${(idle / on).toFixed(2)}`);
    console.log("\nsubscribers | writes | writes/s meanwhile | ratio to no subscribers | delivered changes/s | latency p50 ms | latency p99 ms\n--- | --- | --- | --- | --- | --- | ---");
    for (const f of fanOuts) {
      console.log(`${f.subscribers}${f.compression ? "" : " (no permessage-deflate)"} | ${f.writes} | ${f.writesPerSecond.toFixed(0)} | ${(f.writesPerSecond / on).toFixed(2)} | ${f.deliveredPerSecond.toFixed(0)} | ${f.p50.toFixed(2)} | ${f.p99.toFixed(2)}`);
    }
  } finally {
    await worker.dispose();
  }
}
