// Structure-aware fuzzing of POST v3-protobuf/pipeline: valid PipelineReqBody
// messages covering every request kind, value type and batch condition are
// built as field trees, then mutated at the protobuf level (unknown field
// numbers, wrong wire types, dropped and repeated fields, lying length
// prefixes, overlong varints, invalid UTF-8, deep nesting, garbage payloads)
// and re-encoded. Every body must get a 200 protobuf response or a JSON 4xx
// with message and code, never a 5xx, and the database must still serve a
// valid pipeline afterwards. Seeded and bounded.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../helpers/random.js";
import { HOST } from "./hrana-helpers.js";

/** A protobuf field as written on the wire; `len` fields hold bytes or a nested message. */
type Field =
  | { no: number; wire: "varint"; value: bigint }
  | { no: number; wire: "i64"; value: bigint }
  | { no: number; wire: "len"; value: Uint8Array | Field[] };

const WIRE_TYPE = { varint: 0, i64: 1, len: 2 } as const;

const text = (s: string) => new TextEncoder().encode(s);
const varintField = (no: number, value: number | bigint): Field => ({ no, wire: "varint", value: BigInt(value) });
const bytesField = (no: number, value: Uint8Array | string): Field => ({ no, wire: "len", value: typeof value === "string" ? text(value) : value });
const messageField = (no: number, ...fields: Field[]): Field => ({ no, wire: "len", value: fields });
const zigzag = (n: bigint) => (n >= 0n ? n * 2n : -n * 2n - 1n);

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

function encode(fields: Field[]): number[] {
  const out: number[] = [];
  for (const f of fields) {
    out.push(...varint(BigInt((f.no << 3) | WIRE_TYPE[f.wire])));
    if (f.wire === "varint") out.push(...varint(f.value));
    else if (f.wire === "i64") for (let i = 0n; i < 8n; i++) out.push(Number((BigInt.asUintN(64, f.value) >> (8n * i)) & 0xffn));
    else {
      const payload = f.value instanceof Uint8Array ? [...f.value] : encode(f.value);
      out.push(...varint(BigInt(payload.length)), ...payload);
    }
  }
  return out;
}

// Hrana 3 protobuf field numbers (as src/durable-object/hrana/protobuf.ts reads them).
const value = {
  null: () => messageField(3, messageField(1)),
  integer: (n: bigint) => messageField(3, varintField(2, zigzag(n))),
  float: (x: number) => messageField(3, { no: 3, wire: "i64", value: new BigUint64Array(new Float64Array([x]).buffer)[0] }),
  text: (s: string) => messageField(3, bytesField(4, s)),
  blob: (b: number[]) => messageField(3, bytesField(5, new Uint8Array(b))),
};
const stmt = (sql: string, ...args: Field[]) => [bytesField(1, sql), ...args, varintField(5, 1)];
const request = (kind: number, ...body: Field[]) => messageField(2, messageField(kind, ...body));
const CLOSE = request(1);

/** Valid bodies: every request kind (close 1, execute 2, batch 3, sequence 4, describe 5, store_sql 6, close_sql 7, get_autocommit 8). */
const VALID: Field[][] = [
  [request(2, messageField(1, ...stmt("SELECT ?, ?, ?, ?, ?", value.null(), value.integer(-9223372036854775808n), value.float(2.5), value.text("héllo"), value.blob([0, 255])))), CLOSE],
  [request(2, messageField(1, bytesField(1, "SELECT :a"), messageField(4, bytesField(1, ":a"), messageField(2, varintField(2, zigzag(7n)))), varintField(5, 1))), CLOSE],
  [
    request(
      3,
      messageField(
        1,
        messageField(1, messageField(2, ...stmt("SELECT 1"))),
        messageField(1, messageField(1, varintField(1, 0)), messageField(2, ...stmt("SELECT 2"))),
        messageField(1, messageField(1, messageField(3, messageField(2, varintField(1, 0)))), messageField(2, ...stmt("SELECT 3"))),
        messageField(1, messageField(1, messageField(4, messageField(1, messageField(6)), messageField(1, varintField(1, 1)))), messageField(2, ...stmt("SELECT 4"))),
        messageField(1, messageField(1, messageField(5, messageField(1, varintField(2, 0)))), messageField(2, ...stmt("SELECT 5"))),
      ),
    ),
    CLOSE,
  ],
  [request(6, varintField(1, 1), bytesField(2, "SELECT 1 AS one")), request(5, varintField(2, 1)), request(2, messageField(1, varintField(2, 1), varintField(5, 1))), request(7, varintField(1, 1)), CLOSE],
  [request(4, bytesField(1, "SELECT 1; SELECT 2")), request(8), request(5, bytesField(1, "SELECT ?1, :x")), CLOSE],
];

