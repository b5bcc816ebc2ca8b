// Subscribers of the change data capture benchmark, on a worker thread of
// their own: a thousand `ws` clients parsing and acknowledging frames would
// otherwise hold up the writer's event loop, and the benchmark would measure
// the client process rather than the service (real subscribers are not in the
// writer's process). Each subscriber acknowledges every ACK_EVERY_MS what it
// received, unpacks frames carrying several transactions, and records for
// each frame how many changes it brought and when it arrived (ms since the
// epoch, performance.timeOrigin-based: comparable across threads); changes
// arrive in commit order, so the n-th change a subscriber counted is the n-th
// committed (a record per change would cost the clients more than parsing). They offer permessage-deflate, as `ws` and
// browsers do, unless told not to, and report which extensions the
// connections negotiated. The thread runs at the lowest scheduling priority:
// real subscribers are on other machines, so here they take only the CPU the
// service and the writer leave (they are cut off, and counted, if that is too
// little to keep up).
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import WebSocket from "ws";
import { LOWEST_PRIORITY } from "./process-priority.js";

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

/** A frame's arrival: how many changes it brought, and when. */
export type Arrival = [changes: number, at: number];

/**
 * Subscribers -> main thread: "live" once all are, with the WebSocket extensions they negotiated
 * (each distinct value once), then how many changes arrived in all and how many subscribers the
 * server closed, or each subscriber's arrivals in order.
 */
type Report =
  | { type: "live"; extensions: string[] }
  | { type: "arrived"; count: number; closed: number }
  | { type: "arrivals"; arrivals: Arrival[][] }
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

  /**
   * How many changes arrived in all subscribers together, once `expected` did (or after `timeoutMs`,
   * or once the server closed one), and how many subscribers the server closed.
   */
  async arrived(expected: number, timeoutMs: number): Promise<{ count: number; closed: number }> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: true } satisfies Collect);
    const { count, closed } = await report(this.reports, "arrived");
    return { count, closed };
  }

  /** Each subscriber's frames in order of arrival, once `expected` changes arrived in all (or after `timeoutMs`). */
  async arrivals(expected: number, timeoutMs: number): Promise<Arrival[][]> {
    this.thread.postMessage({ expected, deadline: Date.now() + timeoutMs, countOnly: false } satisfies Collect);
    return (await report(this.reports, "arrivals")).arrivals;
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

/** Lowers this thread's scheduling priority (nice 19): on Linux a thread id is a valid target of setpriority. */
function yieldCpu(): void {
  const threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
  setPriority(threadId, LOWEST_PRIORITY);
}

async function runSubscribers({ url, count, compression }: Setup): Promise<void> {
  yieldCpu();
  const port = parentPort!;
  const arrivals: Arrival[][] = [];
  const counts: number[] = [];
  let closed = 0;
  const live: Promise<void>[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = new WebSocket(url, { perMessageDeflate: compression });
    sockets.push(socket);
    const frames: Arrival[] = [];
    const index = counts.push(0) - 1;
    let pendingAck = 0;
    let ackTimer: ReturnType<typeof setTimeout> | undefined;
    live.push(
      new Promise((resolve, reject) => {
        socket.on("error", reject);
        socket.on("close", () => closed++);
        socket.on("message", (data) => {
          const message = JSON.parse(data.toString()) as Frame;
          if (message.type === "live") resolve();
          if (message.type !== "transaction" && message.type !== "transactions") return;
          let changes = 0;
          for (const transaction of message.transactions ?? [message]) changes += transaction.changes?.length ?? 0;
          frames.push([changes, now()]);
          counts[index] += changes;
          // As a client would: acknowledge what it processed every ACK_EVERY_MS, not every message.
          pendingAck = message.change_id;
          ackTimer ??= setTimeout(() => {
            ackTimer = undefined;
            if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ack", change_id: pendingAck }));
          }, ACK_EVERY_MS);
        });
      }),
    );
    arrivals.push(frames);
  }
  await Promise.all(live);
  port.postMessage({ type: "live", extensions: [...new Set(sockets.map((socket) => socket.extensions))] } satisfies Report);
  const arrivedInAll = () => counts.reduce((n, c) => n + c, 0);
  port.on("message", async ({ expected, deadline, countOnly }: Collect) => {
    while (arrivedInAll() < expected && closed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    port.postMessage(
      countOnly ? ({ type: "arrived", count: arrivedInAll(), closed } satisfies Report) : ({ type: "arrivals", arrivals } satisfies Report),
    );
  });
}

if (!isMainThread) {
  runSubscribers(workerData as Setup).catch((e: unknown) => parentPort!.postMessage({ type: "failed", message: String(e) } satisfies Report));
}
