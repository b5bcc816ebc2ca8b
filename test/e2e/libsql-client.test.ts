// End to end: the real @libsql/client over http:// and ws:// against the real
// Worker served by `wrangler dev` (one start for this file, on 127.0.0.1 and a
// free port), in open (no keys) mode. Idle streams expire after 1.5 s here so
// that the expiry scenario stays quick.
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "./worker-harness.js";
import { startWranglerDev } from "./wrangler-harness.js";
import { rejectionOf } from "./drivers/rejection.js";

const IDLE_MS = 1500;
const MAX_DATABASE_BYTES = 512 * 1024;
let worker: RunningWorker;
const clients: Client[] = [];

function client(name: string, intMode: "number" | "bigint" = "number"): Client {
  const c = createClient({ url: worker.databaseUrl(name), intMode });
  clients.push(c);
  return c;
}

function wsClient(name: string, intMode: "number" | "bigint" = "number"): Client {
  const c = createClient({ url: worker.databaseUrl(name).replace(/^http/, "ws"), intMode });
  clients.push(c);
  return c;
}

async function errorOf(promise: Promise<unknown>): Promise<LibsqlError> {
  const e = await rejectionOf(promise);
  expect(e).toBeInstanceOf(LibsqlError);
  return e as LibsqlError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  worker = await startWranglerDev({
    vars: { STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS), BUSY_TIMEOUT_MS: "4000", MAX_DATABASE_BYTES: String(MAX_DATABASE_BYTES), STATEMENT_TIMEOUT_MS: "1000" },
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await worker?.dispose();
});

