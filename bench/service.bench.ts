// Service benchmark: the real Worker in workerd (Miniflare, as in the e2e
// tests) driven over HTTP by the real @libsql/client. Reports operations per
// second and p50/p99 latency for point reads, single-row writes and
// 10-statement interactive transactions, sequential and with concurrent clients.
// (The side-by-side against a ctx.storage.sql Durable Object is still to come.)
import { createClient, type Client } from "@libsql/client";
import { startWorker } from "../test/e2e/worker-harness.js";

interface Figures {
  name: string;
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `op` `count` times spread over `clients.length` concurrent loops. */
async function measure(name: string, clients: Client[], count: number, op: (db: Client, i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (db) => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        await op(db, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, ops: count, perSecond: count / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function run(): Promise<void> {
  const worker = await startWorker();
  const clients = Array.from({ length: 8 }, () => createClient({ url: worker.databaseUrl("bench") }));
  const [db] = clients;
  try {
    await db.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    await db.execute("INSERT INTO kv SELECT i, printf('value-%d', i) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT i FROM n)");
    const read = (c: Client, i: number) => c.execute({ sql: "SELECT v FROM kv WHERE k = ?", args: [(i * 7919) % 10000 + 1] });
    const write = (c: Client, i: number) => c.execute({ sql: "INSERT INTO kv (v) VALUES (?)", args: [`w${i}`] });
    const transaction = async (c: Client, i: number) => {
      const tx = await c.transaction("write");
      for (let s = 0; s < 9; s++) await tx.execute({ sql: "UPDATE kv SET v = ? WHERE k = ?", args: [`t${i}-${s}`, ((i * 10 + s) % 10000) + 1] });
      await tx.commit();
    };
    const results = [
      await measure("point read, 1 client", [db], 500, read),
      await measure("point read, 8 clients", clients, 1000, read),
      await measure("single-row write, 1 client", [db], 300, write),
      await measure("single-row write, 8 clients", clients, 400, write),
      await measure("10-statement transaction, 1 client", [db], 40, transaction),
      await measure("10-statement transaction, 8 clients", clients, 80, transaction),
    ];
    console.log("\nservice over HTTP (@libsql/client -> Worker -> Durable Object, Miniflare on this machine)\n");
    console.log("workload | ops | ops/s | p50 ms | p99 ms\n--- | --- | --- | --- | ---");
    for (const r of results) console.log(`${r.name} | ${r.ops} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)}`);
  } finally {
    for (const c of clients) c.close();
    await worker.dispose();
  }
}
