// The /v1 management API inside workerd: admin credential, databases (create,
// list, get, delete, registration on first use), export/import of SQLite
// images with validation, token minting, and the catalog's migrations.
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { Database } from "../../src/engine/index.js";
import { CATALOG_INSTANCE, type CatalogObject } from "../../src/durable-object/catalog/catalog-object.js";
import { MIGRATIONS } from "../../src/durable-object/catalog/migrations.generated.js";
import { app } from "../../src/router/app.js";
import type { Env } from "../../src/router/env.js";
import { MAX_IMPORT_BYTES } from "../../src/router/management/routes.js";
import { execute, expectJsonError, HOST, pipeline, run } from "./hrana-helpers.js";

const ADMIN = "admin-token-for-tests";
const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const secured: Partial<Env> = { ADMIN_TOKEN: ADMIN, JWT_SECRET: SECRET };

/** Calls the app with `vars` added to the Worker's env; the admin token is sent unless `token` says otherwise. */
async function call(method: string, path: string, body?: BodyInit | object, vars: Partial<Env> = secured, token: string | null = ADMIN): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof Uint8Array || typeof body === "string") payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  return app.fetch(new Request(`${HOST}${path}`, { method, headers, body: payload }), { ...(env as unknown as Env), ...vars });
}

async function okJson<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

interface DatabaseJson {
  name: string;
  createdAt: string;
  sizeBytes: number;
}

async function exportBytes(name: string): Promise<Uint8Array> {
  const res = await call("GET", `/v1/databases/${name}/export`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** An image made by the engine in memory with the given rows in t(v). */
function imageWith(values: string[]): Uint8Array {
  const db = new Database();
  db.exec("CREATE TABLE t (v TEXT)");
  for (const v of values) db.prepare("INSERT INTO t VALUES (?)").run(v);
  const image = db.serialize();
  db.close();
  return image;
}

const rowsOf = async (name: string) => (await run(name, "SELECT v FROM t ORDER BY v"))[0].rows.map((r) => r[0].value);

describe("admin credential", () => {
  it("refuses a missing or wrong admin token with 401, and takes the right one", async () => {
    await expectJsonError(await call("GET", "/v1/databases", undefined, secured, null), 401, "ADMIN_AUTH_REQUIRED");
    await expectJsonError(await call("GET", "/v1/databases", undefined, secured, "wrong"), 401, "ADMIN_TOKEN_INVALID");
    await expectJsonError(await call("GET", "/v1/databases", undefined, secured, `${ADMIN}x`), 401, "ADMIN_TOKEN_INVALID");
    expect((await call("GET", "/v1/databases")).status).toBe(200);
  });

  it("is open in local mode (no keys at all) and disabled when only JWT keys are set", async () => {
    expect((await call("GET", "/v1/databases", undefined, {}, null)).status).toBe(200);
    await expectJsonError(await call("GET", "/v1/databases", undefined, { JWT_SECRET: SECRET }, null), 403, "ADMIN_DISABLED");
  });

  it("does not let the admin token through to databases, nor a database token into management", async () => {
    const res = await app.fetch(
      new Request(`${HOST}/db/adm/v2/pipeline`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ requests: [] }) }),
      { ...(env as unknown as Env), ...secured },
    );
    await expectJsonError(res, 401, "AUTH_TOKEN_INVALID");
    const { token } = await okJson<{ token: string }>(await call("POST", "/v1/tokens", { access: "rw" }), 201);
    await expectJsonError(await call("GET", "/v1/databases", undefined, secured, token), 401, "ADMIN_TOKEN_INVALID");
  });
});

