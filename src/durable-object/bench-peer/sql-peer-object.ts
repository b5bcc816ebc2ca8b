// The benchmark's peer: a Durable Object that serves the same HTTP workload as
// DatabaseObject directly on the runtime's built-in ctx.storage.sql, with no
// engine of ours in between. Bound only in the benchmark's wrangler config
// (bench/service/wrangler.toml), never in production.
//
//   POST /peer/<name>/query        { "sql", "params"?: [...] }
//   POST /peer/<name>/transaction  { "statements": [{ "sql", "params"? }, ...] }
//
// Each answers the rows and the storage rows the runtime counted
// (SqlStorageCursor.rowsRead / rowsWritten, the units DO SQL bills). The
// runtime refuses BEGIN in sql.exec, so a transaction cannot span requests
// here: /transaction runs all its statements in one request inside
// ctx.storage.transactionSync (all or nothing), where DatabaseObject keeps an
// interactive transaction open across requests by baton.
import { DurableObject } from "cloudflare:workers";

type PeerValue = string | number | null | ArrayBuffer;

interface PeerStatement {
  sql: string;
  params: PeerValue[];
}

interface PeerResult {
  rows: PeerValue[][];
  rowsRead: number;
  rowsWritten: number;
}

class PeerRequestError extends Error {}

function statementOf(raw: unknown): PeerStatement {
  if (typeof raw !== "object" || raw === null || typeof (raw as { sql?: unknown }).sql !== "string") throw new PeerRequestError('a statement is { "sql": string, "params"?: [...] }');
  const { sql, params } = raw as { sql: string; params?: unknown };
  if (params === undefined) return { sql, params: [] };
  if (!Array.isArray(params) || !params.every((p) => p === null || typeof p === "string" || typeof p === "number")) {
    throw new PeerRequestError('"params" must be an array of strings, numbers and nulls');
  }
  return { sql, params: params as PeerValue[] };
}

export class SqlPeerObject extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const endpoint = new URL(request.url).pathname.split("/")[3];
    if (request.method !== "POST") return Response.json({ message: "the peer takes POST" }, { status: 405 });
    try {
      const body: unknown = await request.json();
      if (endpoint === "query") return Response.json(this.run(statementOf(body)));
      if (endpoint === "transaction") {
        const statements = (body as { statements?: unknown }).statements;
        if (!Array.isArray(statements)) throw new PeerRequestError('"statements" must be an array');
        return Response.json(this.runInTransaction(statements.map(statementOf)));
      }
      return Response.json({ message: `no peer endpoint ${endpoint}` }, { status: 404 });
    } catch (e) {
      // Bad requests and SQL errors alike are the client's: DO SQL reports them as exceptions.
      return Response.json({ message: e instanceof Error ? e.message : String(e) }, { status: 400 });
    }
  }

  private run(statement: PeerStatement): PeerResult {
    const cursor = this.ctx.storage.sql.exec(statement.sql, ...statement.params);
    const rows = [...cursor.raw()] as PeerValue[][];
    return { rows, rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten };
  }

  private runInTransaction(statements: PeerStatement[]): { results: PeerValue[][][]; rowsRead: number; rowsWritten: number } {
    return this.ctx.storage.transactionSync(() => {
      const outcome = { results: [] as PeerValue[][][], rowsRead: 0, rowsWritten: 0 };
      for (const statement of statements) {
        const result = this.run(statement);
        outcome.results.push(result.rows);
        outcome.rowsRead += result.rowsRead;
        outcome.rowsWritten += result.rowsWritten;
      }
      return outcome;
    });
  }
}
