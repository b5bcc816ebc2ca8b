// Service benchmark, side by side in one `wrangler dev` (bench/service/
// wrangler.toml): the same HTTP workload against our DatabaseObject (the
// engine on its page store, driven by the real @libsql/client over Hrana) and
// against a peer Durable Object that runs the SQL directly on the runtime's
// ctx.storage.sql (src/durable-object/bench-peer). Reports requests per
// second, p50/p99 latency and the storage rows read and written per
// operation (SqlStorageCursor.rowsRead / rowsWritten: what DO SQL bills), for
// point reads, single-row writes and 10-statement transactions, with one
// client and with eight concurrent ones.
//
// Transactions differ by necessity: ours is interactive (BEGIN, ten UPDATEs,
// COMMIT, one HTTP request each, the stream kept by baton); the runtime
// refuses BEGIN in sql.exec, so the peer receives the ten UPDATEs in one
// request and runs them inside ctx.storage.transactionSync.
import { createClient, type Client } from "@libsql/client";
import type { RunningWorker } from "../test/e2e/worker-harness.js";
import { startWranglerDev } from "../test/e2e/wrangler-harness.js";
import { percentile } from "./stats.js";

const DATABASE = "bench";
const TABLE_ROWS = 10_000;
const CONCURRENT_CLIENTS = 8;
/** Each measurement stops at its operation count or after this long, whichever comes first (keeps the run under 2 minutes). */
const MEASUREMENT_MS = 5_000;
const TRANSACTION_STATEMENTS = 10;

interface StorageRows {
  rowsRead: number;
  rowsWritten: number;
}

/** One side of the comparison: the operations, and the storage rows they cost since the last call. */
interface Side {
  label: string;
  read(client: number, i: number): Promise<unknown>;
  write(client: number, i: number): Promise<unknown>;
  transaction(client: number, i: number): Promise<unknown>;
  takeStorageRows(): Promise<StorageRows>;
}

