// End to end: the management API of the real Worker in workerd (Miniflare)
// with an admin token and JWT_SECRET: create a database, mint a token, write
// through @libsql/client, export and open the file in real SQLite (sql.js),
// modify it there, import it back and read it through the client again.
import { createClient, type Client } from "@libsql/client";
import initSqlJs from "sql.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "./worker-harness.js";

const ADMIN = "e2e-admin-token";
const SECRET = "e2e-secret-that-is-long-enough-for-hs256";
let worker: RunningWorker;
let base: string;
let client: Client | undefined;

beforeAll(async () => {
  worker = await startWorker({ ADMIN_TOKEN: ADMIN, JWT_SECRET: SECRET });
  base = worker.url;
});

afterAll(async () => {
  client?.close();
  await worker?.dispose();
});

function admin(method: string, path: string, body?: object | Uint8Array): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` };
  if (body !== undefined && !(body instanceof Uint8Array)) headers["content-type"] = "application/json";
  return fetch(`${base}${path}`, { method, headers, body: body instanceof Uint8Array ? body : body === undefined ? undefined : JSON.stringify(body) });
}

it("create, write with @libsql/client, export to sql.js, import a modified file, read back", async () => {
  expect((await admin("POST", "/v1/databases", { name: "roundtrip" })).status).toBe(201);
  const minted = (await (await admin("POST", "/v1/tokens", { database: "roundtrip", access: "rw", expiresIn: 600 })).json()) as { token: string };
  client = createClient({ url: `${base}/db/roundtrip/`, authToken: minted.token });
  await client.batch(["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL)", "INSERT INTO notes (body, score) VALUES ('first', 1.5), ('second', -2)"], "write");

  const exported = await admin("GET", "/v1/databases/roundtrip/export");
  expect(exported.status).toBe(200);
  expect(exported.headers.get("content-disposition")).toContain("roundtrip.sqlite");
  const SQL = await initSqlJs();
  const file = new SQL.Database(new Uint8Array(await exported.arrayBuffer()));
  expect(file.exec("PRAGMA integrity_check")[0].values).toEqual([["ok"]]);
  expect(file.exec("SELECT id, body, score FROM notes ORDER BY id")[0].values).toEqual([
    [1, "first", 1.5],
    [2, "second", -2],
  ]);

  file.run("UPDATE notes SET body = 'edited in sql.js' WHERE id = 1; INSERT INTO notes (body, score) VALUES ('third', 3); CREATE INDEX notes_score ON notes (score)");
  const modified = file.export();
  file.close();
  const imported = await admin("POST", "/v1/databases/roundtrip/import", modified);
  expect(imported.status, await imported.clone().text()).toBe(200);

  const rows = await client.execute("SELECT id, body, score FROM notes ORDER BY score");
  expect(rows.rows.map((r) => [r.id, r.body, r.score])).toEqual([
    [2, "second", -2],
    [1, "edited in sql.js", 1.5],
    [3, "third", 3],
  ]);
  const plan = await client.execute("SELECT name FROM sqlite_schema WHERE type = 'index'");
  expect(plan.rows.map((r) => r.name)).toEqual(["notes_score"]);

  const listed = (await (await admin("GET", "/v1/databases")).json()) as { databases: { name: string; sizeBytes: number }[] };
  expect(listed.databases).toEqual([expect.objectContaining({ name: "roundtrip", sizeBytes: modified.length })]);
  expect((await fetch(`${base}/v1/databases`)).status).toBe(401);
});