describe("@libsql/client over HTTP", () => {
  it("round-trips every value type, with declared column types", async () => {
    const db = client("values");
    await db.execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n ANY)");
    const blob = new Uint8Array([0, 1, 2, 250, 255]);
    const insert = await db.execute({ sql: "INSERT INTO v VALUES (?, ?, ?, ?, ?)", args: [42, 2.5, "héllo ✓", blob, null] });
    expect(insert.rowsAffected).toBe(1);
    expect(insert.lastInsertRowid).toBe(1n);
    const rs = await db.execute("SELECT i, r, t, b, n, typeof(i) AS ti, typeof(r) AS tr, 1.0 AS one_real FROM v");
    expect(rs.columns).toEqual(["i", "r", "t", "b", "n", "ti", "tr", "one_real"]);
    expect(rs.columnTypes.slice(0, 5)).toEqual(["INTEGER", "REAL", "TEXT", "BLOB", "ANY"]);
    const row = rs.rows[0];
    expect(row.i).toBe(42);
    expect(row.r).toBe(2.5);
    expect(row.t).toBe("héllo ✓");
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(blob);
    expect(row.n).toBeNull();
    expect([row.ti, row.tr]).toEqual(["integer", "real"]);
    expect(row.one_real).toBe(1);
    expect(rs.rowsAffected).toBe(0);
  });

  it("keeps 64-bit integers exact with intMode bigint, and named arguments bind", async () => {
    const db = client("bigints", "bigint");
    await db.execute("CREATE TABLE big (k INTEGER PRIMARY KEY, v INTEGER)");
    const values = [9007199254740993n, -9223372036854775808n, 9223372036854775807n];
    for (const [k, v] of values.entries()) await db.execute({ sql: "INSERT INTO big VALUES (:k, $v)", args: { k: BigInt(k), v } });
    const rs = await db.execute("SELECT v, v + 0 = v AS same FROM big ORDER BY k");
    expect(rs.rows.map((r) => r.v)).toEqual(values);
    expect(rs.rows.map((r) => r.same)).toEqual([1n, 1n, 1n]);
    const numbers = client("bigints");
    await expect(numbers.execute("SELECT v FROM big")).rejects.toThrow(/too large/);
  });

  it("runs batches in write, read and deferred mode, rolling back on error", async () => {
    const db = client("batches");
    await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    const written = await db.batch(["INSERT INTO items (name) VALUES ('a')", { sql: "INSERT INTO items (name) VALUES (?)", args: ["b"] }], "write");
    expect(written.map((r) => r.lastInsertRowid)).toEqual([1n, 2n]);
    const read = await db.batch(["SELECT count(*) AS n FROM items", "SELECT name FROM items ORDER BY id"], "read");
    expect(read[0].rows[0].n).toBe(2);
    expect(read[1].rows.map((r) => r.name)).toEqual(["a", "b"]);
    const failure = await errorOf(db.batch(["INSERT INTO items (name) VALUES ('c')", "INSERT INTO items (name) VALUES ('a')"], "deferred"));
    expect(failure.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect((await db.execute("SELECT count(*) AS n FROM items")).rows[0].n).toBe(2);
    const readWrite = await errorOf(db.batch(["INSERT INTO items (name) VALUES ('d')"], "read"));
    expect(readWrite.code).toBe("SQLITE_READONLY");
  });

  it("commits and rolls back interactive transactions", async () => {
    const db = client("tx");
    await db.execute("CREATE TABLE t (x INTEGER)");
    const committed = await db.transaction("write");
    await committed.execute("INSERT INTO t VALUES (1)");
    expect((await committed.execute("SELECT count(*) AS n FROM t")).rows[0].n).toBe(1);
    await committed.commit();
    const rolledBack = await db.transaction("write");
    await rolledBack.execute("INSERT INTO t VALUES (2)");
    await rolledBack.rollback();
    expect((await db.execute("SELECT x FROM t")).rows.map((r) => r.x)).toEqual([1]);
  });

  it("runs executeMultiple and migrate", async () => {
    const db = client("scripts");
    await db.executeMultiple("CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);");
    expect((await db.execute("SELECT sum(x) AS s FROM a")).rows[0].s).toBe(3);
    await db.migrate(["CREATE TABLE b (y TEXT)", "INSERT INTO b VALUES ('migrated')"]);
    expect((await db.execute("SELECT y FROM b")).rows[0].y).toBe("migrated");
  });

  it("reports SQLite errors with their codes", async () => {
    const db = client("errors");
    expect((await errorOf(db.execute("SELECT * FROM missing"))).code).toBe("SQLITE_ERROR");
    expect((await errorOf(db.execute("SELEC 1"))).message).toMatch(/syntax error/);
    await db.execute("CREATE TABLE u (k TEXT PRIMARY KEY, v NOT NULL)");
    await db.execute("INSERT INTO u VALUES ('x', 1)");
    expect((await errorOf(db.execute("INSERT INTO u VALUES ('x', 2)"))).code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect((await errorOf(db.execute("INSERT INTO u VALUES ('y', NULL)"))).code).toBe("SQLITE_CONSTRAINT_NOTNULL");
  });

  it("serializes two interactive writers: the second waits for the first to commit", async () => {
    const a = client("writers");
    const b = client("writers");
    await a.execute("CREATE TABLE w (who TEXT)");
    const first = await a.transaction("write");
    await first.execute("INSERT INTO w VALUES ('first')");
    const reader = await b.transaction("read");
    expect((await reader.execute("SELECT count(*) AS n FROM w")).rows[0].n).toBe(0);
    const secondStarted = b.transaction("write");
    await sleep(300);
    await first.commit();
    const second = await secondStarted;
    await second.execute("INSERT INTO w VALUES ('second')");
    await second.commit();
    expect((await reader.execute("SELECT count(*) AS n FROM w")).rows[0].n).toBe(0);
    await reader.commit();
    expect((await a.execute("SELECT who FROM w ORDER BY rowid")).rows.map((r) => r.who)).toEqual(["first", "second"]);
  });

  it("gives SQLITE_BUSY to a writer that waits longer than its busy timeout", async () => {
    const a = client("busy");
    const b = client("busy");
    await a.execute("CREATE TABLE x (v)");
    const holder = await a.transaction("write");
    await holder.execute("INSERT INTO x VALUES (1)");
    const keepAlive = setInterval(() => void holder.execute("SELECT 1"), 500);
    try {
      const started = Date.now();
      expect((await errorOf(b.execute("INSERT INTO x VALUES (2)"))).code).toBe("SQLITE_BUSY");
      expect(Date.now() - started).toBeGreaterThanOrEqual(3500);
    } finally {
      clearInterval(keepAlive);
    }
    await holder.rollback();
  });

  it("expires an idle transaction: rolled back, lock released, its baton refused", async () => {
    const db = client("expiry");
    await db.execute("CREATE TABLE e (v)");
    const abandoned = await db.transaction("write");
    await abandoned.execute("INSERT INTO e VALUES ('lost')");
    await sleep(IDLE_MS + 1500);
    const late = await errorOf(abandoned.execute("SELECT 1"));
    expect(late.code).toBe("STREAM_EXPIRED");
    await db.execute("INSERT INTO e VALUES ('kept')");
    expect((await db.execute("SELECT v FROM e")).rows.map((r) => r.v)).toEqual(["kept"]);
  });

  it("refuses growing writes at the database size limit, and writes again after deletes free pages", async () => {
    const db = client("full");
    await db.execute("CREATE TABLE f (b BLOB)");
    let inserted = 0;
    let refusal: LibsqlError | undefined;
    while (!refusal && inserted < 40) {
      try {
        await db.execute("INSERT INTO f VALUES (zeroblob(32768))");
        inserted++;
      } catch (e) {
        refusal = e as LibsqlError;
      }
    }
    expect(refusal?.code).toBe("SQLITE_FULL");
    expect(inserted * 32768).toBeGreaterThanOrEqual(MAX_DATABASE_BYTES - 64 * 1024);
    expect((await db.execute("SELECT count(*) AS n FROM f")).rows[0].n).toBe(inserted);
    await db.execute("DELETE FROM f WHERE rowid % 2 = 0");
    await db.execute("INSERT INTO f VALUES (zeroblob(32768))");
  });

  it("interrupts a statement that runs past the statement time limit, and the database stays usable", async () => {
    const db = client("timeout");
    const started = Date.now();
    const e = await errorOf(db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"));
    expect(e.code).toBe("SQLITE_INTERRUPT");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await db.execute("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("serves the demo database with sample data", async () => {
    const rs = await client("demo").execute("SELECT count(*) AS n FROM albums JOIN artists ON artists.id = albums.artist_id");
    expect(rs.rows[0].n).toBeGreaterThan(0);
  });

  it("explains the trailing slash to a client whose URL lacks it", async () => {
    const db = createClient({ url: `${worker.url}/db/noslash` });
    clients.push(db);
    const e = await errorOf(db.execute("SELECT 1"));
    expect(e.message).toMatch(/must end with a slash/);
  });
});

describe("@libsql/client over WebSocket", () => {
  it("runs statements, batches and executeMultiple with every value type", async () => {
    const db = wsClient("ws-values", "bigint");
    await db.executeMultiple("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB); CREATE TABLE w (x);");
    const blob = new Uint8Array([9, 8, 7]);
    await db.execute({ sql: "INSERT INTO v VALUES (?, ?, ?, ?)", args: [9223372036854775807n, 0.25, "ws", blob] });
    const [rs] = await db.batch(["SELECT i, r, t, b FROM v", "INSERT INTO w VALUES (1)"], "write");
    expect(rs.rows[0].i).toBe(9223372036854775807n);
    expect(rs.rows[0].r).toBe(0.25);
    expect(rs.rows[0].t).toBe("ws");
    expect(new Uint8Array(rs.rows[0].b as ArrayBuffer)).toEqual(blob);
    expect((await errorOf(db.execute("SELECT * FROM nope"))).code).toBe("SQLITE_ERROR");
  });

  it("runs two interactive transactions on one socket: the second waits for the first", async () => {
    const db = wsClient("ws-tx");
    await db.execute("CREATE TABLE t (v TEXT)");
    const first = await db.transaction("write");
    await first.execute("INSERT INTO t VALUES ('first')");
    const secondStarted = db.transaction("write");
    await sleep(200);
    await first.commit();
    const second = await secondStarted;
    await second.execute("INSERT INTO t VALUES ('second')");
    await second.rollback();
    expect((await db.execute("SELECT v FROM t")).rows.map((r) => r.v)).toEqual(["first"]);
  });

  it("expires a transaction left idle on an open socket, releasing the write lock", async () => {
    const db = wsClient("ws-expiry");
    await db.execute("CREATE TABLE e (v TEXT)");
    const idle = await db.transaction("write");
    await idle.execute("INSERT INTO e VALUES ('lost')");
    await sleep(IDLE_MS + 1500);
    expect((await errorOf(idle.execute("SELECT 1"))).code).toBe("STREAM_EXPIRED");
    await db.execute("INSERT INTO e VALUES ('kept')");
    expect((await db.execute("SELECT v FROM e")).rows.map((r) => r.v)).toEqual(["kept"]);
  });
});
