// Deleting a database, or importing over it, ends everything that was open on
// it: its WebSocket sessions are closed (1001, with a reason saying why) and
// the batons of its HTTP streams read as STREAM_EXPIRED afterwards; the
// database then serves new streams and sockets normally.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Database } from "../../src/engine/index.js";
import { execute, expectJsonError, HOST, pipeline, post, run } from "./hrana-helpers.js";

interface OpenSocket {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

/** A hrana3 socket on `db` with a hello done and stream 0 open, inside a transaction. */
async function socketInTransaction(db: string): Promise<OpenSocket> {
  const res = await exports.default.fetch(`${HOST}/db/${db}/`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "hrana3" } });
  expect(res.status).toBe(101);
  const socket = res.webSocket as WebSocket;
  socket.accept();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  const replies: Record<string, unknown>[] = [];
  const ready = new Promise<void>((resolve) =>
    socket.addEventListener("message", (e) => {
      if (replies.push(JSON.parse(e.data as string) as Record<string, unknown>) === 3) resolve();
    }),
  );
  socket.send(JSON.stringify({ type: "hello", jwt: null }));
  socket.send(JSON.stringify({ type: "request", request_id: 1, request: { type: "open_stream", stream_id: 0 } }));
  socket.send(JSON.stringify({ type: "request", request_id: 2, request: { type: "execute", stream_id: 0, stmt: { sql: "BEGIN", want_rows: false } } }));
  await ready;
  expect(replies.map((r) => r.type)).toEqual(["hello_ok", "response_ok", "response_ok"]);
  return { socket, closed };
}

function imageWith(value: string): Uint8Array {
  const db = new Database();
  db.exec("CREATE TABLE t (v TEXT)");
  db.prepare("INSERT INTO t VALUES (?)").run(value);
  const image = db.serialize();
  db.close();
  return image;
}

async function commitWith(db: string, baton: string | null): Promise<Response> {
  return post(`/db/${db}/v2/pipeline`, { baton, requests: [execute("COMMIT")] });
}

describe("deleting a database", () => {
  it("closes its WebSocket sessions with the reason and expires its HTTP batons", async () => {
    await run("doomed", "CREATE TABLE t (v TEXT)");
    const open = await pipeline("doomed", [execute("BEGIN"), execute("INSERT INTO t VALUES ('pending')")]);
    const { closed } = await socketInTransaction("doomed");
    const deleted = await exports.default.fetch(`${HOST}/v1/databases/doomed`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await closed).toEqual({ code: 1001, reason: "the database was deleted" });
    await expectJsonError(await commitWith("doomed", open.baton), 400, "STREAM_EXPIRED");
    // The name is free again: a new, empty database with the write lock free.
    const [tables] = await run("doomed", "SELECT count(*) FROM sqlite_schema", "CREATE TABLE t (v TEXT)");
    expect(tables.rows).toEqual([[{ type: "integer", value: "0" }]]);
  });

  it("still tells a forged baton from an expired one", async () => {
    await run("doomed-forgery", "SELECT 1");
    expect((await exports.default.fetch(`${HOST}/v1/databases/doomed-forgery`, { method: "DELETE" })).status).toBe(200);
    await expectJsonError(await commitWith("doomed-forgery", `${"0".repeat(32)}.1.AAAAAAAAAAAAAAAAAAAAAA`), 400, "BATON_INVALID");
  });
});

describe("importing over a database", () => {
  it("closes its WebSocket sessions with the reason, and the socket's transaction is not committed", async () => {
    await run("replaced", "CREATE TABLE t (v TEXT)");
    const { socket, closed } = await socketInTransaction("replaced");
    socket.send(JSON.stringify({ type: "request", request_id: 3, request: { type: "execute", stream_id: 0, stmt: { sql: "INSERT INTO t VALUES ('from socket')", want_rows: false } } }));
    const imported = await exports.default.fetch(`${HOST}/v1/databases/replaced/import`, { method: "POST", body: imageWith("imported") });
    expect(imported.status, await imported.text()).toBe(200);
    expect(await closed).toEqual({ code: 1001, reason: "the database was replaced by an import; reconnect" });
    const [rows] = await run("replaced", "SELECT v FROM t");
    expect(rows.rows).toEqual([[{ type: "text", value: "imported" }]]);
    // A new socket works on the imported database.
    const fresh = await socketInTransaction("replaced");
    fresh.socket.close();
  });
});
