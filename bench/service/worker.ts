// The benchmark's Worker (bench/service/wrangler.toml, never deployed): the
// production router and databases, plus the peer Durable Object on
// ctx.storage.sql at /peer/<name>/..., and /bench/storage-cost/<name>, which
// answers (and restarts) the storage rows our database <name> has cost.
import { app } from "../../src/router/app.js";
import type { Env } from "../../src/router/env.js";
import { SqlPeerObject } from "../../src/durable-object/bench-peer/sql-peer-object.js";
import { MeasuredDatabaseObject } from "./measured-database-object.js";

export { CatalogObject } from "../../src/durable-object/catalog/catalog-object.js";
export { MeasuredDatabaseObject, SqlPeerObject };

interface BenchEnv extends Env {
  PEER: DurableObjectNamespace<SqlPeerObject>;
}

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const [, section, name, detail] = new URL(request.url).pathname.split("/");
    if (section === "peer" && name) return env.PEER.get(env.PEER.idFromName(name)).fetch(request);
    if (section === "bench" && name === "storage-cost" && detail) {
      const measured = env.DATABASE as unknown as DurableObjectNamespace<MeasuredDatabaseObject>;
      return Response.json(await measured.get(measured.idFromName(detail)).takeStorageCost());
    }
    return app.fetch(request, env, ctx);
  },
};