const GARBAGE_NUMBERS = [0, 9, 15, 16, 100, 536870911];

function mutateFields(fields: Field[], random: () => number, depth: number): Field[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const out = fields.map((f): Field => {
    if (f.wire === "len" && Array.isArray(f.value) && random() < 0.5) return { ...f, value: mutateFields(f.value, random, depth + 1) };
    if (random() > 0.15) return f;
    switch (Math.floor(random() * 7)) {
      case 0:
        return { ...f, no: pick(GARBAGE_NUMBERS) };
      case 1:
        // The payload stays, the declared wire type lies.
        return f.wire === "len" ? { no: f.no, wire: "varint", value: BigInt(Math.floor(random() * 2 ** 32)) } : bytesField(f.no, new Uint8Array(Array.from({ length: 5 }, () => Math.floor(random() * 256))));
      case 2:
        return { no: f.no, wire: "varint", value: pick([0n, -1n, 2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 31n]) };
      case 3:
        return bytesField(f.no, new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]));
      case 4:
        return bytesField(f.no, new Uint8Array(Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256))));
      case 5:
        return messageField(f.no, f, f);
      default:
        return { no: f.no, wire: "i64", value: BigInt(Math.floor(random() * 2 ** 48)) };
    }
  });
  if (depth > 0 && random() < 0.1) out.splice(Math.floor(random() * out.length), 1);
  if (fields.length > 0 && random() < 0.1) out.push(pick(fields));
  return out;
}

/** Byte-level damage on top: a lying length prefix, an overlong varint, or a cut. */
function damage(bytes: number[], random: () => number): number[] {
  const roll = random();
  if (roll < 0.1) return [...bytes, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2];
  if (roll < 0.2) return [...bytes, 0x10, ...Array.from({ length: 11 }, () => 0xff)];
  if (roll < 0.3) return bytes.slice(0, Math.floor(random() * bytes.length));
  return bytes;
}

async function expectHandled(body: number[], note: string): Promise<number> {
  const res = await exports.default.fetch(`${HOST}/db/fuzz-protobuf/v3-protobuf/pipeline`, { method: "POST", body: new Uint8Array(body) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(res.status, note).toBeLessThan(500);
  if (res.status === 200) expect(res.headers.get("content-type"), note).toBe("application/x-protobuf");
  else {
    expect(res.headers.get("content-type"), note).toBe("application/json");
    expect(JSON.parse(new TextDecoder().decode(bytes)), note).toMatchObject({ message: expect.any(String), code: expect.any(String) });
  }
  return res.status;
}

describe("v3-protobuf pipeline fuzzing", () => {
  it("serves every valid body (the fuzz starts from working requests)", async () => {
    for (const [i, fields] of VALID.entries()) expect(await expectHandled(encode(fields), `valid body ${i}`)).toBe(200);
  });

  it("answers 400 field-level mutations with 200 or a JSON 4xx, and still serves a valid body", async () => {
    const random = seededRandom(0x9b0f);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const body = damage(encode(mutateFields(VALID[i % VALID.length], random, 0)), random);
      const status = await expectHandled(body, `case ${i}: ${body.join(",")}`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    // The mutations reach both outcomes: some bodies still decode to something servable, some are refused.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect(await expectHandled(encode(VALID[0]), "valid body after the fuzz")).toBe(200);
  });

  it("refuses batch conditions nested past the depth limit with a JSON 400", async () => {
    // BatchCond fields: is_autocommit (6) inside 200 levels of not (3).
    let condition: Field[] = [messageField(6)];
    for (let i = 0; i < 200; i++) condition = [messageField(3, ...condition)];
    const step = messageField(1, messageField(1, ...condition), messageField(2, ...stmt("SELECT 1")));
    const body = encode([request(3, messageField(1, step))]);
    expect(await expectHandled(body, "deep condition")).toBe(400);
  });
});
