// Change data capture benchmark: the real Worker in workerd (Miniflare, as in
// the e2e tests, reached on its direct socket: without Miniflare's entry
// worker, which would proxy every request and WebSocket message in
// JavaScript on the same thread and negotiate permessage-deflate itself),
// writes through @libsql/client, subscribers with `ws`.
// Writers write continuously: each comparison alternates PHASES phases of
// PHASE_MS of back-to-back single-row autocommit inserts on a baseline
// database and on the database under test (the order flipped every pair so
// drift hits both alike). A phase's rate counts the writes answered inside
// its window, [WINDOW_FROM_MS, PHASE_MS): by then fan-out to the subscribers
// runs in its steady state (passes of many commits, ~1 s apart with 1000
// subscribers), so the window carries the delivery work of as many writes as
// it makes, and the table shows that it does: "delivered in window" is the
// changes that arrived at subscribers inside the window, as a share of the
// window's writes times the subscribers (~1.0 when delivery keeps pace).
// After each phase on a subscribed database the bench waits until every
// subscriber has its changes, so a backlog never runs into the baseline.
// Two costs are reported for each comparison, as medians over phases and the
// median (min-max) of per-pair ratios:
// - writes/s, the writer's wall-clock rate. On this machine the writer, the
//   subscribers and workerd share two cores, so this also moves with the
//   clients' own CPU (the subscribers run at the lowest priority to keep that
//   small, as real ones are elsewhere);
// - workerd CPU per write: the service's own work (all of workerd's threads,
//   from /proc), from the start of a phase to the end of its delivery, over
//   the phase's writes. A Durable Object's write rate is bounded by its CPU,
//   so this is what a writer in production would feel.
// The database's Worker runs without relays (CDC_RELAYS "0"): its object
// serves the sockets connected to it itself, those of the relays below
// included (which would otherwise reach relays of the database's Worker).
// Comparisons: capture on versus off; 1000 connected subscribers that
// receive nothing (their filter names another table) versus none; 1, 100
// and 1000 subscribers that receive every change versus none (capture on in
// both), with change-to-subscriber latency (p50/p99, from just before the
// write request to the message's arrival, so it includes the write's own
// round trip) and delivered changes per second (inside the windows).
// Relays (RELAYED): 100 and 1000 receiving subscribers connected not to the
// database's workerd but to a second one running the same Worker with
// CDC_RELAYS set (1 to 16), whose relay objects each subscribe once to the
// database (through an external service binding, CDC_UPSTREAM, to the first
// workerd's direct socket) and fan out to their share of the subscribers;
// versus none. Locally all objects of one workerd share one thread, so only
// a second process shows what relays save the database. Real relays run
// elsewhere: that workerd runs at the lowest priority, as the subscriber
// thread does, and its CPU per write is reported apart from the database's.
// The subscribers (cdc-subscribers.ts) offer permessage-deflate, as `ws` and
// browsers do, and each row prints what was negotiated. They ask for the
// largest window, so that when this machine starves them of CPU for a while
// they lag (and "delivered in window" shows it) instead of being cut off.
// CDC_BENCH_ONLY=<comparison>[,...] runs only those of: capture, idle,
// fan-out, relays.
import { createClient, type Client } from "@libsql/client";
import { startWorker, type MiniflareWorker } from "../test/e2e/worker-harness.js";
import { changesUrl } from "../test/e2e/cdc-subscriber.js";
import { now, SubscriberPool } from "./cdc-subscribers.js";
import { ProcessCpu } from "./process-cpu.js";
import { lowestPriority } from "./process-priority.js";
import { median, percentile } from "./stats.js";
import { MAX_WINDOW } from "../src/durable-object/cdc/subscription.js";

/** Phases per database in each comparison, their length, and where the measured window starts in each. */
const PHASES = 5;
const PHASE_MS = 6000;
const WINDOW_FROM_MS = 2000;
/** Writes on each database before the first phase, so first-use costs are not measured. */
const WARM_UP_WRITES = 20;
/** Lets the work of opening (or dropping) a thousand sockets finish before measuring. */
const SETTLE_MS = 2000;
/** How long subscribers may take to receive a phase's changes before the bench gives up. */
const DELIVERY_TIMEOUT_MS = 60_000;
/** Receiving subscribers and the relays (per database) they reach them through, one row each. */
const RELAYED: { subscribers: number; relays: number }[] = [
  { subscribers: 100, relays: 4 },
  { subscribers: 1000, relays: 1 },
  { subscribers: 1000, relays: 4 },
  { subscribers: 1000, relays: 16 },
];

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** One write: its rowid, when it was sent and when its answer came (ms, `now()`). */
interface Write {
  rowid: number;
  sent: number;
  answered: number;
}