describe("databases", () => {
  it("creates, lists, gets and deletes a database", async () => {
    const created = await okJson<DatabaseJson>(await call("POST", "/v1/databases", { name: "alpha" }), 201);
    expect(created).toMatchObject({ name: "alpha", sizeBytes: 0 });
    expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    await expectJsonError(await call("POST", "/v1/databases", { name: "alpha" }), 409, "DATABASE_EXISTS");
    await run("alpha", "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('a')");
    const one = await okJson<DatabaseJson>(await call("GET", "/v1/databases/alpha"));
    expect(one.sizeBytes).toBeGreaterThan(0);
    expect(one.sizeBytes % 16384).toBe(0);
    const { databases } = await okJson<{ databases: DatabaseJson[] }>(await call("GET", "/v1/databases"));
    expect(databases).toContainEqual(one);
    expect(await okJson(await call("DELETE", "/v1/databases/alpha"))).toEqual({ name: "alpha", deleted: true });
    await expectJsonError(await call("GET", "/v1/databases/alpha"), 404, "DATABASE_NOT_FOUND");
    await expectJsonError(await call("DELETE", "/v1/databases/alpha"), 404, "DATABASE_NOT_FOUND");
    // The data went with it: the name starts empty again.
    expect((await okJson<DatabaseJson>(await call("POST", "/v1/databases", { name: "alpha" }), 201)).sizeBytes).toBe(0);
    const body = await pipeline("alpha", [execute("SELECT count(*) FROM sqlite_schema"), { type: "close" }]);
    expect(body.results[0].response?.result).toMatchObject({ rows: [[{ type: "integer", value: "0" }]] });
  });

  it("refuses invalid names with 400", async () => {
    for (const body of [{ name: "Upper" }, { name: "-lead" }, { name: "v2" }, { name: "a".repeat(64) }, { name: 7 }, {}, "not json"]) {
      await expectJsonError(await call("POST", "/v1/databases", body), 400, "INVALID_DATABASE_NAME");
    }
    await expectJsonError(await call("GET", "/v1/databases/Bad_Name"), 400, "INVALID_DATABASE_NAME");
    await expectJsonError(await call("GET", "/v1/databases/unknown-db"), 404, "DATABASE_NOT_FOUND");
    await expectJsonError(await call("GET", "/v1/databases", undefined, { ...secured, CATALOG: undefined }), 503, "CATALOG_UNAVAILABLE");
    await expectJsonError(await call("GET", "/v1/nothing"), 404, "NOT_FOUND");
  });

  it("lists a database created on first use", async () => {
    await run("first-use", "CREATE TABLE t (v)");
    // Registration runs after the request (waitUntil): poll briefly.
    let listed: DatabaseJson | undefined;
    for (let i = 0; i < 50 && !listed; i++) {
      const { databases } = await okJson<{ databases: DatabaseJson[] }>(await call("GET", "/v1/databases"));
      listed = databases.find((d) => d.name === "first-use");
      if (!listed) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(listed?.sizeBytes).toBeGreaterThan(0);
  });
});

describe("export and import", () => {
  it("exports a SQLite image with the rows, and imports one in its place", async () => {
    await okJson(await call("POST", "/v1/databases", { name: "porter" }), 201);
    await run("porter", "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('x'), ('y')");
    const res = await call("GET", "/v1/databases/porter/export");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="porter.sqlite"');
    const image = new Uint8Array(await res.arrayBuffer());
    const copy = new Database({ image });
    expect(copy.prepare("PRAGMA integrity_check").pluck().all()).toEqual(["ok"]);
    expect(copy.prepare("SELECT v FROM t ORDER BY v").pluck().all()).toEqual(["x", "y"]);
    copy.close();

    // An image with 4096-byte pages replaces the 16384-byte one.
    const imported = await okJson<{ pageSize: number; sizeBytes: number }>(await call("POST", "/v1/databases/porter/import", imageWith(["p", "q", "r"])));
    expect(imported.pageSize).toBe(4096);
    expect(await rowsOf("porter")).toEqual(["p", "q", "r"]);
    expect((await okJson<DatabaseJson>(await call("GET", "/v1/databases/porter"))).sizeBytes).toBe(imported.sizeBytes);
    await run("porter", "INSERT INTO t VALUES ('s')");
    // The imported pages and page size are what storage holds, not just what the instance cached.
    await evictDurableObject(env.DATABASE.get(env.DATABASE.idFromName("porter")));
    expect(await rowsOf("porter")).toEqual(["p", "q", "r", "s"]);
    expect((await run("porter", "PRAGMA page_size"))[0].rows[0][0].value).toBe("4096");
  });

  it("closes the streams open across an import", async () => {
    await okJson(await call("POST", "/v1/databases", { name: "streamy" }), 201);
    await run("streamy", "CREATE TABLE t (v TEXT)");
    const open = await pipeline("streamy", [execute("BEGIN"), execute("INSERT INTO t VALUES ('pending')")]);
    await okJson(await call("POST", "/v1/databases/streamy/import", imageWith(["new"])));
    const res = await app.fetch(
      new Request(`${HOST}/db/streamy/v2/pipeline`, { method: "POST", body: JSON.stringify({ baton: open.baton, requests: [execute("COMMIT")] }) }),
      env as unknown as Env,
    );
    await expectJsonError(res, 400, "STREAM_EXPIRED");
    expect(await rowsOf("streamy")).toEqual(["new"]);
  });

  it("refuses non-SQLite, truncated, corrupt and oversize files, leaving the old data", async () => {
    await okJson(await call("POST", "/v1/databases", { name: "keeper" }), 201);
    await run("keeper", "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('kept')");
    const good = imageWith(["a", "b"]);
    const corrupt = good.slice();
    // Page 2 is t's root leaf: a bad page type byte.
    corrupt[4096] = 0x07;
    const badCell = good.slice();
    // Page 2's first cell pointer (after the 8-byte leaf header) points past the page.
    badCell[4096 + 8] = 0x0f;
    badCell[4096 + 9] = 0xff;
    const badPageSize = good.slice();
    badPageSize[16] = 0x03;
    const bodies: [Uint8Array, string][] = [
      [new TextEncoder().encode("hello, this is not a database at all, not even close to one, no header here; just text."), "not a SQLite"],
      [new Uint8Array(0), "not a SQLite"],
      [good.slice(0, good.length - 100), "whole number"],
      [badPageSize, "not a SQLite"],
      [corrupt, "integrity_check failed"],
      [badCell, "integrity_check failed"],
    ];
    for (const [body, reason] of bodies) {
      const error = await expectJsonError(await call("POST", "/v1/databases/keeper/import", body), 400, "INVALID_IMPORT");
      expect(error.message).toContain(reason);
    }
    await expectJsonError(await call("POST", "/v1/databases/keeper/import", new Uint8Array(MAX_IMPORT_BYTES + 1)), 400, "IMPORT_TOO_LARGE");
    await expectJsonError(await call("POST", "/v1/databases/nobody/import", good), 404, "DATABASE_NOT_FOUND");
    await expectJsonError(await call("GET", "/v1/databases/nobody/export"), 404, "DATABASE_NOT_FOUND");
    expect(await rowsOf("keeper")).toEqual(["kept"]);
    expect(new Database({ image: await exportBytes("keeper") }).prepare("SELECT v FROM t").pluck().all()).toEqual(["kept"]);
  });
});

describe("tokens", () => {
  it("mints HS256 tokens the databases accept, with access, database and expiry", async () => {
    const minted = await okJson<{ token: string; database: string; access: string; expiresAt: string }>(
      await call("POST", "/v1/tokens", { database: "tok", access: "ro", expiresIn: 3600 }),
      201,
    );
    const { payload } = await jwtVerify(minted.token, new TextEncoder().encode(SECRET), { algorithms: ["HS256"] });
    expect(payload).toMatchObject({ a: "ro", id: "tok" });
    expect(payload.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    expect(Date.parse(minted.expiresAt)).toBe(payload.exp! * 1000);

    const pipelineWith = (db: string, token: string, sql: string) =>
      app.fetch(
        new Request(`${HOST}/db/${db}/v2/pipeline`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ requests: [execute(sql), { type: "close" }] }) }),
        { ...(env as unknown as Env), ...secured },
      );
    const read = await okJson<{ results: { type: string }[] }>(await pipelineWith("tok", minted.token, "SELECT 1"));
    expect(read.results[0].type).toBe("ok");
    const write = await okJson<{ results: { type: string }[] }>(await pipelineWith("tok", minted.token, "CREATE TABLE w (x)"));
    expect(write.results[0].type).toBe("error");
    await expectJsonError(await pipelineWith("other", minted.token, "SELECT 1"), 403, "AUTH_FORBIDDEN");
  });

  it("refuses bad token requests, and minting without JWT_SECRET", async () => {
    for (const body of [{ access: "admin" }, {}, { access: "rw", expiresIn: -5 }, { access: "rw", expiresIn: "1h" }, { access: "rw", database: "Bad" }, "x"]) {
      await expectJsonError(await call("POST", "/v1/tokens", body), 400, "INVALID_TOKEN_REQUEST");
    }
    await expectJsonError(await call("POST", "/v1/tokens", { access: "rw" }, { ADMIN_TOKEN: ADMIN }), 400, "JWT_SECRET_MISSING");
  });
});

describe("catalog", () => {
  it("runs our engine with every migration applied once, across restarts", async () => {
    const stub = env.CATALOG.get(env.CATALOG.idFromName(CATALOG_INSTANCE));
    expect(await stub.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
    await stub.register("cat-a");
    await stub.register("cat-a");
    const pages = await runInDurableObject(stub, (_: CatalogObject, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tessera_pages").one().n,
    );
    expect(pages).toBeGreaterThan(0);
    expect((await stub.list()).filter((d) => d.name === "cat-a")).toHaveLength(1);
  });
});
