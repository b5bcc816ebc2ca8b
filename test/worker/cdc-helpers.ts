// Helpers for change data capture tests inside workerd: a change socket
// opened through the Worker (WebSocket upgrade of GET /db/<name>/changes,
// served by a relay) or on the database's own object, whose
// messages are awaited one at a time (a frame carrying several transactions
// is unpacked into them, as a client does; the frames as sent are kept too),
// and turning capture on by SQL.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { ACCESS_HEADER } from "../../src/durable-object/access.js";
import { expect } from "vitest";
import type { UndecodedRecords } from "../../src/durable-object/cdc/change-log.js";
import { HOST, run } from "./hrana-helpers.js";

export interface FeedMessage {
  type: string;
  change_id: number;
  changes?: { change_id: number; op: string; table: string; id: unknown; before: unknown; after: unknown; undecoded?: UndecodedRecords }[];
  /** In a `transactions` frame: its transaction messages. */
  transactions?: FeedMessage[];
  [key: string]: unknown;
}

export class Feed {
  private readonly queue: FeedMessage[] = [];
  /** Every frame received, as sent (before unpacking). */
  readonly frames: FeedMessage[] = [];
  private waiting: ((m: FeedMessage | null) => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.accept();
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data as string) as FeedMessage;
      this.frames.push(frame);
      for (const message of frame.type === "transactions" ? frame.transactions! : [frame]) {
        if (this.waiting) {
          const wake = this.waiting;
          this.waiting = null;
          wake(message);
        } else this.queue.push(message);
      }
    });
    this.closed = new Promise((resolve) =>
      socket.addEventListener("close", (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.waiting?.(null);
      }),
    );
  }

  /** The next message (skipping heartbeats), failing after `ms`. */
  async next(ms = 5000): Promise<FeedMessage> {
    for (;;) {
      const message =
        this.queue.shift() ??
        (await new Promise<FeedMessage | null>((resolve, reject) => {
          const timer = setTimeout(() => {
            // Else the next message would go to this abandoned wait, and be lost.
            this.waiting = null;
            reject(new Error("no message in time"));
          }, ms);
          this.waiting = (m) => {
            clearTimeout(timer);
            resolve(m);
          };
        }));
      if (message === null) throw new Error("the socket closed");
      if (message.type !== "heartbeat") return message;
    }
  }

  /** The next transaction message (after subscribed / live notices). */
  async transaction(ms = 5000): Promise<FeedMessage> {
    for (;;) {
      const message = await this.next(ms);
      if (message.type === "transaction") return message;
    }
  }

  /** Takes the transaction messages that arrived and were not taken yet (e.g. once the socket closed), dropping the rest. */
  takeQueuedTransactions(): FeedMessage[] {
    return this.queue.splice(0).filter((m) => m.type === "transaction");
  }

  /** Asserts nothing but heartbeats or notices arrives within `ms`. */
  async expectNoTransaction(ms = 200): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    expect(this.queue.filter((m) => m.type === "transaction")).toEqual([]);
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  ack(changeId: number): void {
    this.send({ type: "ack", change_id: changeId });
  }

  close(): void {
    this.socket.close(1000, "done");
  }
}

/** Opens a change socket through the Worker (served by one of the database's relays); the upgrade must succeed (101). */
export async function subscribe(db: string, query = "", headers: Record<string, string> = {}): Promise<Feed> {
  return feedOf(await exports.default.fetch(changesUrl(db, query), { headers: { upgrade: "websocket", ...headers } }));
}

export const databaseStub = (db: string) => env.DATABASE.get(env.DATABASE.idFromName(db));

/** Opens a change socket on the database's own object (as a relay does, and as the Worker does without relays). */
export async function subscribeToDatabase(db: string, query = ""): Promise<Feed> {
  return feedOf(await databaseStub(db).fetch(changesUrl(db, query), { headers: { upgrade: "websocket", [ACCESS_HEADER]: "ro" } }));
}

/** Opens a change socket on one given relay of the database (relay `n`, as the router names them). */
export async function subscribeToRelay(db: string, n: number, query = ""): Promise<Feed> {
  return feedOf(await relayStub(db, n).fetch(changesUrl(db, query), { headers: { upgrade: "websocket", [ACCESS_HEADER]: "ro" } }));
}

export const relayStub = (db: string, n: number) => env.RELAY.get(env.RELAY.idFromName(`${db}/${n}`));

/** The newest change_id of the database (0 before any). */
export async function latestChangeId(db: string): Promise<number> {
  const [result] = await run(db, "SELECT coalesce(max(change_id), 0) FROM turso_cdc");
  return Number((result.rows[0][0] as { value: string }).value);
}

const changesUrl = (db: string, query: string) => `${HOST}/db/${db}/changes${query === "" ? "" : `?${query}`}`;

function feedOf(res: Response): Feed {
  expect(res.status).toBe(101);
  return new Feed(res.webSocket!);
}

/** The next `count` transaction messages. */
export async function transactions(feed: Feed, count: number): Promise<FeedMessage[]> {
  const received = [];
  for (let i = 0; i < count; i++) received.push(await feed.transaction());
  return received;
}

/** The `v` column of each message's first change (tests write single-column rows `t (v)`). */
export const valuesOf = (messages: FeedMessage[]) => messages.map((m) => (m.changes![0].after as { v: number }).v);

/** Turns capture on (full mode) and creates the tables given. */
export async function captured(db: string, ...ddl: string[]): Promise<void> {
  await run(db, "PRAGMA capture_data_changes_conn('full')", ...ddl);
}
