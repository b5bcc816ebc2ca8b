import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("health", () => {
  it("answers from the router", async () => {
    const res = await exports.default.fetch("http://tessera.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", service: "tessera" });
  });

  it("answers from the database's Durable Object", async () => {
    const res = await exports.default.fetch("http://tessera.test/db/demo/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: string; objectId: string };
    expect(body.status).toBe("ok");
    expect(body.database).toBe("demo");
    expect(body.objectId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects an invalid database name with a JSON 400", async () => {
    const res = await exports.default.fetch("http://tessera.test/db/Bad_Name!/health");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { code: string }).code).toBe("INVALID_DATABASE_NAME");
  });
});
