// Bench worker (bundled by esbuild, run in Miniflare): a SQLite-backed Durable
// Object that replays page commits through DurableObjectPageStore, or does the
// same logical inserts on a plain ctx.storage.sql table, and reports the rows
// and bytes the runtime counted for each commit.
import { DurableObject } from "cloudflare:workers";
import { DurableObjectPageStore } from "../../src/durable-object/do-page-store.js";
import { CountingStorage, type StorageCost } from "./counting-storage.js";
import type { BenchRequest, PageCommit } from "./protocol.js";

interface Env {
  BENCH: DurableObjectNamespace<BenchObject>;
}

function decodePages(commit: PageCommit): Map<number, Uint8Array> {
  return new Map(commit.pages.map(([pageNo, base64]) => [pageNo, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]));
}

export class BenchObject extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const body = (await request.json()) as BenchRequest;
    const storage = new CountingStorage(this.ctx.storage);
    const costs: StorageCost[] = [];
    if (body.op === "replay") {
      const store = new DurableObjectPageStore(storage);
      storage.take();
      for (const commit of body.commits) {
        store.commit(decodePages(commit), commit.pageCount, body.pageSize);
        costs.push(storage.take());
      }
      const reader = new DurableObjectPageStore(storage);
      for (let pageNo = 1; pageNo <= reader.pageCount(); pageNo++) reader.readPage(pageNo);
      costs.push(storage.take());
    } else {
      storage.sql.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT)");
      storage.take();
      let nextId = 1;
      for (const rows of body.transactions) {
        storage.transactionSync(() => {
          for (let i = 0; i < rows; i++, nextId++) {
            storage.sql.exec("INSERT INTO t (id, payload) VALUES (?, ?)", nextId, body.payload);
          }
        });
        costs.push(storage.take());
      }
      storage.sql.exec("SELECT * FROM t").toArray();
      costs.push(storage.take());
    }
    return Response.json(costs);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get("object") ?? "bench";
    return env.BENCH.get(env.BENCH.idFromName(name)).fetch(request);
  },
};
