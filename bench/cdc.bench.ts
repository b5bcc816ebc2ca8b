// Change data capture benchmark: the real Worker in workerd (Miniflare, as in
// the e2e tests), writes through @libsql/client, subscribers with `ws`.
// Writer rates are paired and repeated, because on a shared machine the rate
// of one database swings by half between runs: each comparison alternates
// rounds of ROUND_WRITES single-row autocommit inserts on a baseline database
// and on the database under test (ROUNDS each, the order flipped every round
// so drift hits both alike), and reports the median writes/s of each, the
// median of the per-round ratios and their min-max. Comparisons: capture on
// versus off; 1000 connected subscribers that receive nothing (their filter
// names another table) versus none; and 1, 100 and 1000 subscribers that
// receive every change versus none (capture on in both), where the rounds on
// the subscribed database also give change-to-subscriber latency (p50/p99,
// from just before the write request to the message's arrival, so it
// includes the write's own round trip) and delivered changes per second
// (over each round's start to its last arrival).
// After each round on a subscribed database the bench waits until every
// subscriber has its changes, so a fan-out backlog never runs into a
// baseline round. The subscribers run on a worker thread
// (cdc-subscribers.ts), off the writer's event loop; they offer
// permessage-deflate (as `ws` and browsers do by default), and the last
// fan-out row has 1000 that do not. Each fan-out row prints what the connections
// negotiated: under Miniflare the offer is accepted despite the Worker's
// no_web_socket_compression flag, so a gap between the two 1000 rows is the
// cost of compressing each frame once per subscriber.
import { createClient, type Client } from "@libsql/client";
import { startWorker, type RunningWorker } from "../test/e2e/worker-harness.js";
import { now, SubscriberPool } from "./cdc-subscribers.js";

/** Rounds per database in each comparison, and single-row writes per round. */
const ROUNDS = 9;
const ROUND_WRITES = 100;
/** Writes on each database before the first round, so first-use costs are not measured. */
const WARM_UP_WRITES = 20;
/** Lets the work of opening (or dropping) a thousand sockets finish before measuring. */
const SETTLE_MS = 2000;
/** How long subscribers may take to receive a round's changes before the bench gives up. */
const DELIVERY_TIMEOUT_MS = 60_000;

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function changesUrl(worker: RunningWorker, database: string, query = ""): string {
  return `${worker.url.replace(/^http/, "ws")}/db/${database}/changes?since=${query}`;
}

/** A round of writes: when it started and ended (ms, `now()`), and the rowids it inserted. */
interface Round {
  started: number;
  ended: number;
  firstRowid: number;
  lastRowid: number;
}

/** One database and its single writer, which remembers when each row's insert was sent (by rowid). */
class Writer {
  readonly sentAt = new Map<number, number>();
  written = 0;

  private constructor(private readonly db: Client) {}

  static async open(worker: RunningWorker, database: string, capture: boolean): Promise<Writer> {
    const db = createClient({ url: worker.databaseUrl(database) });
    if (capture) await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
    return new Writer(db);
  }

  async insert(writes: number): Promise<Round> {
    const started = now();
    let firstRowid = 0;
    let lastRowid = 0;
    for (let i = 0; i < writes; i++) {
      const t = now();
      const result = await this.db.execute({ sql: "INSERT INTO events (payload) VALUES (?)", args: [`event-${this.written}`] });
      lastRowid = Number(result.lastInsertRowid);
      firstRowid ||= lastRowid;
      this.sentAt.set(lastRowid, t);
      this.written++;
    }
    return { started, ended: now(), firstRowid, lastRowid };
  }

  close(): void {
    this.db.close();
  }
}

/** Writes/s per round on the baseline and the database under test, round i of one paired with round i of the other. */
interface PairedRounds {
  baseline: Round[];
  subject: Round[];
}

/**
 * Alternates ROUNDS rounds on `baseline` and `subject` (baseline first in even rounds, subject first
 * in odd ones); `afterSubjectRound` runs after each warm-up or round on the subject before anything else.
 */
async function pairedRounds(baseline: Writer, subject: Writer, afterSubjectRound: () => Promise<void>): Promise<PairedRounds> {
  await baseline.insert(WARM_UP_WRITES);
  await subject.insert(WARM_UP_WRITES);
  await afterSubjectRound();
  const rounds: PairedRounds = { baseline: [], subject: [] };
  const onBaseline = async () => rounds.baseline.push(await baseline.insert(ROUND_WRITES));
  const onSubject = async () => {
    rounds.subject.push(await subject.insert(ROUND_WRITES));
    await afterSubjectRound();
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const round of r % 2 === 0 ? [onBaseline, onSubject] : [onSubject, onBaseline]) await round();
  }
  return rounds;
}

interface WriteRates {
  baseline: number;
  subject: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
}

function roundRate(round: Round): number {
  return ROUND_WRITES / ((round.ended - round.started) / 1000);
}

