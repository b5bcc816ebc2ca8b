// BEGIN CONCURRENT through the service: the real Worker in workerd (Miniflare)
// driven by the real @libsql/client over HTTP. Each client runs 10-statement
// interactive transactions (BEGIN, 9 UPDATEs of its own rows, COMMIT) for a
// fixed time, with 1, 4, 16 and 64 clients, once with plain BEGIN (the write
// lock: writers queue) and once with the database's concurrentTransactions
// setting turning the client's BEGIN IMMEDIATE into BEGIN CONCURRENT. Then 16
// clients updating keys drawn from a Zipfian distribution (s = 1, 1000 keys)
// show the conflict rate under skew.
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { seededRandom } from "../test/helpers/random.js";
import { startWorker, type RunningWorker } from "../test/e2e/worker-harness.js";
import { percentile } from "./stats.js";

const RUN_MS = 2500;
const CLIENT_COUNTS = [1, 4, 16, 64];
const STATEMENTS = 9;
const ZIPF_KEYS = 1000;

interface Outcome {
  committed: number;
  conflicts: number;
  otherErrors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function setUp(worker: RunningWorker, name: string, rows: number, concurrent: boolean): Promise<void> {
  const db = createClient({ url: worker.databaseUrl(name) });
  await db.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
  await db.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) INSERT INTO kv SELECT i, 0 FROM n`);
  db.close();
  const res = await fetch(`${worker.url}/v1/databases/${name}/settings`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ concurrentTransactions: concurrent ? "all" : "off" }),
  });
  if (!res.ok) throw new Error(`settings: ${res.status} ${await res.text()}`);
}

/** Each client loops over transactions until the time is up; keys(client, round) picks the rows each transaction updates. */
async function drive(worker: RunningWorker, name: string, clientCount: number, keys: (client: number, round: number) => number[]): Promise<Outcome> {
  const clients: Client[] = Array.from({ length: clientCount }, () => createClient({ url: worker.databaseUrl(name) }));
  const latencies: number[] = [];
  let committed = 0;
  let conflicts = 0;
  let otherErrors = 0;
  const started = performance.now();
  const deadline = started + RUN_MS;
  await Promise.all(
    clients.map(async (c, client) => {
      for (let round = 0; performance.now() < deadline; round++) {
        const t = performance.now();
        try {
          const tx = await c.transaction("write");
          try {
            for (const k of keys(client, round)) await tx.execute({ sql: "UPDATE kv SET v = v + 1 WHERE k = ?", args: [k] });
            await tx.commit();
          } finally {
            tx.close();
          }
          committed++;
          latencies.push(performance.now() - t);
        } catch (e) {
          if (e instanceof LibsqlError && e.code === "SQLITE_BUSY_SNAPSHOT") conflicts++;
          else otherErrors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  latencies.sort((a, b) => a - b);
  return { committed, conflicts, otherErrors, perSecond: committed / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Zipf(s = 1) over 1..n by inverse CDF. */
function zipfSampler(n: number, random: () => number): () => number {
  const cdf: number[] = [];
  let total = 0;
  for (let k = 1; k <= n; k++) cdf.push((total += 1 / k));
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

const fmt = (n: number, digits = 0) => (Number.isNaN(n) ? "-" : n.toFixed(digits));

export async function run(): Promise<void> {
  const worker = await startWorker({ BUSY_TIMEOUT_MS: "30000", STREAM_IDLE_TIMEOUT_MS: "30000" });
  try {
    console.log(`10-statement interactive transactions over disjoint rows, ${RUN_MS / 1000} s per row of the table (committed transactions per second)\n`);
    console.log("| clients | plain BEGIN tx/s | p50 ms | p99 ms | BEGIN CONCURRENT tx/s | p50 ms | p99 ms | conflicts | ratio |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const clients of CLIENT_COUNTS) {
      const rows = clients * STATEMENTS;
      const ownRows = (client: number) => Array.from({ length: STATEMENTS }, (_, s) => client * STATEMENTS + s + 1);
      const figures: Outcome[] = [];
      for (const concurrent of [false, true]) {
        const name = `${concurrent ? "concurrent" : "plain"}-${clients}`;
        await setUp(worker, name, rows, concurrent);
        figures.push(await drive(worker, name, clients, ownRows));
      }
      const [plain, conc] = figures;
      const errors = plain.otherErrors + conc.otherErrors;
      console.log(
        `| ${clients} | ${fmt(plain.perSecond, 1)} | ${fmt(plain.p50)} | ${fmt(plain.p99)} | ${fmt(conc.perSecond, 1)} | ${fmt(conc.p50)} | ${fmt(conc.p99)} | ${conc.conflicts} | ${fmt(conc.perSecond / plain.perSecond, 2)}x |` +
          (errors > 0 ? ` (${errors} other errors)` : ""),
      );
    }

    const random = seededRandom(7);
    const zipf = zipfSampler(ZIPF_KEYS, random);
    await setUp(worker, "zipf", ZIPF_KEYS, true);
    const skewed = await drive(worker, "zipf", 16, () => Array.from({ length: STATEMENTS }, zipf));
    const attempts = skewed.committed + skewed.conflicts;
    console.log(
      `\nZipfian keys (s = 1 over ${ZIPF_KEYS} rows), 16 clients, BEGIN CONCURRENT: ${fmt(skewed.perSecond, 1)} committed tx/s, ` +
        `conflict rate ${fmt((100 * skewed.conflicts) / Math.max(1, attempts), 1)}% (${skewed.conflicts} of ${attempts} commits), p50 ${fmt(skewed.p50)} ms, p99 ${fmt(skewed.p99)} ms` +
        (skewed.otherErrors > 0 ? `, ${skewed.otherErrors} other errors` : ""),
    );
  } finally {
    await worker.dispose();
  }
}
