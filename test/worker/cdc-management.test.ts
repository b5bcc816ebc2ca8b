// Change data capture through the /v1 management API inside workerd: turning
// capture on and off, retention settings, the retained range and subscriber
// count, validation, and subscribers closed when capture goes off.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/durable-object/cdc/close-codes.js";
import { app } from "../../src/router/app.js";
import type { Env } from "../../src/router/env.js";
import { subscribe } from "./cdc-helpers.js";
import { expectJsonError, HOST, run } from "./hrana-helpers.js";

const ADMIN = "admin-token-for-cdc-tests";

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`${HOST}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return app.fetch(request, { ...(env as unknown as Env), ADMIN_TOKEN: ADMIN });
}

async function settings(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Record<string, unknown>;
}

describe("management of change data capture", () => {
  it("turns capture on and off and sets retention", async () => {
    expect((await call("POST", "/v1/databases", { name: "cdc-admin" })).status).toBe(201);
    expect(await settings(await call("GET", "/v1/databases/cdc-admin/cdc"))).toEqual({
      mode: "off",
      table: null,
      retention: { maxChanges: null, maxAgeSeconds: null },
      oldestChangeId: 0,
      latestChangeId: 0,
      subscribers: 0,
    });
    expect(await settings(await call("PUT", "/v1/databases/cdc-admin/cdc", { mode: "full", retention: { maxChanges: 1000, maxAgeSeconds: 3600 } }))).toMatchObject({
      mode: "full",
      table: "turso_cdc",
      retention: { maxChanges: 1000, maxAgeSeconds: 3600 },
    });
    await run("cdc-admin", "CREATE TABLE t (v)", "INSERT INTO t VALUES (1)");
    const on = await settings(await call("GET", "/v1/databases/cdc-admin/cdc"));
    expect(on.oldestChangeId).toBe(1);
    expect(on.latestChangeId).toBeGreaterThan(1);
    const [captured] = await run("cdc-admin", "SELECT count(*) FROM turso_cdc WHERE table_name = 't'");
    expect(captured.rows[0][0]).toEqual({ type: "integer", value: "1" });

    const feed = await subscribe("cdc-admin", "since=");
    await feed.next();
    expect((await settings(await call("GET", "/v1/databases/cdc-admin/cdc"))).subscribers).toBe(1);
    expect(await settings(await call("PUT", "/v1/databases/cdc-admin/cdc", { mode: "off" }))).toMatchObject({ mode: "off", table: null });
    expect((await feed.closed).code).toBe(CloseCode.CAPTURE_OFF);
    await run("cdc-admin", "INSERT INTO t VALUES (2)");
    const [after] = await run("cdc-admin", "SELECT count(*) FROM turso_cdc WHERE table_name = 't'");
    expect(after.rows[0][0]).toEqual({ type: "integer", value: "1" });
  });

  it("captures into a named table", async () => {
    expect((await call("POST", "/v1/databases", { name: "cdc-named" })).status).toBe(201);
    expect(await settings(await call("PUT", "/v1/databases/cdc-named/cdc", { mode: "after", table: "my_changes" }))).toMatchObject({ mode: "after", table: "my_changes" });
    await run("cdc-named", "CREATE TABLE t (v)", "INSERT INTO t VALUES ('x')");
    const [rows] = await run("cdc-named", "SELECT count(*) FROM my_changes WHERE table_name = 't'");
    expect(rows.rows[0][0]).toEqual({ type: "integer", value: "1" });
  });

  it("refuses invalid settings with 400 and unknown databases with 404", async () => {
    expect((await call("POST", "/v1/databases", { name: "cdc-invalid" })).status).toBe(201);
    for (const body of [{ mode: "most" }, { retention: { maxChanges: -1 } }, { table: "x" }, { mode: "full", table: "bad name" }, {}, { colour: "red" }, [1]]) {
      await expectJsonError(await call("PUT", "/v1/databases/cdc-invalid/cdc", body), 400, "INVALID_CDC_SETTINGS");
    }
    await expectJsonError(await call("GET", "/v1/databases/cdc-nowhere/cdc"), 404, "DATABASE_NOT_FOUND");
  });
});