interface Figures extends StorageRows {
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const SETUP = [
  "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)",
  `INSERT INTO kv SELECT i, 'value-' || i FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${TABLE_ROWS}) SELECT i FROM n)`,
];
const READ = "SELECT v FROM kv WHERE k = ?";
const WRITE = "INSERT INTO kv (v) VALUES (?)";
const UPDATE = "UPDATE kv SET v = ? WHERE k = ?";
const readKey = (i: number) => ((i * 7919) % TABLE_ROWS) + 1;
const updateKey = (i: number, s: number) => ((i * TRANSACTION_STATEMENTS + s) % TABLE_ROWS) + 1;

function ours(worker: RunningWorker): Side & { clients: Client[] } {
  const clients = Array.from({ length: CONCURRENT_CLIENTS }, () => createClient({ url: worker.databaseUrl(DATABASE) }));
  return {
    label: "ours",
    clients,
    read: (c, i) => clients[c].execute({ sql: READ, args: [readKey(i)] }),
    write: (c, i) => clients[c].execute({ sql: WRITE, args: [`w${i}`] }),
    transaction: async (c, i) => {
      const tx = await clients[c].transaction("write");
      try {
        for (let s = 0; s < TRANSACTION_STATEMENTS; s++) await tx.execute({ sql: UPDATE, args: [`t${i}-${s}`, updateKey(i, s)] });
        await tx.commit();
      } finally {
        tx.close();
      }
    },
    takeStorageRows: async () => {
      const res = await fetch(`${worker.url}/bench/storage-cost/${DATABASE}`);
      if (!res.ok) throw new Error(`storage cost: ${res.status} ${await res.text()}`);
      return (await res.json()) as StorageRows;
    },
  };
}

function peer(worker: RunningWorker): Side & { run(sql: string): Promise<unknown> } {
  const spent: StorageRows = { rowsRead: 0, rowsWritten: 0 };
  const post = async (endpoint: "query" | "transaction", body: unknown) => {
    const res = await fetch(`${worker.url}/peer/${DATABASE}/${endpoint}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`peer ${endpoint}: ${res.status} ${text}`);
    const result = JSON.parse(text) as StorageRows;
    spent.rowsRead += result.rowsRead;
    spent.rowsWritten += result.rowsWritten;
    return result;
  };
  return {
    label: "peer",
    run: (sql) => post("query", { sql }),
    read: (_, i) => post("query", { sql: READ, params: [readKey(i)] }),
    write: (_, i) => post("query", { sql: WRITE, params: [`w${i}`] }),
    transaction: (_, i) =>
      post("transaction", { statements: Array.from({ length: TRANSACTION_STATEMENTS }, (__, s) => ({ sql: UPDATE, params: [`t${i}-${s}`, updateKey(i, s)] })) }),
    takeStorageRows: async () => {
      const taken = { ...spent };
      spent.rowsRead = spent.rowsWritten = 0;
      return taken;
    },
  };
}

/** Runs `op` up to `count` times (or until MEASUREMENT_MS has passed) over `clients` concurrent loops. */
async function measure(side: Side, clients: number, count: number, op: (client: number, i: number) => Promise<unknown>): Promise<Figures> {
  await side.takeStorageRows();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + MEASUREMENT_MS;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = next++; i < count && performance.now() < deadline; i = next++) {
        const t = performance.now();
        await op(c, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const storage = await side.takeStorageRows();
  latencies.sort((a, b) => a - b);
  const ops = latencies.length;
  return { ops, perSecond: ops / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), rowsRead: storage.rowsRead / ops, rowsWritten: storage.rowsWritten / ops };
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? "=" : "∞") : `${(a / b).toFixed(2)}x`);
const rows = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export async function run(): Promise<void> {
  const worker = await startWranglerDev({ config: "bench/service/wrangler.toml" });
  const sides = { ours: ours(worker), peer: peer(worker) };
  try {
    for (const sql of SETUP) {
      await sides.ours.clients[0].execute(sql);
      await sides.peer.run(sql);
    }
    const workloads: [name: string, clients: number, count: number, pick: (s: Side) => Side["read"]][] = [
      ["point read", 1, 400, (s) => s.read],
      [`point read, ${CONCURRENT_CLIENTS} clients`, CONCURRENT_CLIENTS, 1200, (s) => s.read],
      ["single-row write", 1, 200, (s) => s.write],
      [`single-row write, ${CONCURRENT_CLIENTS} clients`, CONCURRENT_CLIENTS, 400, (s) => s.write],
      [`${TRANSACTION_STATEMENTS}-statement transaction`, 1, 40, (s) => s.transaction],
      [`${TRANSACTION_STATEMENTS}-statement transaction, ${CONCURRENT_CLIENTS} clients`, CONCURRENT_CLIENTS, 80, (s) => s.transaction],
    ];
    const results: [string, Figures, Figures][] = [];
    for (const [name, clients, count, pick] of workloads) {
      const ourFigures = await measure(sides.ours, clients, count, pick(sides.ours));
      const peerFigures = await measure(sides.peer, clients, count, pick(sides.peer));
      results.push([name, ourFigures, peerFigures]);
    }
    console.log("\nservice over HTTP in one wrangler dev (local workerd, this machine): ours = @libsql/client -> Worker -> DatabaseObject (engine on its page store);");
    console.log(`peer = fetch -> Worker -> SqlPeerObject (ctx.storage.sql). An operation is one request, except a transaction:`);
    console.log(`ours is interactive (${TRANSACTION_STATEMENTS + 2} requests: BEGIN, the UPDATEs, COMMIT, by baton), the peer's one request (transactionSync).\n`);
    console.log("workload | ops ours/peer | ops/s ours | ops/s peer | ours/peer | p50 ms ours | p50 peer | p99 ms ours | p99 peer");
    console.log("--- | --- | --- | --- | --- | --- | --- | --- | ---");
    for (const [name, o, p] of results) {
      console.log(`${name} | ${o.ops}/${p.ops} | ${o.perSecond.toFixed(0)} | ${p.perSecond.toFixed(0)} | ${ratio(o.perSecond, p.perSecond)} | ${o.p50.toFixed(2)} | ${p.p50.toFixed(2)} | ${o.p99.toFixed(2)} | ${p.p99.toFixed(2)}`);
    }
    console.log("\nstorage rows per operation (billing units; ours = rows of its page table, one row per 16 KiB page)\n");
    console.log("workload | read ours | read peer | ours/peer | written ours | written peer | ours/peer");
    console.log("--- | --- | --- | --- | --- | --- | ---");
    for (const [name, o, p] of results) {
      console.log(`${name} | ${rows(o.rowsRead)} | ${rows(p.rowsRead)} | ${ratio(o.rowsRead, p.rowsRead)} | ${rows(o.rowsWritten)} | ${rows(p.rowsWritten)} | ${ratio(o.rowsWritten, p.rowsWritten)}`);
    }
  } finally {
    for (const c of sides.ours.clients) c.close();
    await worker.dispose();
  }
}
