// Bench worker (bundled by esbuild, run in Miniflare): a SQLite-backed Durable
// Object that replays page commits through DurableObjectPageStore, does row
// inserts through Tessera's B-tree on that store, or does the same inserts on
// a plain ctx.storage.sql table, and reports the rows and bytes the runtime
// counted for each commit, a cold full scan and a cold point lookup.
import { DurableObject } from "cloudflare:workers";
import { DurableObjectPageStore } from "../../src/durable-object/do-page-store.js";
import { BtreeDatabase, encodeRecord, SCHEMA_ROOT } from "../../src/engine/btree/index.js";
import { CountingStorage } from "./counting-storage.js";
import type { BenchRequest, BenchResponse, PageCommit } from "./protocol.js";

interface Env {
  BENCH: DurableObjectNamespace<BenchObject>;
}

function decodePages(commit: PageCommit): Map<number, Uint8Array> {
  return new Map(commit.pages.map(([pageNo, base64]) => [pageNo, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]));
}

function replay(storage: CountingStorage, pageSize: number, commits: PageCommit[]): BenchResponse {
  const store = new DurableObjectPageStore(storage);
  storage.take();
  const costs = commits.map((commit) => {
    store.commit(decodePages(commit), commit.pageCount, pageSize);
    return storage.take();
  });
  const reader = new DurableObjectPageStore(storage);
  for (let pageNo = 1; pageNo <= reader.pageCount(); pageNo++) reader.readPage(pageNo);
  return { commits: costs, scan: storage.take(), lookup: null };
}

function plain(storage: CountingStorage, payload: string, transactions: number[]): BenchResponse {
  storage.sql.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT)");
  const costs = [storage.take()];
  let nextId = 1;
  for (const rows of transactions) {
    storage.transactionSync(() => {
      for (let i = 0; i < rows; i++, nextId++) storage.sql.exec("INSERT INTO t (id, payload) VALUES (?, ?)", nextId, payload);
    });
    costs.push(storage.take());
  }
  storage.sql.exec("SELECT * FROM t").toArray();
  const scan = storage.take();
  storage.sql.exec("SELECT * FROM t WHERE id = ?", Math.floor(nextId / 2)).toArray();
  return { commits: costs, scan, lookup: storage.take() };
}

function engine(storage: CountingStorage, pageSize: number, payload: string, transactions: number[]): BenchResponse {
  const db = BtreeDatabase.open(new DurableObjectPageStore(storage), { pageSize });
  const schema = db.beginWrite();
  const root = schema.createTree("table");
  schema.openTable(SCHEMA_ROOT).insert(1, encodeRecord(["table", "t", "t", root, "CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)"]));
  schema.commit();
  const costs = [storage.take()];
  let nextId = 1;
  for (const rows of transactions) {
    const tx = db.beginWrite();
    const table = tx.openTable(root);
    for (let i = 0; i < rows; i++, nextId++) table.insert(nextId, encodeRecord([null, payload]));
    tx.commit();
    costs.push(storage.take());
  }
  // Cold: a new store and pager, so nothing is cached.
  const scanTx = BtreeDatabase.open(new DurableObjectPageStore(storage)).beginRead();
  const cursor = scanTx.openTable(root);
  for (let ok = cursor.first(); ok; ok = cursor.next()) cursor.payload();
  scanTx.end();
  const scan = storage.take();
  const lookupTx = BtreeDatabase.open(new DurableObjectPageStore(storage)).beginRead();
  lookupTx.openTable(root).seek(Math.floor(nextId / 2), "eq");
  lookupTx.end();
  return { commits: costs, scan, lookup: storage.take() };
}

export class BenchObject extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as BenchRequest;
    const storage = new CountingStorage(this.ctx.storage);
    switch (body.op) {
      case "replay":
        return Response.json(replay(storage, body.pageSize, body.commits));
      case "plain":
        return Response.json(plain(storage, body.payload, body.transactions));
      case "engine":
        return Response.json(engine(storage, body.pageSize, body.payload, body.transactions));
    }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get("object") ?? "bench";
    return env.BENCH.get(env.BENCH.idFromName(name)).fetch(request);
  },
};
