// End to end: Turso's fetch-based driver @tursodatabase/serverless (Hrana 3
// JSON over v3/pipeline and v3/cursor) against the real Worker in workerd
// (Miniflare), open mode. Idle streams expire after 1.5 s and statements are
// interrupted after 1 s here so that the expiry and timeout scenarios stay quick.
import { connect, DatabaseError, TimeoutError, type Connection, type Transaction } from "@tursodatabase/serverless";
import { createClient, LibsqlError, type Client } from "@tursodatabase/serverless/compat";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "./drivers/rejection.js";
import { startWorker, type RunningWorker } from "./worker-harness.js";

const IDLE_MS = 1500;
const STATEMENT_MS = 1000;
let worker: RunningWorker;
const connections: Connection[] = [];
const compatClients: Client[] = [];

function connection(name: string, defaultQueryTimeout?: number): Connection {
  const conn = connect({ url: worker.databaseUrl(name), defaultQueryTimeout });
  connections.push(conn);
  return conn;
}

async function databaseErrorOf(promise: Promise<unknown>): Promise<DatabaseError> {
  const e = await rejectionOf(promise);
  expect(e).toBeInstanceOf(DatabaseError);
  return e as DatabaseError;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  worker = await startWorker({ STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS), BUSY_TIMEOUT_MS: "4000", STATEMENT_TIMEOUT_MS: String(STATEMENT_MS) });
});

afterAll(async () => {
  for (const conn of connections) await conn.close();
  for (const client of compatClients) client.close();
  await worker?.dispose();
});

