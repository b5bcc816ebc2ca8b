// End to end with auth on: the real @libsql/client sends its authToken as a
// bearer header over HTTP and in hello.jwt over WebSocket; the Worker checks
// EdDSA tokens against a configured raw public key.
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "./worker-harness.js";
import { rejectionOf } from "./drivers/rejection.js";

let worker: RunningWorker;
let privateKey: CryptoKey;
const clients: Client[] = [];

function token(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
}

function client(url: string, authToken?: string): Client {
  const c = createClient({ url, authToken });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<LibsqlError> {
  const e = await rejectionOf(promise);
  expect(e).toBeInstanceOf(LibsqlError);
  return e as LibsqlError;
}

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  privateKey = pair.privateKey;
  worker = await startWorker({ JWT_PUBLIC_KEY: (await exportJWK(pair.publicKey)).x as string });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await worker?.dispose();
});

describe.each(["http", "ws"])("auth over %s", (scheme) => {
  const url = (db: string) => worker.databaseUrl(db).replace(/^http/, scheme);

  it("lets a read-write token write and a read-only token only read", async () => {
    const db = `auth-${scheme}`;
    const rw = client(url(db), await token({ a: "rw", id: db }));
    await rw.execute("CREATE TABLE t (v)");
    await rw.execute("INSERT INTO t VALUES (1)");
    const ro = client(url(db), await token({ a: "ro", id: db }));
    expect((await ro.execute("SELECT count(*) AS n FROM t")).rows[0].n).toBe(1);
    expect((await failure(ro.execute("INSERT INTO t VALUES (2)"))).code).toBe("SQLITE_READONLY");
  });

  it("refuses missing, expired and wrong-database tokens", async () => {
    const db = `auth-refused-${scheme}`;
    await expect(client(url(db)).execute("SELECT 1")).rejects.toThrow(/authentication required/);
    const expired = await token({ a: "rw", exp: Math.floor(Date.now() / 1000) - 10 });
    await expect(client(url(db), expired).execute("SELECT 1")).rejects.toThrow(/expired/);
    await expect(client(url(db), await token({ a: "rw", id: "elsewhere" })).execute("SELECT 1")).rejects.toThrow(/no access/);
  });
});
