// Change data capture on the Worker's own socket (Miniflare's direct socket,
// which bypasses its entry worker as the edge does): subscribers with the
// `ws` package, which offers permessage-deflate by default, negotiate no
// extension (no_web_socket_compression), while Miniflare's entry proxy does
// negotiate it with the same client; changes written through
// @libsql/client arrive all the same.
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changesUrl, Subscriber } from "./cdc-subscriber.js";
import { startWorker, type MiniflareWorker } from "./worker-harness.js";

let worker: MiniflareWorker;
const clients: Client[] = [];
const subscribers: Subscriber[] = [];

function client(database: string): Client {
  const c = createClient({ url: worker.databaseUrl(database) });
  clients.push(c);
  return c;
}

function subscriber(url: string): Subscriber {
  const s = new Subscriber(url);
  subscribers.push(s);
  return s;
}

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  for (const s of subscribers) s.socket.terminate();
  for (const c of clients) c.close();
  await worker?.dispose();
});

describe("permessage-deflate", () => {
  it("is not negotiated with a subscriber that offers it on the Worker's own socket, which still receives the changes", async () => {
    const db = client("cdc-direct-deflate");
    await db.execute("PRAGMA capture_data_changes_conn('full')");
    await db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
    const direct = subscriber(changesUrl(worker.directUrl, "cdc-direct-deflate", "since="));
    // Through Miniflare's entry worker, which proxies the socket and negotiates compression itself.
    const proxied = subscriber(changesUrl(worker.url, "cdc-direct-deflate", "since="));
    await Promise.all([direct.open(), proxied.open()]);
    expect(direct.socket.extensions).toBe("");
    expect(proxied.socket.extensions).toContain("permessage-deflate");
    await direct.until(() => direct.notices.some((n) => n.type === "live"));
    await db.execute("INSERT INTO t VALUES (1, 'one')");
    await db.batch(["UPDATE t SET v = 'uno' WHERE k = 1", "INSERT INTO t VALUES (2, 'two')"], "write");
    await direct.until(() => direct.changeIds().length >= 3);
    expect(direct.transactions.map((t) => t.changes.map((c) => [c.op, c.id, c.after]))).toEqual([
      [["insert", 1, { k: 1, v: "one" }]],
      [
        ["update", 1, { k: 1, v: "uno" }],
        ["insert", 2, { k: 2, v: "two" }],
      ],
    ]);
  });
});
