// Malformed-input fuzzing of POST v2/pipeline, v3/cursor and their protobuf
// twins: seeded mutations
// of valid request bodies (wrong types, missing or unknown fields, truncated
// text, garbage) must each get a 200 with per-request errors or a JSON 4xx,
// never a 500 or a hang.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { post } from "./hrana-helpers.js";
import { seededRandom as prng } from "../helpers/random.js";

const VALID: unknown[] = [
  { requests: [{ type: "execute", stmt: { sql: "SELECT ?", args: [{ type: "integer", value: "1" }] } }, { type: "close" }] },
  { requests: [{ type: "batch", batch: { steps: [{ stmt: { sql: "SELECT 1" } }, { condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 2" } }] } }, { type: "close" }] },
  { requests: [{ type: "store_sql", sql_id: 1, sql: "SELECT 1" }, { type: "execute", stmt: { sql_id: 1 } }, { type: "describe", sql_id: 1 }, { type: "close" }] },
  { requests: [{ type: "sequence", sql: "SELECT 1; SELECT 2" }, { type: "get_autocommit" }, { type: "close" }] },
];

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, "", "x", "\u0000", [], {}, [null], { type: "null" }, { type: "blob", base64: "!!" }, { type: "integer", value: "99999999999999999999" }, true, "SELECT", 2 ** 53 + 1];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  if (depth > 6 || random() < 0.15) return pick(ODD_VALUES);
  if (Array.isArray(value)) {
    const out = value.map((v) => (random() < 0.3 ? mutate(v, random, depth + 1) : v));
    if (random() < 0.2) out.push(pick(ODD_VALUES));
    if (random() < 0.2) out.splice(Math.floor(random() * out.length), 1);
    return out;
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(out);
    if (keys.length > 0 && random() < 0.3) delete out[pick(keys)];
    if (keys.length > 0 && random() < 0.5) out[pick(keys)] = mutate(out[pick(keys)], random, depth + 1);
    if (random() < 0.15) out[pick(["type", "stmt", "sql", "args", "baton", "cond", "step", "extra"])] = pick(ODD_VALUES);
    return out;
  }
  return pick(ODD_VALUES);
}

async function expectHandled(path: string, body: string): Promise<void> {
  const res = await post(path, body);
  const text = new TextDecoder().decode(await res.arrayBuffer());
  expect(res.status, `${body} -> ${text}`).toBeLessThan(500);
  if (res.status !== 200) {
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(text)).toMatchObject({ message: expect.any(String), code: expect.any(String) });
  }
}

describe("pipeline fuzzing", () => {
  it("answers 300 mutated pipeline bodies with 200 or a JSON 4xx", async () => {
    const random = prng(0x7e55e4a);
    for (let i = 0; i < 300; i++) {
      const body = JSON.stringify(mutate(VALID[i % VALID.length], random));
      await expectHandled(`/db/fuzz/${i % 2 === 0 ? "v2" : "v3"}/pipeline`, body);
    }
  });

  it("answers truncated, non-JSON and deeply nested bodies with a JSON 4xx", async () => {
    const random = prng(42);
    const text = JSON.stringify(VALID[1]);
    for (let i = 0; i < 50; i++) await expectHandled("/db/fuzz/v2/pipeline", text.slice(0, Math.floor(random() * text.length)));
    for (const body of ["", "null", "[]", "\u0000\u00ff", "{\"requests\": {}}", "[".repeat(100_000), JSON.stringify({ requests: [{ type: "batch", batch: { steps: [{ condition: JSON.parse(`${'{"type":"not","cond":'.repeat(500)}{"type":"is_autocommit"}${"}".repeat(500)}`), stmt: { sql: "SELECT 1" } }] } }] })]) {
      await expectHandled("/db/fuzz/v2/pipeline", body);
      await expectHandled("/db/fuzz/v3/cursor", body);
    }
  });

  it("answers random and truncated protobuf bodies with 200 or a JSON 4xx", async () => {
    const random = prng(99);
    // A valid PipelineReqBody: requests { execute { stmt { sql: "SELECT 1", want_rows: true } } }.
    const sql = new TextEncoder().encode("SELECT 1");
    const stmt = [0x0a, sql.length, ...sql, 0x28, 0x01];
    const valid = [0x12, stmt.length + 4, 0x12, stmt.length + 2, 0x0a, stmt.length, ...stmt];
    for (let i = 0; i < 150; i++) {
      const bytes = i % 3 === 0 ? valid.slice(0, Math.floor(random() * valid.length)) : valid.map((b) => (random() < 0.1 ? Math.floor(random() * 256) : b));
      if (i % 5 === 0) bytes.push(...Array.from({ length: 20 }, () => Math.floor(random() * 256)));
      for (const endpoint of ["v3-protobuf/pipeline", "v3-protobuf/cursor"]) {
        const res = await exports.default.fetch(`http://tessera.test/db/fuzz/${endpoint}`, { method: "POST", body: new Uint8Array(bytes) });
        expect(res.status, `${endpoint} ${bytes.join(",")}`).toBeLessThan(500);
        await res.arrayBuffer();
      }
    }
  });

  it("answers mutated cursor bodies with 200 or a JSON 4xx", async () => {
    const random = prng(7);
    const cursor = { batch: (VALID[1] as { requests: { batch: unknown }[] }).requests[0].batch };
    for (let i = 0; i < 100; i++) await expectHandled("/db/fuzz/v3/cursor", JSON.stringify(mutate(cursor, random)));
  });
});
