// Hrana over HTTP at the wire level: value encoding, every request kind,
// batch conditions, batons, the v3 cursor, probes, routing rules and CORS.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { execute, expectJsonError, HOST, pipeline, post, resultOf, run } from "./hrana-helpers.js";

describe("Hrana values", () => {
  it("encodes integers as strings, keeps 1.0 a float, emits unpadded base64", async () => {
    const [r] = await run("values-out", "SELECT 1, 1.0, 1.5, 'x', x'00ff01', NULL, 9223372036854775807, -9223372036854775808");
    expect(r.rows[0]).toEqual([
      { type: "integer", value: "1" },
      { type: "float", value: 1 },
      { type: "float", value: 1.5 },
      { type: "text", value: "x" },
      { type: "blob", base64: "AP8B" },
      { type: "null" },
      { type: "integer", value: "9223372036854775807" },
      { type: "integer", value: "-9223372036854775808" },
    ]);
    const [blob] = await run("values-out", "SELECT x'0001'");
    expect(blob.rows[0][0]).toEqual({ type: "blob", base64: "AAE" });
  });

  it("decodes arguments: integer strings, floats, text, padded and unpadded base64, null, named", async () => {
    const body = await pipeline("values-in", [
      execute("SELECT ?, typeof(?), ?, ?, ?, ?", [
        { type: "integer", value: "-9223372036854775808" },
        { type: "float", value: 2.5 },
        { type: "float", value: 2.5 },
        { type: "text", value: "t" },
        { type: "blob", base64: "AAE=" },
        { type: "blob", base64: "AAE" },
      ]),
      execute("SELECT :a || @b", [], { named_args: [{ name: ":a", value: { type: "text", value: "x" } }, { name: "b", value: { type: "text", value: "y" } }] }),
      execute("SELECT :constructor", [], { named_args: [{ name: "other", value: { type: "null" } }] }),
      { type: "close" },
    ]);
    expect(resultOf(body, 0).rows[0]).toEqual([
      { type: "integer", value: "-9223372036854775808" },
      { type: "text", value: "real" },
      { type: "float", value: 2.5 },
      { type: "text", value: "t" },
      { type: "blob", base64: "AAE" },
      { type: "blob", base64: "AAE" },
    ]);
    expect(resultOf(body, 1).rows[0]).toEqual([{ type: "text", value: "xy" }]);
    expect(body.results[2]).toMatchObject({ type: "error", error: { code: "SQLITE_RANGE", message: expect.stringMatching(/constructor/) } });
  });

  it("binds an integral float as REAL and refuses integers beyond 64 bits with a clear message", async () => {
    const body = await pipeline("values-edge", [
      execute("SELECT typeof(?), ?", [
        { type: "float", value: 2 },
        { type: "float", value: 2 },
      ]),
    ]);
    expect(resultOf(body, 0).rows[0]).toEqual([
      { type: "text", value: "real" },
      { type: "float", value: 2 },
    ]);
    const res = await post("/db/values-edge/v2/pipeline", {
      baton: null,
      requests: [execute("SELECT ?", [{ type: "integer", value: "12345678901234567890" }])],
    });
    const error = await expectJsonError(res, 400, "PROTOCOL_ERROR");
    expect(error.message).toMatch(/64 bits/);
  });

  it("reports affected rows, last insert rowid and declared types", async () => {
    const [, insert, update, select, returning] = await run(
      "counts",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(10), score DECIMAL)",
      "INSERT INTO t (name) VALUES ('a'), ('b'), ('c')",
      "UPDATE t SET score = 1 WHERE id > 1",
      "SELECT id, name, score, score * 2 AS doubled FROM t",
      "INSERT INTO t (name) VALUES ('d') RETURNING id",
    );
    expect(insert).toMatchObject({ affected_row_count: 3, last_insert_rowid: "3" });
    expect(update).toMatchObject({ affected_row_count: 2, last_insert_rowid: null });
    expect(select.cols).toEqual([
      { name: "id", decltype: "INTEGER" },
      { name: "name", decltype: "VARCHAR(10)" },
      { name: "score", decltype: "DECIMAL" },
      { name: "doubled", decltype: null },
    ]);
    expect(select.affected_row_count).toBe(0);
    expect(returning).toMatchObject({ affected_row_count: 1, last_insert_rowid: "4", rows: [[{ type: "integer", value: "4" }]] });
  });
});

