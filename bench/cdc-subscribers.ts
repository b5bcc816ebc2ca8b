// Subscribers of the change data capture benchmark, on a worker thread of
// their own: a thousand `ws` clients parsing and acknowledging frames would
// otherwise hold up the writer's event loop, and the benchmark would measure
// the client process rather than the service (real subscribers are not in the
// writer's process). Each subscriber acknowledges every ACK_EVERY_MS what it
// received, unpacks frames carrying several transactions, and records when
// each change_id arrived (ms since the epoch, performance.timeOrigin-based:
// comparable across threads). They offer permessage-deflate, as `ws` and
// browsers do, unless told not to.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import WebSocket from "ws";

const ACK_EVERY_MS = 50;

/** A message from the feed: one transaction, or several in one frame. */
interface Frame {
  type: string;
  change_id: number;
  changes?: { change_id: number }[];
  transactions?: Frame[];
}

interface Setup {
  url: string;
  count: number;
  compression: boolean;
}

/**
 * Main thread -> subscribers: once `expected` changes arrived in all (or at `deadline`), report
 * the arrivals, or with `countOnly` just that they arrived (cheap enough to ask between rounds).
 */
interface Collect {
  expected: number;
  deadline: number;
  countOnly: boolean;
}

/** Subscribers -> main thread: "live" once all are, then how many changes arrived in all, or each subscriber's arrivals as [change_id, at] pairs. */
type Report =
  | { type: "live" }
  | { type: "arrived"; count: number }
  | { type: "arrivals"; arrivals: [number, number][][] }
  | { type: "failed"; message: string };

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export class SubscriberPool {
  private constructor(
    private readonly thread: Worker,
    private readonly reports: AsyncIterator<Report>,
  ) {}

  /** Opens `count` subscribers on `url` (a changes URL with its query) and resolves once all are live. */
  static async open(url: string, count: number, compression = true): Promise<SubscriberPool> {
    const thread = new Worker(new URL(import.meta.url), { workerData: { url, count, compression } satisfies Setup });
    const queue: Report[] = [];
    let wake: (() => void) | null = null;
    thread.on("message", (report: Report) => {
      queue.push(report);
      wake?.();
    });
    thread.on("error", (e) => {
      queue.push({ type: "failed", message: String(e) });
      wake?.();
    });
    const reports: AsyncIterator<Report> = {
      next: async () => {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return { value: queue.shift()!, done: false };
      },
    };
    const pool = new SubscriberPool(thread, reports);
    await pool.report("live");
    return pool;
  }

  /** How many changes arrived in all subscribers together, once `expected` did (or after `timeoutMs`). */
  async arrived(expected: number, timeoutMs: number): Promise<number> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: true } satisfies Collect);
    return (await this.report("arrived")).count;
  }

  /** Each subscriber's arrival time per change_id, once `expected` changes arrived in all (or after `timeoutMs`). */
  async arrivals(expected: number, timeoutMs: number): Promise<Map<number, number>[]> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: false } satisfies Collect);
    const report = await this.report("arrivals");
    return report.arrivals.map((pairs) => new Map(pairs));
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }

  private async report<T extends Report["type"]>(type: T): Promise<Extract<Report, { type: T }>> {
    const { value } = await this.reports.next();
    if (value.type === "failed") throw new Error(`subscribers failed: ${value.message}`);
    if (value.type !== type) throw new Error(`subscribers sent ${value.type}, expected ${type}`);
    return value as Extract<Report, { type: T }>;
  }
}

async function runSubscribers({ url, count, compression }: Setup): Promise<void> {
  const port = parentPort!;
  const arrivals: Map<number, number>[] = [];
  const live: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url, { perMessageDeflate: compression });
    const seen = new Map<number, number>();
    let pendingAck = 0;
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    live.push(
      new Promise((resolve, reject) => {
        socket.on("error", reject);
        socket.on("message", (data) => {
          const message = JSON.parse(data.toString()) as Frame;
          if (message.type === "live") resolve();
          if (message.type !== "transaction" && message.type !== "transactions") return;
          const at = now();
          for (const transaction of message.transactions ?? [message]) for (const change of transaction.changes ?? []) seen.set(change.change_id, at);
          // As a client would: acknowledge what it processed every ACK_EVERY_MS, not every message.
          pendingAck = message.change_id;
          ackTimer ??= setTimeout(() => {
            ackTimer = undefined;
            if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ack", change_id: pendingAck }));
          }, ACK_EVERY_MS);
        });
      }),
    );
    arrivals.push(seen);
  }
  await Promise.all(live);
  port.postMessage({ type: "live" } satisfies Report);
  const arrivedInAll = () => arrivals.reduce((n, a) => n + a.size, 0);
  port.on("message", async ({ expected, deadline, countOnly }: Collect) => {
    while (arrivedInAll() < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    port.postMessage(
      countOnly ? ({ type: "arrived", count: arrivedInAll() } satisfies Report) : ({ type: "arrivals", arrivals: arrivals.map((seen) => [...seen]) } satisfies Report),
    );
  });
}

if (!isMainThread) {
  runSubscribers(workerData as Setup).catch((e: unknown) => parentPort!.postMessage({ type: "failed", message: String(e) } satisfies Report));
}