describe("@tursodatabase/serverless", () => {
  it("round-trips every value type, with declared column types and 64-bit integers under safeIntegers", async () => {
    const db = connection("values");
    await db.exec("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n ANY)");
    const blob = new Uint8Array([0, 1, 2, 250, 255]);
    const inserted = await db.run("INSERT INTO v VALUES (?, ?, ?, ?, ?)", [42, 2.5, "héllo ✓", blob, null]);
    expect(inserted).toEqual({ changes: 1, lastInsertRowid: 1 });
    await db.run("INSERT INTO v (i, r, t) VALUES (:i, :r, :t)", { i: 9223372036854775807n, r: 1e300, t: true });

    const select = await db.prepare("SELECT i, r, t, b, n, typeof(i) AS ti, 1.0 AS one_real FROM v ORDER BY rowid");
    expect(select.columns().map((c: { name: string; type: string | null }) => [c.name, c.type])).toEqual([
      ["i", "INTEGER"],
      ["r", "REAL"],
      ["t", "TEXT"],
      ["b", "BLOB"],
      ["n", "ANY"],
      ["ti", null],
      ["one_real", null],
    ]);
    const first = await select.get();
    expect(first).toMatchObject({ i: 42, r: 2.5, t: "héllo ✓", n: null, ti: "integer", one_real: 1 });
    expect(new Uint8Array(first.b)).toEqual(blob);
    const exact = await select.safeIntegers().all();
    expect(exact.map((row) => row.i)).toEqual([42n, 9223372036854775807n]);
    expect(exact[1]).toMatchObject({ r: 1e300, t: "1", b: null });
    expect(await select.raw().safeIntegers(false).get()).toEqual([42, 2.5, "héllo ✓", first.b, null, "integer", 1]);
    const streamed: unknown[] = [];
    for await (const i of (await db.prepare("SELECT i FROM v ORDER BY rowid")).pluck().safeIntegers().iterate()) streamed.push(i);
    expect(streamed).toEqual([42n, 9223372036854775807n]);
  });

  it("streams a large result through v3/cursor and binds numbered and named parameters", async () => {
    const db = connection("cursor");
    const rowCount = 20_000;
    await db.exec(`CREATE TABLE big (i INTEGER PRIMARY KEY, s TEXT);
      WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${rowCount}) INSERT INTO big (s) SELECT 'row ' || x FROM n;`);
    const all = await db.all("SELECT i, s FROM big ORDER BY i");
    expect(all.length).toBe(rowCount);
    expect(all[rowCount - 1]).toEqual({ i: rowCount, s: `row ${rowCount}` });
    let streamed = 0;
    let sum = 0;
    for await (const i of (await db.prepare("SELECT i FROM big")).pluck().iterate()) {
      streamed++;
      sum += i;
    }
    expect([streamed, sum]).toEqual([rowCount, (rowCount * (rowCount + 1)) / 2]);

    const described = await db.prepare("SELECT ?1 AS a, :name AS b, @x AS c, $y AS d");
    expect(described.columns().map((c: { name: string }) => c.name)).toEqual(["a", "b", "c", "d"]);
    expect(await db.get("SELECT ?2 AS two, ?1 AS one", ["x", "y"])).toEqual({ two: "y", one: "x" });
    expect(await db.get("SELECT $a AS a, :b AS b, @c AS c", { a: 1, b: "two", c: null })).toEqual({ a: 1, b: "two", c: null });
  });

  it("gives up on a runaway query at its client timeout, and the server interrupts it at its statement limit", async () => {
    const impatient = connection("runaway", 300);
    const runaway = await rejectionOf(impatient.all("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"));
    expect(runaway).toBeInstanceOf(TimeoutError);
    const started = Date.now();
    expect(await connection("runaway").all("SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    expect(Date.now() - started).toBeLessThan(STATEMENT_MS + 5000);
  });

  it("runs plain batches statement by statement and moded batches atomically", async () => {
    const db = connection("batches");
    await db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    const results = await db.batch(["INSERT INTO items (name) VALUES ('a')", { sql: "INSERT INTO items (name) VALUES (?)", args: ["b"] }, "SELECT name FROM items ORDER BY id"]);
    expect(results.map((r: { rowsAffected: number }) => r.rowsAffected)).toEqual([1, 1, 0]);
    expect(results[2].rows.map((r: { name: string }) => r.name)).toEqual(["a", "b"]);

    const plainFailure = await databaseErrorOf(db.batch(["INSERT INTO items (name) VALUES ('c')", "INSERT INTO items (name) VALUES ('a')"]));
    expect(plainFailure.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(await db.all("SELECT name FROM items ORDER BY id")).toEqual([{ name: "a" }, { name: "b" }, { name: "c" }]);

    const atomicFailure = await databaseErrorOf(db.batch(["INSERT INTO items (name) VALUES ('d')", "INSERT INTO items (name) VALUES ('a')"], "immediate"));
    expect(atomicFailure.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    const [written] = await db.batch([{ sql: "INSERT INTO items (name) VALUES (:name)", args: { name: "e" } }], "write");
    expect(written.rowsAffected).toBe(1);
    const [counted] = await db.batch(["SELECT count(*) AS n FROM items"], "read");
    expect(counted.rows[0].n).toBe(4);
    expect(db.inTransaction).toBe(false);
  });

  it("commits and rolls back transactions on their own stream, and tracks a raw BEGIN", async () => {
    const db = connection("tx");
    await db.exec("CREATE TABLE t (x INTEGER)");
    const insertTwo = db.transactionAsync(async (tx: Transaction, a: number, b: number) => {
      await tx.run("INSERT INTO t VALUES (?)", [a]);
      await tx.batch([{ sql: "INSERT INTO t VALUES (?)", args: [b] }]);
      expect(await db.get("SELECT count(*) AS n FROM t")).toEqual({ n: 0 });
      return (await tx.get("SELECT count(*) AS n FROM t")).n;
    });
    expect(await insertTwo.immediate(1, 2)).toBe(2);

    const failing = db.transactionAsync(async (tx: Transaction) => {
      await tx.run("INSERT INTO t VALUES (3)");
      throw new Error("abort the transaction");
    });
    expect(((await rejectionOf(failing())) as Error).message).toBe("abort the transaction");
    expect(await db.all("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);

    await db.exec("BEGIN");
    expect(db.inTransaction).toBe(true);
    await db.run("DELETE FROM t");
    await db.exec("ROLLBACK");
    expect(db.inTransaction).toBe(false);
    await db.exec("INSERT INTO t VALUES (4); INSERT INTO t VALUES (5);");
    expect((await db.get("SELECT sum(x) AS s FROM t")).s).toBe(12);
  });

  it("reports SQLite errors with their codes", async () => {
    const db = connection("errors");
    expect((await databaseErrorOf(db.all("SELECT * FROM missing"))).code).toBe("SQLITE_ERROR");
    expect((await databaseErrorOf(db.run("SELEC 1"))).message).toMatch(/syntax error/);
    await db.exec("CREATE TABLE u (k TEXT PRIMARY KEY, v NOT NULL)");
    await db.run("INSERT INTO u VALUES ('x', 1)");
    expect((await databaseErrorOf(db.run("INSERT INTO u VALUES ('x', 2)"))).code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect((await databaseErrorOf(db.run("INSERT INTO u VALUES ('y', NULL)"))).code).toBe("SQLITE_CONSTRAINT_NOTNULL");
    expect((await databaseErrorOf(db.prepare("SELECT nope FROM u"))).message).toMatch(/no such column: nope/);
  });

  it("runs its concurrent transactions as BEGIN CONCURRENT: disjoint writers overlap and both commit, same-row writers conflict", async () => {
    const db = connection("concurrent");
    await db.exec("CREATE TABLE c (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO c VALUES (1, 0), (2, 0)");
    // Both transactions are inside BEGIN CONCURRENT at once: neither waits for a lock.
    let inside = 0;
    let bothInside!: () => void;
    const overlap = new Promise<void>((resolve) => (bothInside = resolve));
    const bump = db.transactionAsync(async (tx: Transaction, id: number) => {
      await tx.run("UPDATE c SET v = v + 1 WHERE id = ?", [id]);
      if (++inside === 2) bothInside();
      await overlap;
    });
    await Promise.all([bump.concurrent(1), bump.concurrent(2)]);
    expect(await db.all("SELECT id, v FROM c ORDER BY id")).toEqual([
      { id: 1, v: 1 },
      { id: 2, v: 1 },
    ]);

    // Two transactions on one row: the first to commit wins, the other gets SQLITE_BUSY_SNAPSHOT and leaves no trace.
    let written = 0;
    let bothWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (bothWrote = resolve));
    const setTo = db.transactionAsync(async (tx: Transaction, value: number) => {
      await tx.run("UPDATE c SET v = ? WHERE id = 1", [value]);
      if (++written === 2) bothWrote();
      await wrote;
    });
    const outcomes = await Promise.allSettled([setTo.concurrent(10), setTo.concurrent(20)]);
    const failed = outcomes.filter((o) => o.status === "rejected");
    expect(failed).toHaveLength(1);
    const error = (failed[0] as PromiseRejectedResult).reason as DatabaseError;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.code).toBe("SQLITE_BUSY_SNAPSHOT");
    expect(error.message).toContain("conflict");
    const winner = outcomes[0].status === "fulfilled" ? 10 : 20;
    expect(await db.all("SELECT v FROM c WHERE id = 1")).toEqual([{ v: winner }]);

    // A batch in "concurrent" mode commits as one transaction.
    await db.batch(["INSERT INTO c VALUES (3, 3)", "UPDATE c SET v = v + 1 WHERE id = 2"], "concurrent");
    expect(await db.all("SELECT id, v FROM c WHERE id >= 2 ORDER BY id")).toEqual([
      { id: 2, v: 2 },
      { id: 3, v: 3 },
    ]);
  });

  it("serializes two writers on separate streams: the second waits for the first to commit", async () => {
    const db = connection("writers");
    await db.exec("CREATE TABLE w (who TEXT)");
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstInserted!: () => void;
    const firstHasInserted = new Promise<void>((resolve) => (firstInserted = resolve));
    const first = db.transactionAsync(async (tx: Transaction) => {
      await tx.run("INSERT INTO w VALUES ('first')");
      firstInserted();
      await firstMayCommit;
    });
    const second = db.transactionAsync(async (tx: Transaction) => {
      await tx.run("INSERT INTO w VALUES ('second')");
    });
    const firstDone = first.immediate();
    await firstHasInserted;
    const secondStarted = Date.now();
    const secondDone = second.immediate();
    await sleep(300);
    releaseFirst();
    await Promise.all([firstDone, secondDone]);
    expect(Date.now() - secondStarted).toBeGreaterThanOrEqual(300);
    expect(await db.all("SELECT who FROM w ORDER BY rowid")).toEqual([{ who: "first" }, { who: "second" }]);
  });

  it("expires an idle transaction: rolled back, write lock released, later use refused", async () => {
    const db = connection("expiry");
    await db.exec("CREATE TABLE e (v TEXT)");
    await db.exec("BEGIN IMMEDIATE");
    await db.run("INSERT INTO e VALUES ('lost')");
    await sleep(IDLE_MS + 1500);
    // The service answers 400 with code STREAM_EXPIRED; this driver keeps only the message of HTTP-level errors.
    const late = await databaseErrorOf(db.all("SELECT 1"));
    expect(late.message).toMatch(/stream has expired/);
    expect(await db.all("SELECT 1 AS fresh")).toEqual([{ fresh: 1 }]);
    const other = connection("expiry");
    await other.run("INSERT INTO e VALUES ('kept')");
    expect(await other.all("SELECT v FROM e")).toEqual([{ v: "kept" }]);
  });
});

describe("@tursodatabase/serverless/compat (the libSQL client shape)", () => {
  it("executes, batches atomically per mode, runs transactions and migrate, and reports codes", async () => {
    const db = createClient({ url: worker.databaseUrl("compat") });
    compatClients.push(db);
    await db.executeMultiple("CREATE TABLE k (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB);");
    const inserted = await db.execute("INSERT INTO k (name, score, data) VALUES (?, ?, ?)", ["a", 0.5, new Uint8Array([7, 8])]);
    expect([inserted.rowsAffected, Number(inserted.lastInsertRowid)]).toEqual([1, 1]);
    const rs = await db.execute({ sql: "SELECT id, name, score, data FROM k WHERE name = :name", args: { name: "a" } });
    expect(rs.columns).toEqual(["id", "name", "score", "data"]);
    expect(rs.columnTypes).toEqual(["INTEGER", "TEXT", "REAL", "BLOB"]);
    expect([rs.rows[0].id, rs.rows[0].name, rs.rows[0].score]).toEqual([1, "a", 0.5]);
    expect(new Uint8Array(rs.rows[0].data as ArrayBuffer)).toEqual(new Uint8Array([7, 8]));

    const failed = await rejectionOf(db.batch(["INSERT INTO k (name) VALUES ('b')", "INSERT INTO k (name) VALUES ('a')"], "write"));
    expect(failed).toBeInstanceOf(LibsqlError);
    // This layer splits the service's extended code into a primary code and extendedCode.
    expect([(failed as LibsqlError).code, (failed as LibsqlError).extendedCode]).toEqual(["SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT_UNIQUE"]);
    await db.migrate(["INSERT INTO k (name) VALUES ('m')"]);

    const committed = await db.transaction("write");
    await committed.execute("INSERT INTO k (name) VALUES ('t')");
    await committed.commit();
    const rolledBack = await db.transaction("write");
    await rolledBack.execute("DELETE FROM k");
    await rolledBack.rollback();
    expect((await db.execute("SELECT name FROM k ORDER BY id")).rows.map((r) => r.name)).toEqual(["a", "m", "t"]);
  });
});

describe("@tursodatabase/serverless with auth on", () => {
  let securedWorker: RunningWorker;
  let privateKey: CryptoKey;
  const token = (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: "EdDSA" }).sign(privateKey);
  const securedConnections: Connection[] = [];
  const securedConnection = (authToken?: string) => {
    const conn = connect({ url: securedWorker.databaseUrl("secured"), authToken });
    securedConnections.push(conn);
    return conn;
  };

  beforeAll(async () => {
    const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    privateKey = pair.privateKey;
    securedWorker = await startWorker({ JWT_PUBLIC_KEY: (await exportJWK(pair.publicKey)).x as string });
  });

  afterAll(async () => {
    for (const conn of securedConnections) await conn.close();
    await securedWorker?.dispose();
  });

  it("sends its authToken as a bearer token: read-write writes, read-only only reads, none is refused", async () => {
    const rw = securedConnection(await token({ a: "rw", id: "secured" }));
    await rw.exec("CREATE TABLE t (v)");
    await rw.run("INSERT INTO t VALUES (1)");
    const ro = securedConnection(await token({ a: "ro", id: "secured" }));
    expect(await ro.all("SELECT v FROM t")).toEqual([{ v: 1 }]);
    expect((await databaseErrorOf(ro.run("INSERT INTO t VALUES (2)"))).code).toBe("SQLITE_READONLY");
    expect((await databaseErrorOf(securedConnection().all("SELECT 1"))).message).toMatch(/authentication required/);
    const otherDatabase = securedConnection(await token({ a: "rw", id: "elsewhere" }));
    await databaseErrorOf(otherDatabase.all("SELECT 1"));
    expect(await rw.all("SELECT count(*) AS n FROM t")).toEqual([{ n: 1 }]);
  });
});