/**
 * A phase of continuous writes: when it started, its writes, and the CPU they took (ms, delivery
 * included) in the database's workerd and in the relays' (0 without relays).
 */
interface Phase {
  started: number;
  writes: Write[];
  cpuMs: number;
  relayCpuMs: number;
}

function inWindow(phase: Phase, at: number): boolean {
  return at >= phase.started + WINDOW_FROM_MS && at < phase.started + PHASE_MS;
}

/** The writes a phase made in its window. */
function windowWrites(phase: Phase): Write[] {
  return phase.writes.filter((write) => inWindow(phase, write.answered));
}

function phaseRate(phase: Phase): number {
  return windowWrites(phase).length / ((PHASE_MS - WINDOW_FROM_MS) / 1000);
}

/** A Worker under Miniflare and the CPU counter of its workerd. */
interface Service {
  worker: MiniflareWorker;
  cpu: ProcessCpu;
}

/** A second workerd whose Worker serves the subscribers of the first's databases through `count` relays per database. */
interface Relays extends Service {
  count: number;
}

/** The same Worker in a second workerd, at the lowest priority, serving `database`'s subscribers through `count` relays. */
async function startRelays(database: Service, count: number): Promise<Relays> {
  const worker = await startWorker({ CDC_RELAYS: String(count) }, undefined, {
    serviceBindings: { CDC_UPSTREAM: { external: { address: database.worker.directAddress, http: {} } } },
  });
  lowestPriority(worker.runtimePid());
  return { worker, cpu: new ProcessCpu(worker.runtimePid()), count };
}

/** One database and its single writer. */
class Writer {
  written = 0;

  private constructor(private readonly db: Client) {}

  static async open({ worker }: Service, database: string, capture: boolean): Promise<Writer> {
    const db = createClient({ url: `${worker.directUrl}/db/${database}/` });
    if (capture) await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
    return new Writer(db);
  }

  private async insert(): Promise<Write> {
    const sent = now();
    const result = await this.db.execute({ sql: "INSERT INTO events (payload) VALUES (?)", args: [`event-${this.written}`] });
    this.written++;
    return { rowid: Number(result.lastInsertRowid), sent, answered: now() };
  }

  async warmUp(): Promise<void> {
    for (let i = 0; i < WARM_UP_WRITES; i++) await this.insert();
  }

  /** Writes back to back for PHASE_MS. */
  async phase(): Promise<Phase> {
    const phase: Phase = { started: now(), writes: [], cpuMs: 0, relayCpuMs: 0 };
    while (now() - phase.started < PHASE_MS) phase.writes.push(await this.insert());
    return phase;
  }

  close(): void {
    this.db.close();
  }
}

/** The phases on the baseline and on the database under test, phase i of one paired with phase i of the other. */
interface PairedPhases {
  baseline: Phase[];
  subject: Phase[];
}

/**
 * Alternates PHASES phases on `baseline` and `subject` (baseline first in even pairs, subject first
 * in odd ones); `afterSubject` runs after the warm-up and each phase on the subject before anything
 * else, and its time counts towards the phase's CPU.
 */
async function pairedPhases(
  service: Service,
  baseline: Writer,
  subject: Writer,
  afterSubject: () => Promise<void>,
  relays?: Service,
): Promise<PairedPhases> {
  await baseline.warmUp();
  await subject.warmUp();
  await afterSubject();
  const phases: PairedPhases = { baseline: [], subject: [] };
  const measured = async (run: () => Promise<Phase>, list: Phase[]) => {
    const cpuBefore = service.cpu.ms();
    const relayCpuBefore = relays?.cpu.ms() ?? 0;
    const phase = await run();
    phase.cpuMs = service.cpu.ms() - cpuBefore;
    phase.relayCpuMs = (relays?.cpu.ms() ?? 0) - relayCpuBefore;
    list.push(phase);
  };
  const onBaseline = () => measured(() => baseline.phase(), phases.baseline);
  const onSubject = () =>
    measured(async () => {
      const phase = await subject.phase();
      await afterSubject();
      return phase;
    }, phases.subject);
  for (let p = 0; p < PHASES; p++) {
    for (const phase of p % 2 === 0 ? [onBaseline, onSubject] : [onSubject, onBaseline]) await phase();
  }
  return phases;
}

/** One measure compared: its medians over the baseline's and the subject's phases, and the median (min-max) of per-pair ratios. */
interface Compared {
  baseline: number;
  subject: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
}

