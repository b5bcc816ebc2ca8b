// JWT auth at the router: EdDSA (raw and PEM keys) and HS256 tokens, claims
// a / id / p / exp, and read-only enforcement. The Worker's env has no keys,
// so these tests call the app with an env that adds them.
import { env } from "cloudflare:test";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/router/app.js";
import type { Env } from "../../src/router/env.js";
import { execute, expectJsonError, HOST, type PipelineBody } from "./hrana-helpers.js";

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
let ed25519: { privateKey: CryptoKey; rawPublic: string; pem: string };

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  ed25519 = { privateKey: pair.privateKey, rawPublic: jwk.x as string, pem: await exportSPKI(pair.publicKey) };
});

function withKeys(keys: Partial<Env>): Env {
  return { ...(env as unknown as Env), ...keys };
}

function hs256(claims: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
}

function eddsa(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA" }).sign(ed25519.privateKey);
}

async function call(db: string, requests: unknown[], token: string | null, keys: Partial<Env>): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const request = new Request(`${HOST}/db/${db}/v2/pipeline`, { method: "POST", headers, body: JSON.stringify({ requests: [...requests, { type: "close" }] }) });
  return app.fetch(request, withKeys(keys));
}

const HS = { JWT_SECRET: SECRET };

describe("JWT auth", () => {
  it("accepts valid HS256 and EdDSA tokens (raw and PEM public keys)", async () => {
    for (const [token, keys] of [
      [await hs256({ a: "rw" }), HS],
      [await eddsa({ a: "rw", id: "auth-ok" }), { JWT_PUBLIC_KEY: ed25519.rawPublic }],
      [await eddsa({}), { JWT_PUBLIC_KEY: ed25519.pem }],
    ] as const) {
      const res = await call("auth-ok", [execute("SELECT 1")], token, keys);
      expect(res.status, await res.clone().text()).toBe(200);
    }
  });

  it("rejects missing, forged, expired and wrong-database tokens", async () => {
    await expectJsonError(await call("auth-no", [], null, HS), 401, "AUTH_REQUIRED");
    await expectJsonError(await call("auth-no", [], await hs256({ a: "rw" }, "another-secret-of-sufficient-length!!"), HS), 401, "AUTH_TOKEN_INVALID");
    await expectJsonError(await call("auth-no", [], "not.a.jwt", HS), 401, "AUTH_TOKEN_INVALID");
    await expectJsonError(await call("auth-no", [], await eddsa({ a: "rw" }), HS), 401, "AUTH_TOKEN_INVALID");
    const expired = await hs256({ a: "rw", exp: Math.floor(Date.now() / 1000) - 60 });
    await expectJsonError(await call("auth-no", [], expired, HS), 401, "AUTH_TOKEN_EXPIRED");
    await expectJsonError(await call("auth-no", [], await hs256({ a: "rw", id: "someone-else" }), HS), 403, "AUTH_FORBIDDEN");
    await expectJsonError(await call("auth-no", [], await hs256({ p: { rw: { ns: ["other"] } } }), HS), 403, "AUTH_FORBIDDEN");
  });

  it("lets read-only tokens read but not write, however the write is spelled", async () => {
    const rw = await hs256({ a: "rw" });
    expect((await call("auth-ro", [execute("CREATE TABLE t (v)"), execute("INSERT INTO t VALUES (1)")], rw, HS)).status).toBe(200);
    for (const ro of [await hs256({ a: "ro" }), await hs256({ p: { ro: { ns: ["auth-ro"] } } }), await hs256({ a: "roa", id: "auth-ro" })]) {
      const res = await call(
        "auth-ro",
        [
          execute("SELECT count(*) FROM t"),
          execute("INSERT INTO t VALUES (2)"),
          execute("WITH x AS (SELECT 3) INSERT INTO t SELECT * FROM x"),
          execute("PRAGMA user_version = 7"),
          execute("CREATE TABLE u (v)"),
          execute("ATTACH 'x' AS y"),
          { type: "sequence", sql: "SELECT 1; DELETE FROM t;" },
          execute("PRAGMA table_info(t)"),
        ],
        ro,
        HS,
      );
      const body = (await res.json()) as PipelineBody;
      expect(body.results.map((r) => r.type)).toEqual(["ok", "error", "error", "error", "error", "error", "error", "ok", "ok"]);
      for (const r of body.results.slice(1, 7)) expect(r.error?.code).toBe("SQLITE_READONLY");
    }
    const count = (await (await call("auth-ro", [execute("SELECT count(*) FROM t")], rw, HS)).json()) as PipelineBody;
    expect((count.results[0].response?.result as { rows: unknown[][] }).rows[0][0]).toEqual({ type: "integer", value: "1" });
  });

  it("replaces a client-sent access header with the token's verdict", async () => {
    const request = new Request(`${HOST}/db/auth-header/v2/pipeline`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await hs256({ a: "ro" })}`, "x-tessera-access": "rw" },
      body: JSON.stringify({ requests: [execute("CREATE TABLE t (v)"), { type: "close" }] }),
    });
    const body = (await (await app.fetch(request, withKeys(HS))).json()) as PipelineBody;
    expect(body.results[0].error?.code).toBe("SQLITE_READONLY");
  });

  it("takes a change stream's token from the token query parameter (for EventSource), and no other endpoint's", async () => {
    expect((await call("auth-query", [execute("PRAGMA capture_data_changes_conn('full')"), execute("CREATE TABLE t (v)"), execute("INSERT INTO t VALUES (1)")], await hs256({ a: "rw" }), HS)).status).toBe(200);
    const changes = (query: string, headers: Record<string, string> = {}) => app.fetch(new Request(`${HOST}/db/auth-query/changes?since=0&${query}`, { headers }), withKeys(HS));
    const read = await hs256({ a: "ro", id: "auth-query" });
    const page = await changes(`token=${read}`);
    expect(page.status, await page.clone().text()).toBe(200);
    expect(((await page.json()) as { transactions: { changes: { after: unknown }[] }[] }).transactions.at(-1)?.changes[0].after).toEqual({ v: 1 });
    const sse = await changes(`token=${read}`, { accept: "text/event-stream" });
    expect(sse.headers.get("content-type")).toBe("text/event-stream");
    await sse.body?.cancel();
    const socket = await changes(`token=${read}`, { upgrade: "websocket" });
    expect(socket.status).toBe(101);
    const ws = socket.webSocket!;
    const first = new Promise<unknown>((resolve) => ws.addEventListener("message", (e) => resolve(JSON.parse(e.data as string))));
    ws.accept();
    expect(await first).toMatchObject({ type: "subscribed" });
    ws.close(1000, "done");
    await expectJsonError(await changes(""), 401, "AUTH_REQUIRED");
    await expectJsonError(await changes("token=not.a.jwt"), 401, "AUTH_TOKEN_INVALID");
    await expectJsonError(await changes(`token=${await hs256({ a: "ro", id: "someone-else" })}`), 403, "AUTH_FORBIDDEN");
    // An Authorization header wins over the parameter.
    await expectJsonError(await changes(`token=${read}`, { authorization: "Bearer not.a.jwt" }), 401, "AUTH_TOKEN_INVALID");
    const pipeline = new Request(`${HOST}/db/auth-query/v2/pipeline?token=${await hs256({ a: "rw" })}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ requests: [execute("SELECT 1"), { type: "close" }] }),
    });
    await expectJsonError(await app.fetch(pipeline, withKeys(HS)), 401, "AUTH_REQUIRED");
  });
});
