import { describe, expect, it } from "vitest";
import initSqlJs from "sql.js";
import { decodeRecord, encodeRecord, RecordReader } from "../../../src/engine/btree/record.js";
import { readVarint, varintLength, writeVarint, lastVarintLength } from "../../../src/engine/btree/varint.js";
import { IntegralReal, type SqlValue } from "../../../src/engine/value/types.js";

const samples: SqlValue[] = [
  null, 0, 1, 2, -1, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 8388607, 8388608, -8388609,
  2147483647, 2147483648, -2147483649, 140737488355327, 140737488355328, -140737488355329,
  Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 9223372036854775807n, -9223372036854775808n, 9007199254740992n,
  1.5, -0.25, 1e300, Infinity, -Infinity, new IntegralReal(1), new IntegralReal(-0), new IntegralReal(2 ** 52),
  "", "a", "héllo wörld ✓ 𝄞", "x".repeat(1000), new Uint8Array(0), new Uint8Array([0, 255, 7]),
];

describe("varint", () => {
  it("round-trips boundary values with the SQLite lengths", () => {
    const cases: [number | bigint, number][] = [
      [0, 1], [127, 1], [128, 2], [16383, 2], [16384, 3], [2 ** 21 - 1, 3], [2 ** 21, 4], [2 ** 28, 5],
      [2 ** 35, 6], [2 ** 42, 7], [2 ** 49, 8], [2 ** 53 - 1, 8], [2n ** 56n - 1n, 8], [2n ** 56n, 9],
      [-1, 9], [-9223372036854775808n, 9], [9223372036854775807n, 9],
    ];
    const buf = new Uint8Array(9);
    for (const [v, len] of cases) {
      expect(varintLength(v)).toBe(len);
      expect(writeVarint(buf, 0, v)).toBe(len);
      expect(readVarint(buf, 0)).toEqual(v);
      expect(lastVarintLength).toBe(len);
    }
  });
});

describe("record format", () => {
  it("decodes what it encodes, in canonical form", () => {
    const rec = encodeRecord(samples);
    const back = decodeRecord(rec);
    expect(back).toEqual(samples);
    const r = new RecordReader().reset(rec, 0, rec.length);
    for (let i = samples.length - 1; i >= 0; i--) expect(r.column(i)).toEqual(samples[i]);
    expect(r.column(samples.length)).toBe(null);
    expect(r.columnCount).toBe(samples.length);
    // Column by column from a fresh reader: the header is parsed incrementally, across multi-byte serial types and past 16 columns.
    const ascending = new RecordReader().reset(rec, 0, rec.length);
    for (let i = 0; i < samples.length; i++) expect(ascending.column(i)).toEqual(samples[i]);
    expect(ascending.serialType(samples.length + 3)).toBe(0);
    expect(ascending.columnCount).toBe(samples.length);
  });

  it("produces the same bytes as SQLite's record() for every serial type", async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    // Write a one-row table and compare the leaf cell's payload bytes.
    db.run("PRAGMA page_size=65536");
    db.run("CREATE TABLE t(a,b,c,d,e,f,g,h,i,j,k,l,m,n)");
    const row: SqlValue[] = [null, 0, 1, -5, 300, -70000, 2147483648, 140737488355328, 9223372036854775807n, 2.5, "text ✓", new Uint8Array([1, 2, 3]), -1, 1e100];
    // Literals, not bound parameters: sql.js binds large JS numbers as doubles.
    db.run("INSERT INTO t VALUES (NULL,0,1,-5,300,-70000,2147483648,140737488355328,9223372036854775807,2.5,'text ✓',x'010203',-1,1e100)");
    const file = db.export();
    db.close();
    const pageSize = 65536;
    const page = file.subarray(pageSize, 2 * pageSize);
    expect(page[0]).toBe(0x0d);
    const cellOff = (page[8] << 8) | page[9];
    const payloadLen = readVarint(page, cellOff) as number;
    const l1 = lastVarintLength;
    readVarint(page, cellOff + l1);
    const start = cellOff + l1 + lastVarintLength;
    const payload = page.slice(start, start + payloadLen);
    expect(Array.from(encodeRecord(row))).toEqual(Array.from(payload));
  });

  it("reads columns lazily without parsing later headers", () => {
    const rec = encodeRecord([1, "a", null, 3.5]);
    const r = new RecordReader().reset(rec, 0, rec.length);
    expect(r.columnNumber(0)).toBe(1);
    expect(r.columnNumber(3)).toBe(3.5);
    expect(r.columnNumber(1)).toBeNaN();
    expect(r.serialType(2)).toBe(0);
  });
});