function compared({ baseline, subject }: PairedPhases, measure: (phase: Phase) => number): Compared {
  const ratios = subject.map((phase, i) => measure(phase) / measure(baseline[i]));
  return {
    baseline: median(baseline.map(measure)),
    subject: median(subject.map(measure)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
}

/** What a comparison costs writers: their rate, and workerd's CPU per write. */
interface WriterCost {
  rate: Compared;
  cpuPerWrite: Compared;
}

function writerCost(phases: PairedPhases): WriterCost {
  return { rate: compared(phases, phaseRate), cpuPerWrite: compared(phases, (phase) => phase.cpuMs / phase.writes.length) };
}

async function openPair(service: Service, name: string, baselineCapture: boolean): Promise<{ baseline: Writer; subject: Writer; database: string }> {
  const database = `bench-cdc-${name}`;
  return { baseline: await Writer.open(service, `${database}-baseline`, baselineCapture), subject: await Writer.open(service, database, true), database };
}

/** Capture on (subject) versus off (baseline), no subscribers. */
async function captureCost(service: Service): Promise<WriterCost> {
  const { baseline, subject } = await openPair(service, "capture", false);
  const phases = await pairedPhases(service, baseline, subject, async () => {});
  baseline.close();
  subject.close();
  return writerCost(phases);
}

/** `idle` connected subscribers whose filter (another table) drops every change, versus none. */
async function idleSubscribersCost(service: Service, idle: number): Promise<WriterCost> {
  const { baseline, subject, database } = await openPair(service, `idle-${idle}`, true);
  const pool = await SubscriberPool.open(changesUrl(service.worker.directUrl, database, "since=&tables=elsewhere"), idle);
  await settle();
  const phases = await pairedPhases(service, baseline, subject, async () => {});
  await pool.close();
  baseline.close();
  subject.close();
  return writerCost(phases);
}

interface FanOutFigures extends WriterCost {
  subscribers: number;
  /** The relays' workerd CPU per write on the subscribed database (median over its phases; 0 without relays). */
  relayCpuPerWrite: number;
  /** The WebSocket extensions the subscribers negotiated. */
  extensions: string[];
  /** Changes that arrived inside the windows, per second of window. */
  deliveredPerSecond: number;
  /** Changes that arrived inside the windows over the windows' writes times the subscribers. */
  keptPace: number;
  p50: number;
  p99: number;
}

/** `subscribers` that receive every change, versus none; connected to `relays` if given, else to the database's Worker. */
async function fanOut(service: Service, subscribers: number, relays?: Relays): Promise<FanOutFigures> {
  const { baseline, subject, database } = await openPair(service, relays ? `relayed-${subscribers}-${relays.count}` : `fan-out-${subscribers}`, true);
  const pool = await SubscriberPool.open(changesUrl((relays ?? service).worker.directUrl, database, `since=&window=${MAX_WINDOW}`), subscribers);
  await settle();
  const afterSubject = async () => {
    const expected = subject.written * subscribers;
    const { count, closed } = await pool.arrived(expected, DELIVERY_TIMEOUT_MS);
    if (closed > 0) throw new Error(`${subscribers} subscribers: the server closed ${closed} of them (fell behind: this machine left them too little CPU)`);
    if (count !== expected) throw new Error(`${subscribers} subscribers: ${count} of ${expected} deliveries arrived in ${DELIVERY_TIMEOUT_MS / 1000} s`);
  };
  const phases = await pairedPhases(service, baseline, subject, afterSubject, relays);
  const arrivals = await pool.arrivals(subject.written * subscribers, DELIVERY_TIMEOUT_MS);
  await pool.close();
  baseline.close();
  subject.close();
  // The n-th change a subscriber receives is the n-th row inserted (one per autocommit statement, in order).
  const writeOf = new Map<number, { phase: Phase; write: Write }>();
  for (const phase of phases.subject) for (const write of phase.writes) writeOf.set(write.rowid, { phase, write });
  const latencies: number[] = [];
  let deliveredInWindows = 0;
  for (const frames of arrivals) {
    let rowid = 0;
    for (const [changes, at] of frames) {
      const arrivedInWindow = phases.subject.some((phase) => inWindow(phase, at));
      for (const last = rowid + changes; rowid < last; ) {
        const written = writeOf.get(++rowid);
        if (!written) continue; // a warm-up write
        if (inWindow(written.phase, written.write.answered)) latencies.push(at - written.write.sent);
        if (arrivedInWindow) deliveredInWindows++;
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const windowSeconds = (phases.subject.length * (PHASE_MS - WINDOW_FROM_MS)) / 1000;
  const writesInWindows = phases.subject.reduce((n, phase) => n + windowWrites(phase).length, 0);
  return {
    ...writerCost(phases),
    subscribers,
    relayCpuPerWrite: median(phases.subject.map((phase) => phase.relayCpuMs / phase.writes.length)),
    extensions: pool.extensions,
    deliveredPerSecond: deliveredInWindows / windowSeconds,
    keptPace: deliveredInWindows / (writesInWindows * subscribers),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function costColumns({ rate, cpuPerWrite }: WriterCost): string {
  const range = (c: Compared) => `${c.ratioMin.toFixed(2)}-${c.ratioMax.toFixed(2)}`;
  return [
    rate.baseline.toFixed(0),
    rate.subject.toFixed(0),
    `${rate.ratio.toFixed(2)} (${range(rate)})`,
    cpuPerWrite.baseline.toFixed(2),
    cpuPerWrite.subject.toFixed(2),
    `${cpuPerWrite.ratio.toFixed(2)} (${range(cpuPerWrite)})`,
  ].join(" | ");
}

const COST_HEADER = "writes/s baseline | writes/s | ratio (min-max) | workerd CPU ms/write baseline | CPU ms/write | ratio (min-max)";
const DELIVERY_HEADER = "delivered in window | delivered changes/s | latency p50 ms | latency p99 ms";

/** A fan-out row's first column: how many subscribers, and the WebSocket extensions they negotiated. */
function subscribersColumn(f: FanOutFigures, how = ""): string {
  return `${f.subscribers}${how} (negotiated: ${f.extensions.map((e) => e || "no extension").join(", ")})`;
}

function deliveryColumns(f: FanOutFigures): string {
  return [f.keptPace.toFixed(2), f.deliveredPerSecond.toFixed(0), f.p50.toFixed(1), f.p99.toFixed(1)].join(" | ");
}

const COMPARISONS = ["capture", "idle", "fan-out", "relays"] as const;
type Comparison = (typeof COMPARISONS)[number];

/** The comparisons CDC_BENCH_ONLY names (comma-separated), or all of them. */
function selectedComparisons(): Set<Comparison> {
  const only = process.env.CDC_BENCH_ONLY;
  if (!only) return new Set(COMPARISONS);
  const names = only.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(COMPARISONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`CDC_BENCH_ONLY: unknown ${unknown.join(", ")} (known: ${COMPARISONS.join(", ")})`);
  return new Set(names as Comparison[]);
}

export async function run(): Promise<void> {
  const selected = selectedComparisons();
  // No relays in the database's Worker: its object serves the subscribers connected to it, and the relays' subscriptions.
  const worker = await startWorker({ CDC_RELAYS: "0" });
  try {
    const service: Service = { worker, cpu: new ProcessCpu(worker.runtimePid()) };
    console.log("\nchange data capture (Miniflare's direct socket on this machine; @libsql/client writer over HTTP, ws subscribers)");
    console.log(
      `one writer, single-row autocommit inserts back to back; ${PHASES} phases of ${PHASE_MS / 1000} s on each database of a pair, alternating; writes/s counted from ${WINDOW_FROM_MS / 1000} s to the end of each phase; workerd CPU over each phase and its delivery\n`,
    );
    if (selected.has("capture") || selected.has("idle")) console.log(`compared with baseline | ${COST_HEADER}\n${"--- | ".repeat(6)}---`);
    if (selected.has("capture")) console.log(`capture on (full) vs off | ${costColumns(await captureCost(service))}`);
    if (selected.has("idle")) {
      console.log(`1000 connected subscribers whose filter drops these changes vs none (capture on) | ${costColumns(await idleSubscribersCost(service, 1000))}`);
    }
    if (selected.has("fan-out")) {
      console.log(`\nsubscribers receiving every change, vs none | ${COST_HEADER} | ${DELIVERY_HEADER}\n${"--- | ".repeat(10)}---`);
      for (const subscribers of [1, 100, 1000]) {
        const f = await fanOut(service, subscribers);
        console.log(`${subscribersColumn(f)} | ${costColumns(f)} | ${deliveryColumns(f)}`);
      }
    }
    if (selected.has("relays")) {
      console.log(
        `\nsubscribers receiving every change through relays in a second workerd (nice 19), vs none | ${COST_HEADER.replaceAll("workerd", "database workerd")} | relays' workerd CPU ms/write | ${DELIVERY_HEADER}\n${"--- | ".repeat(11)}---`,
      );
      for (const { subscribers, relays: count } of RELAYED) {
        const relays = await startRelays(service, count);
        try {
          const f = await fanOut(service, subscribers, relays);
          console.log(`${subscribersColumn(f, ` via ${count} relay${count === 1 ? "" : "s"}`)} | ${costColumns(f)} | ${f.relayCpuPerWrite.toFixed(2)} | ${deliveryColumns(f)}`);
        } finally {
          await relays.worker.dispose();
        }
      }
    }
  } finally {
    await worker.dispose();
  }
}
