// Change subscribers for end-to-end tests, as an application would write
// them: with the `ws` package, opening GET /db/<name>/changes as a WebSocket,
// collecting transaction messages (unpacking frames that carry several),
// acknowledging each frame (unless told not to), and reporting how the
// socket closed or why the upgrade was refused; and over Server-Sent Events
// with fetch, collecting the transaction events until aborted.
import WebSocket from "ws";

export interface ChangeJson {
  change_id: number;
  op: "insert" | "update" | "delete";
  table: string;
  id: unknown;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface TransactionJson {
  type: "transaction";
  change_id: number;
  txn_id: number;
  changes: ChangeJson[];
}

export class Subscriber {
  readonly transactions: TransactionJson[] = [];
  readonly notices: { type: string; change_id: number }[] = [];
  /** How the socket ended: a close code and reason, or the HTTP status of a refused upgrade. */
  readonly ended: Promise<{ code: number; reason: string } | { status: number; body: string }>;
  private readonly opened: Promise<void>;
  private waiters: (() => void)[] = [];
  readonly socket: WebSocket;

  constructor(url: string, options: { token?: string; ack?: boolean } = {}) {
    // closeTimeout: once the close frames are exchanged, do not wait the default 30 s for the
    // server's TCP close (workerd under Miniflare takes ~10 s); the close code is known by then.
    // (ws supports the option; @types/ws does not list it.)
    const socketOptions: WebSocket.ClientOptions & { closeTimeout: number } = { headers: options.token ? { authorization: `Bearer ${options.token}` } : {}, closeTimeout: 500 };
    this.socket = new WebSocket(url, socketOptions);
    this.opened = new Promise((resolve) => this.socket.once("open", () => resolve()));
    this.ended = new Promise((resolve) => {
      this.socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
      this.socket.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      this.socket.once("error", () => undefined);
    });
    this.socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { type: string; change_id: number; transactions?: TransactionJson[] };
      if (message.type === "transaction" || message.type === "transactions") {
        this.transactions.push(...(message.transactions ?? [message as TransactionJson]));
        if (options.ack !== false) this.send({ type: "ack", change_id: message.change_id });
      } else this.notices.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves once `predicate` holds over what arrived, failing after `ms`. */
  async until(predicate: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`condition not met in ${ms} ms; got ${JSON.stringify(this.transactions.map((t) => t.change_id))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** The change ids of every change received, in arrival order. */
  changeIds(): number[] {
    return this.transactions.flatMap((t) => t.changes.map((c) => c.change_id));
  }

  close(): void {
    this.socket.close(1000);
  }
}

export function changesUrl(httpUrl: string, database: string, query = ""): string {
  return changesHttpUrl(httpUrl, database, query).replace(/^http/, "ws");
}

/** A Server-Sent Events subscriber: collects `transaction` events until `abort()` (the client going away). */
export class EventSubscriber {
  readonly transactions: TransactionJson[] = [];
  private readonly controller = new AbortController();

  constructor(url: string) {
    // A refused or broken stream surfaces as an unhandled rejection (the test run reports it); an abort does not.
    void this.read(url).catch((e: unknown) => {
      if (!this.controller.signal.aborted) throw e;
    });
  }

  private async read(url: string): Promise<void> {
    const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal: this.controller.signal });
    if (res.status !== 200) throw new Error(`SSE subscription refused: ${res.status} ${await res.text()}`);
    let buffered = "";
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const blocks = buffered.split("\n\n");
      buffered = blocks.pop()!;
      for (const block of blocks) {
        const data = /^event: transaction\ndata: (.*)$/m.exec(block.replace(/^id: .*\n/, ""));
        if (data) this.transactions.push(JSON.parse(data[1]) as TransactionJson);
      }
    }
  }

  abort(): void {
    this.controller.abort();
  }
}

export function changesHttpUrl(httpUrl: string, database: string, query = ""): string {
  return `${httpUrl}/db/${database}/changes${query === "" ? "" : `?${query}`}`;
}
