// Subscribers of the change data capture benchmark, on a worker thread of
// their own: a thousand `ws` clients parsing and acknowledging frames would
// otherwise hold up the writer's event loop, and the benchmark would measure
// the client process rather than the service (real subscribers are not in the
// writer's process). Each subscriber acknowledges every ACK_EVERY_MS what it
// received, unpacks frames carrying several transactions, and records when
// each change_id arrived (ms since the epoch, performance.timeOrigin-based:
// comparable across threads). They offer permessage-deflate, as `ws` and
// browsers do, unless told not to, and report which extensions the
// connections negotiated.
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

/**
 * Subscribers -> main thread: "live" once all are, with the WebSocket extensions they negotiated
 * (each distinct value once), then how many changes arrived in all, or each subscriber's arrivals as [change_id, at] pairs.
 */
type Report =
  | { type: "live"; extensions: string[] }
  | { type: "arrived"; count: number }
  | { type: "arrivals"; arrivals: [number, number][][] }
  | { type: "failed"; message: string };

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export class SubscriberPool {
  private constructor(
    /** The WebSocket extensions the subscribers negotiated ("" for none), each distinct value once. */
    readonly extensions: string[],
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
    const live = await report(reports, "live");
    return new SubscriberPool(live.extensions, thread, reports);
  }

  /** How many changes arrived in all subscribers together, once `expected` did (or after `timeoutMs`). */
  async arrived(expected: number, timeoutMs: number): Promise<number> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: true } satisfies Collect);
    return (await report(this.reports, "arrived")).count;
  }

  /** Each subscriber's arrival time per change_id, once `expected` changes arrived in all (or after `timeoutMs`). */
  async arrivals(expected: number, timeoutMs: number): Promise<Map<number, number>[]> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: false } satisfies Collect);
    const arrivals = await report(this.reports, "arrivals");
    return arrivals.arrivals.map((pairs) => new Map(pairs));
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}

/** The subscribers' next report, which must be of `type`. */
async function report<T extends Report["type"]>(reports: AsyncIterator<Report>, type: T): Promise<Extract<Report, { type: T }>> {
  const { value } = await reports.next();
  if (value.type === "failed") throw new Error(`subscribers failed: ${value.message}`);
  if (value.type !== type) throw new Error(`subscribers sent ${value.type}, expected ${type}`);
  return value as Extract<Report, { type: T }>;
}

async function runSubscribers({ url, count, compression }: Setup): Promise<void> {
  const port = parentPort!;
  const arrivals: Map<number, number>[] = [];
  const live: Promise<void>[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url, { perMessageDeflate: compression });
    sockets.push(socket);
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
  port.postMessage({ type: "live", extensions: [...new Set(sockets.map((socket) => socket.extensions))] } satisfies Report);
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