function writeRates({ baseline, subject }: PairedRounds): WriteRates {
  const ratios = subject.map((round, i) => roundRate(round) / roundRate(baseline[i]));
  return {
    baseline: median(baseline.map(roundRate)),
    subject: median(subject.map(roundRate)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
}

async function openPair(worker: RunningWorker, name: string, baselineCapture: boolean): Promise<{ baseline: Writer; subject: Writer; database: string }> {
  const database = `bench-cdc-${name}`;
  return { baseline: await Writer.open(worker, `${database}-baseline`, baselineCapture), subject: await Writer.open(worker, database, true), database };
}

/** Capture on (subject) versus off (baseline), no subscribers. */
async function captureCost(worker: RunningWorker): Promise<WriteRates> {
  const { baseline, subject } = await openPair(worker, "capture", false);
  const rounds = await pairedRounds(baseline, subject, async () => {});
  baseline.close();
  subject.close();
  return writeRates(rounds);
}

/** `idle` connected subscribers whose filter (another table) drops every change, versus none. */
async function idleSubscribersCost(worker: RunningWorker, idle: number): Promise<WriteRates> {
  const { baseline, subject, database } = await openPair(worker, `idle-${idle}`, true);
  const pool = await SubscriberPool.open(changesUrl(worker, database, "&tables=elsewhere"), idle);
  await settle();
  const rounds = await pairedRounds(baseline, subject, async () => {});
  await pool.close();
  baseline.close();
  subject.close();
  return writeRates(rounds);
}

interface FanOutFigures extends WriteRates {
  subscribers: number;
  compression: boolean;
  /** The WebSocket extensions the subscribers negotiated. */
  extensions: string[];
  deliveredPerSecond: number;
  p50: number;
  p99: number;
}

/** `subscribers` that receive every change, offering permessage-deflate or not, versus none. */
async function fanOut(worker: RunningWorker, subscribers: number, compression: boolean): Promise<FanOutFigures> {
  const { baseline, subject, database } = await openPair(worker, `fan-out-${subscribers}${compression ? "" : "-uncompressed"}`, true);
  const pool = await SubscriberPool.open(changesUrl(worker, database), subscribers, compression);
  await settle();
  const rounds = await pairedRounds(baseline, subject, async () => {
    const expected = subject.written * subscribers;
    const arrived = await pool.arrived(expected, DELIVERY_TIMEOUT_MS);
    if (arrived !== expected) throw new Error(`${subscribers} subscribers: ${arrived} of ${expected} deliveries arrived`);
  });
  const arrivals = await pool.arrivals(subject.written * subscribers, DELIVERY_TIMEOUT_MS);
  await pool.close();
  baseline.close();
  subject.close();
  // change_id -> rowid: one insert and one commit record per autocommit statement, in order.
  const roundOf = new Map<number, Round>();
  for (const round of rounds.subject) for (let rowid = round.firstRowid; rowid <= round.lastRowid; rowid++) roundOf.set(rowid, round);
  const lastArrival = new Map<Round, number>();
  const latencies: number[] = [];
  for (const seen of arrivals) {
    const ids = [...seen.keys()].sort((a, b) => a - b);
    ids.forEach((changeId, index) => {
      const rowid = index + 1;
      const round = roundOf.get(rowid);
      if (!round) return; // a warm-up write
      const at = seen.get(changeId)!;
      latencies.push(at - subject.sentAt.get(rowid)!);
      lastArrival.set(round, Math.max(lastArrival.get(round) ?? round.started, at));
    });
  }
  latencies.sort((a, b) => a - b);
  // Rounds only: between them the bench waits, and the subscribers have nothing to receive.
  const deliveringMs = rounds.subject.reduce((sum, round) => sum + (lastArrival.get(round)! - round.started), 0);
  return {
    ...writeRates(rounds),
    subscribers,
    compression,
    extensions: pool.extensions,
    deliveredPerSecond: latencies.length / (deliveringMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function rateColumns(r: WriteRates): string {
  return `${r.baseline.toFixed(0)} | ${r.subject.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)}`;
}

export async function run(): Promise<void> {
  const worker = await startWorker();
  try {
    const capture = await captureCost(worker);
    const idle = await idleSubscribersCost(worker, 1000);
    const fanOuts = [await fanOut(worker, 1, true), await fanOut(worker, 100, true), await fanOut(worker, 1000, true), await fanOut(worker, 1000, false)];
    console.log("\nchange data capture (Miniflare on this machine; @libsql/client writer over HTTP, ws subscribers)");
    console.log(
      `single-row autocommit inserts, one writer; ${ROUNDS} rounds of ${ROUND_WRITES} on each database of a pair, alternating; writes/s are medians of rounds, ratio the median of per-round ratios\n`,
    );
    console.log("compared with baseline | baseline writes/s | writes/s | ratio | ratio min-max\n--- | --- | --- | --- | ---");
    console.log(`capture on (full) vs off | ${rateColumns(capture)}`);
    console.log(`1000 connected subscribers whose filter drops these changes vs none (capture on) | ${rateColumns(idle)}`);
    console.log(
      "\nsubscribers receiving every change | writes/s with none | writes/s meanwhile | ratio | ratio min-max | delivered changes/s | latency p50 ms | latency p99 ms\n--- | --- | --- | --- | --- | --- | --- | ---",
    );
    for (const f of fanOuts) {
      console.log(
        `${f.subscribers} (${f.compression ? "" : "no "}permessage-deflate offered; negotiated: ${f.extensions.map((e) => e || "none").join(", ")}) | ${rateColumns(f)} | ${f.deliveredPerSecond.toFixed(0)} | ${f.p50.toFixed(2)} | ${f.p99.toFixed(2)}`,
      );
    }
  } finally {
    await worker.dispose();
  }
}
