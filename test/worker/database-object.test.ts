// The database Durable Object: durability across restarts, idle stream expiry
// by alarm, eviction, limits, and the JSON query API.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DatabaseObject } from "../../src/durable-object/database-object.js";
import { DEFAULT_LIMITS } from "../../src/durable-object/limits.js";
import { execute, expectJsonError, pipeline, post, resultOf, run } from "./hrana-helpers.js";

const stubFor = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

describe("durability", () => {
  it("keeps committed data across a restart of the Durable Object, and loses the uncommitted", async () => {
    await run("durable", "CREATE TABLE d (v TEXT)", "INSERT INTO d VALUES ('committed')");
    const open = await pipeline("durable", [execute("BEGIN"), execute("INSERT INTO d VALUES ('uncommitted')")]);
    await evictDurableObject(stubFor("durable"));
    const [rows] = await run("durable", "SELECT v FROM d");
    expect(rows.rows).toEqual([[{ type: "text", value: "committed" }]]);
    await expectJsonError(await post("/db/durable/v2/pipeline", { baton: open.baton, requests: [execute("COMMIT")] }), 400, "STREAM_EXPIRED");
  });
});

describe("stream expiry", () => {
  it("expires an idle transaction by alarm: rolled back, lock released, baton refused", async () => {
    await run("expiry", "CREATE TABLE e (v)");
    const open = await pipeline("expiry", [execute("BEGIN IMMEDIATE"), execute("INSERT INTO e VALUES (1)")]);
    const stub = stubFor("expiry");
    // The alarm is set for the stream's expiry; run the expiry as if that time had come.
    await runInDurableObject(stub, (instance: DatabaseObject) => instance.expireIdleStreams(Date.now() + DEFAULT_LIMITS.streamIdleMs + 1));
    await expectJsonError(await post("/db/expiry/v2/pipeline", { baton: open.baton, requests: [execute("COMMIT")] }), 400, "STREAM_EXPIRED");
    const [, count] = await run("expiry", "INSERT INTO e VALUES (2)", "SELECT count(*) FROM e");
    expect(count.rows[0][0]).toEqual({ type: "integer", value: "1" });
  });

  it("schedules an alarm while streams are open, which leaves live streams alone", async () => {
    const open = await pipeline("alarm", [execute("SELECT 1")]);
    expect(await runDurableObjectAlarm(stubFor("alarm"))).toBe(true);
    const again = await pipeline("alarm", [execute("SELECT 2"), { type: "close" }], open.baton);
    expect(resultOf(again, 0).rows[0][0]).toEqual({ type: "integer", value: "2" });
  });
});

describe("limits", () => {
  it("refuses an oversize body with 413", async () => {
    const big = "x".repeat(DEFAULT_LIMITS.maxBodyBytes + 1);
    await expectJsonError(await post("/db/limits/v2/pipeline", big), 413, "BODY_TOO_LARGE");
  });

  it("refuses over-long SQL and too many parameters in the statement", async () => {
    const long = `SELECT '${"y".repeat(DEFAULT_LIMITS.maxSqlLength)}'`;
    const body = await pipeline("limits", [execute(long), execute(`SELECT ${Array(DEFAULT_LIMITS.maxParameters + 1).fill("?").join(",")}`), { type: "close" }]);
    expect(body.results[0]).toMatchObject({ type: "error", error: { code: "SQLITE_TOOBIG" } });
    expect(body.results[1]).toMatchObject({ type: "error", error: { code: "SQLITE_ERROR", message: expect.stringMatching(/too many SQL variables/) } });
  });

  it("refuses a response over the size limit, suggesting LIMIT or a cursor", async () => {
    const rows = Math.ceil(DEFAULT_LIMITS.maxResponseBytes / 100_000) + 1;
    const body = await pipeline("limits", [execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i, zeroblob(75000) FROM n`), { type: "close" }]);
    expect(body.results[0]).toMatchObject({ type: "error", error: { code: "RESPONSE_TOO_LARGE" } });
  });
});

describe("JSON query API", () => {
  it("runs one statement with positional or named params", async () => {
    let res = await post("/db/json-api/query", { sql: "CREATE TABLE j (id INTEGER PRIMARY KEY, name TEXT, data BLOB, score REAL)" });
    expect(res.status).toBe(200);
    res = await post("/db/json-api/query", { sql: "INSERT INTO j (name, data, score) VALUES (?, ?, ?)", params: ["ann", { base64: "AQID" }, 1.5] });
    expect(await res.json()).toMatchObject({ changes: 1, lastInsertRowid: 1 });
    res = await post("/db/json-api/query", { sql: "SELECT id, name, data, score, 9007199254740993 AS big FROM j WHERE name = :name", params: { name: "ann" } });
    expect(await res.json()).toMatchObject({
      columns: ["id", "name", "data", "score", "big"],
      decltypes: ["INTEGER", "TEXT", "BLOB", "REAL", null],
      rows: [[1, "ann", { base64: "AQID" }, 1.5, "9007199254740993"]],
    });
  });

  it("runs a batch in one transaction, all or nothing", async () => {
    await post("/db/json-batch/query", { sql: "CREATE TABLE b (k TEXT PRIMARY KEY)" });
    const ok = await post("/db/json-batch/query", { statements: ["INSERT INTO b VALUES ('a')", { sql: "INSERT INTO b VALUES (?)", params: ["b"] }] });
    expect(((await ok.json()) as { results: unknown[] }).results).toHaveLength(2);
    const failed = await post("/db/json-batch/query", { statements: ["INSERT INTO b VALUES ('c')", "INSERT INTO b VALUES ('a')"] });
    await expectJsonError(failed, 400, "SQLITE_CONSTRAINT_PRIMARYKEY");
    const rows = (await (await post("/db/json-batch/query", { sql: "SELECT k FROM b ORDER BY k" })).json()) as { rows: unknown[][] };
    expect(rows.rows).toEqual([["a"], ["b"]]);
  });

  it("answers malformed input with a JSON 400", async () => {
    await expectJsonError(await post("/db/json-bad/query", "{nope"), 400, "PROTOCOL_ERROR");
    await expectJsonError(await post("/db/json-bad/query", { sql: 42 }), 400, "PROTOCOL_ERROR");
    await expectJsonError(await post("/db/json-bad/query", { sql: "SELECT ?", params: [[1]] }), 400, "PROTOCOL_ERROR");
  });
});