describe("Hrana requests", () => {
  it("stores SQL by id, describes, sequences and reports autocommit", async () => {
    const body = await pipeline("requests", [
      { type: "sequence", sql: "CREATE TABLE s (a INTEGER, b TEXT); INSERT INTO s VALUES (1, 'one'); INSERT INTO s VALUES (2, 'two');" },
      { type: "store_sql", sql_id: 7, sql: "SELECT b FROM s WHERE a = ?" },
      { type: "execute", stmt: { sql_id: 7, args: [{ type: "integer", value: "2" }] } },
      { type: "describe", sql_id: 7 },
      { type: "describe", sql: "EXPLAIN QUERY PLAN SELECT :x, ?5, @y" },
      { type: "close_sql", sql_id: 7 },
      { type: "execute", stmt: { sql_id: 7 } },
      { type: "get_autocommit" },
      execute("BEGIN"),
      { type: "get_autocommit" },
      { type: "close" },
      { type: "get_autocommit" },
    ]);
    expect(body.results[0]).toEqual({ type: "ok", response: { type: "sequence" } });
    expect(resultOf(body, 2).rows).toEqual([[{ type: "text", value: "two" }]]);
    expect(body.results[3].response?.result).toEqual({ params: [{ name: null }], cols: [{ name: "b", decltype: "TEXT" }], is_explain: false, is_readonly: true });
    expect(body.results[4].response?.result).toMatchObject({ is_explain: true, is_readonly: true });
    const params = (body.results[4].response?.result as { params: { name: string | null }[] }).params;
    expect(params.slice(0, 1)).toEqual([{ name: ":x" }]);
    expect(params.slice(4)).toEqual([{ name: "?5" }, { name: "@y" }]);
    expect(body.results[6]).toMatchObject({ type: "error", error: { code: "SQL_ID_UNKNOWN" } });
    expect(body.results[7].response).toEqual({ type: "get_autocommit", is_autocommit: true });
    expect(body.results[9].response).toEqual({ type: "get_autocommit", is_autocommit: false });
    expect(body.results[10]).toEqual({ type: "ok", response: { type: "close" } });
    expect(body.results[11]).toMatchObject({ type: "error", error: { code: "STREAM_CLOSED" } });
    expect(body.baton).toBeNull();
  });

  it("evaluates batch conditions and reports a failing step in the step", async () => {
    await run("conds", "CREATE TABLE c (k TEXT PRIMARY KEY)");
    const stmt = (sql: string) => ({ sql });
    const body = await pipeline("conds", [
      {
        type: "batch",
        batch: {
          steps: [
            { stmt: stmt("INSERT INTO c VALUES ('a')") },
            { stmt: stmt("INSERT INTO c VALUES ('a')") },
            { condition: { type: "ok", step: 0 }, stmt: stmt("SELECT 'ran ok0'") },
            { condition: { type: "ok", step: 1 }, stmt: stmt("SELECT 'ran ok1'") },
            { condition: { type: "error", step: 1 }, stmt: stmt("SELECT 'ran error1'") },
            { condition: { type: "not", cond: { type: "ok", step: 1 } }, stmt: stmt("SELECT 'ran not ok1'") },
            { condition: { type: "and", conds: [{ type: "ok", step: 0 }, { type: "ok", step: 1 }] }, stmt: stmt("SELECT 'ran and'") },
            { condition: { type: "or", conds: [{ type: "ok", step: 0 }, { type: "ok", step: 1 }] }, stmt: stmt("SELECT 'ran or'") },
            { condition: { type: "is_autocommit" }, stmt: stmt("SELECT 'ran autocommit'") },
          ],
        },
      },
      { type: "close" },
    ]);
    const result = body.results[0].response?.result as { step_results: (unknown | null)[]; step_errors: ({ code: string } | null)[] };
    const ran = result.step_results.map((r) => r !== null);
    expect(ran).toEqual([true, false, true, false, true, true, false, true, true]);
    expect(result.step_errors[1]?.code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(result.step_errors.filter((e) => e !== null)).toHaveLength(1);
  });

  it("keeps a transaction across requests by baton, and close rolls it back", async () => {
    await run("baton", "CREATE TABLE b (v)");
    const first = await pipeline("baton", [execute("BEGIN"), execute("INSERT INTO b VALUES (1)")]);
    expect(first.baton).toEqual(expect.any(String));
    const second = await pipeline("baton", [execute("SELECT count(*) FROM b")], first.baton);
    expect(resultOf(second, 0).rows[0][0]).toEqual({ type: "integer", value: "1" });
    const [outside] = await run("baton", "SELECT count(*) FROM b");
    expect(outside.rows[0][0]).toEqual({ type: "integer", value: "0" });
    await pipeline("baton", [{ type: "close" }], second.baton);
    const [after] = await run("baton", "SELECT count(*) FROM b");
    expect(after.rows[0][0]).toEqual({ type: "integer", value: "0" });
  });

  it("refuses a used baton, a forged one and a stream that is gone", async () => {
    const first = await pipeline("batons", [execute("SELECT 1")]);
    await pipeline("batons", [execute("SELECT 2")], first.baton);
    await expectJsonError(await post("/db/batons/v2/pipeline", { baton: first.baton, requests: [] }), 400, "BATON_REUSED");
    const forged = `${first.baton!.slice(0, -4)}AAAA`;
    await expectJsonError(await post("/db/batons/v2/pipeline", { baton: forged, requests: [] }), 400, "BATON_INVALID");
    await expectJsonError(await post("/db/batons/v2/pipeline", { baton: "nonsense", requests: [] }), 400, "BATON_INVALID");
  });

  it("streams a v3 cursor as newline-terminated JSON lines", async () => {
    await run("cursor", "CREATE TABLE k (v)", "INSERT INTO k VALUES (1), (2)");
    const res = await post("/db/cursor/v3/cursor", {
      baton: null,
      batch: { steps: [{ stmt: { sql: "SELECT v FROM k ORDER BY v" } }, { stmt: { sql: "SELECT nope" } }, { condition: { type: "ok", step: 1 }, stmt: { sql: "SELECT 1" } }] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const text = new TextDecoder().decode(await res.arrayBuffer());
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ baton: expect.any(String), base_url: null });
    expect(lines.slice(1)).toEqual([
      { type: "step_begin", step: 0, cols: [{ name: "v", decltype: null }] },
      { type: "row", row: [{ type: "integer", value: "1" }] },
      { type: "row", row: [{ type: "integer", value: "2" }] },
      { type: "step_end", affected_row_count: 0, last_insert_rowid: null },
      { type: "step_error", step: 1, error: { message: expect.stringMatching(/no such column/), code: "SQLITE_ERROR" } },
    ]);
    const next = await pipeline("cursor", [{ type: "get_autocommit" }, { type: "close" }], lines[0].baton, "v3");
    expect(next.results[0].response).toEqual({ type: "get_autocommit", is_autocommit: true });
  });
});

describe("routing", () => {
  it("answers version probes for the versions and encodings served, and not others", async () => {
    for (const version of ["v1", "v2", "v3", "v3-protobuf"]) expect((await exports.default.fetch(`${HOST}/db/probe/${version}`)).status).toBe(200);
    expect((await exports.default.fetch(`${HOST}/db/probe/v4`)).status).toBe(404);
    const version = (await (await exports.default.fetch(`${HOST}/version`)).json()) as { service: string };
    expect(version.service).toBe("tessera");
  });

  it("explains the trailing slash", async () => {
    const bare = await expectJsonError(await post("/db/noslash", { requests: [] }), 400, "TRAILING_SLASH_REQUIRED");
    expect(bare.message).toMatch(/slash/);
    await expectJsonError(await post("/db/v2/pipeline", { requests: [] }), 400, "TRAILING_SLASH_REQUIRED");
    await expectJsonError(await post("/db/v3/cursor", { batch: { steps: [] } }), 400, "TRAILING_SLASH_REQUIRED");
  });

  it("addresses a database by subdomain", async () => {
    await run("subdomain", "CREATE TABLE s (v)", "INSERT INTO s VALUES ('via path')");
    const res = await exports.default.fetch("http://subdomain.localhost/v2/pipeline", {
      method: "POST",
      body: JSON.stringify({ requests: [execute("SELECT v FROM s"), { type: "close" }] }),
    });
    const body = (await res.json()) as { results: { response: { result: { rows: unknown[][] } } }[] };
    expect(body.results[0].response.result.rows).toEqual([[{ type: "text", value: "via path" }]]);
  });

  it("answers CORS preflights", async () => {
    const res = await exports.default.fetch(`${HOST}/db/cors/v2/pipeline`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/authorization/);
  });

  it("gives unknown paths a JSON 404", async () => {
    await expectJsonError(await exports.default.fetch(`${HOST}/nowhere`), 404, "NOT_FOUND");
    await expectJsonError(await post("/db/known/unknown-endpoint", {}), 404, "NOT_FOUND");
    await expectJsonError(await post("/db/known/constructor", {}), 404, "NOT_FOUND");
    await expectJsonError(await post("/db/known/__proto__", {}), 404, "NOT_FOUND");
  });
});

describe("legacy Hrana 1 over HTTP and WebSocket upgrade", () => {
  it("serves v1/execute and v1/batch", async () => {
    const exec = await post("/db/legacy/v1/execute", { stmt: { sql: "SELECT ? + 1", args: [{ type: "integer", value: "41" }] } });
    expect(((await exec.json()) as { result: { rows: unknown[][] } }).result.rows).toEqual([[{ type: "integer", value: "42" }]]);
    const batch = await post("/db/legacy/v1/batch", { batch: { steps: [{ stmt: { sql: "SELECT 1" } }, { stmt: { sql: "SELECT x" } }] } });
    const result = ((await batch.json()) as { result: { step_results: unknown[]; step_errors: ({ code: string } | null)[] } }).result;
    expect(result.step_results[0]).not.toBeNull();
    expect(result.step_errors[1]?.code).toBe("SQLITE_ERROR");
    await expectJsonError(await post("/db/legacy/v1/execute", { stmt: { sql: "SELECT * FROM missing" } }), 400, "SQLITE_ERROR");
  });

  it("answers a WebSocket upgrade with 101 naming the client's first served subprotocol", async () => {
    const protobuf = await exports.default.fetch(`${HOST}/db/socket/`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "hrana3-protobuf, hrana3, hrana2" } });
    expect(protobuf.status).toBe(101);
    expect(protobuf.headers.get("sec-websocket-protocol")).toBe("hrana3-protobuf");
    protobuf.webSocket!.accept();
    protobuf.webSocket!.close();
    const res = await exports.default.fetch(`${HOST}/db/socket/`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "hrana3, hrana2" } });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("hrana3");
    const socket = res.webSocket!;
    socket.accept();
    const messages: unknown[] = [];
    const done = new Promise<void>((resolve) => socket.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)) === 2 && resolve()));
    socket.send(JSON.stringify({ type: "hello", jwt: null }));
    socket.send(JSON.stringify({ type: "request", request_id: 1, request: { type: "open_stream", stream_id: 0 } }));
    await done;
    expect(messages).toEqual([{ type: "hello_ok" }, { type: "response_ok", request_id: 1, response: { type: "open_stream" } }]);
    socket.close();
    const refused = await exports.default.fetch(`${HOST}/db/socket/`, { headers: { upgrade: "websocket", "sec-websocket-protocol": "hrana9" } });
    await expectJsonError(refused, 400, "UNSUPPORTED_SUBPROTOCOL");
  });
});
