// The SQLite record format: a header (its own size as a varint, then one serial
// type varint per column) followed by the column bodies. Encoding picks the
// smallest serial type as SQLite does (0 and 1 as the constants 8 and 9, which
// schema format 4 allows); decoding yields canonical SqlValues (see
// value/types.ts): integers as number or bigint, float64 as REAL form.
//
// `RecordReader` is the hot-path reader: `reset` it on a record's bytes (a range
// of a page buffer, no copy), then ask for single columns. The header is parsed
// lazily, only as far as the highest column requested, into reused typed
// arrays, so scanning one column of many rows allocates nothing for numbers.

import { IntegralReal, type SqlValue } from "../value/types.js";
import { SqliteError } from "../errors.js";
import { lastVarintLength, readVarint32, varintLength, writeVarint } from "./varint.js";

const EMPTY = new Uint8Array(0);
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

// Scratch for float64 <-> big-endian bytes without a DataView per value.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serial type SQLite would store for `v` (text/blob need the byte length). */
export function serialTypeOf(v: SqlValue, byteLength = 0): number {
  if (v === null) return 0;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) return 7;
    if (v === 0) return 8;
    if (v === 1) return 9;
    if (v >= -128 && v <= 127) return 1;
    if (v >= -32768 && v <= 32767) return 2;
    if (v >= -8388608 && v <= 8388607) return 3;
    if (v >= -2147483648 && v <= 2147483647) return 4;
    if (v >= -140737488355328 && v <= 140737488355327) return 5;
    return 6;
  }
  if (typeof v === "bigint") return 6;
  if (typeof v === "string") return 13 + 2 * byteLength;
  if (v instanceof IntegralReal) return 7;
  return 12 + 2 * v.length;
}

const FIXED_SIZES = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0];

/** Body size in bytes of a column with serial type `t`. */
export function serialTypeSize(t: number): number {
  return t < 12 ? FIXED_SIZES[t] : Math.floor((t - 12) / 2);
}

// Scratch of measureRecord for the writeMeasuredRecord call that follows it
// (encoding never re-enters itself): serial types, negated for texts encoded
// into `scratchTexts` (non-ASCII), a text slot cleared once written so no
// bytes stay alive; and the header's size.
let scratchTypes = new Int32Array(16);
const scratchTexts: (Uint8Array | undefined)[] = [];
let measuredHeaderSize = 0;

/**
 * Encodes `values` as a record; column `nullColumn` (if given) is stored as
 * NULL whatever its value (the INTEGER PRIMARY KEY column, which lives in the
 * rowid).
 */
export function encodeRecord(values: readonly SqlValue[], nullColumn = -1): Uint8Array {
  const out = new Uint8Array(measureRecord(values, nullColumn));
  writeMeasuredRecord(out, 0, values);
  return out;
}

/**
 * Size in bytes of the record encodeRecord(values, nullColumn) makes; it must
 * be followed by writeMeasuredRecord with the same values before any other
 * encoding, so callers can write the record into a buffer of their own (a
 * B-tree cell) without an intermediate copy.
 */
export function measureRecord(values: readonly SqlValue[], nullColumn = -1): number {
  const n = values.length;
  if (n > scratchTypes.length) scratchTypes = new Int32Array(Math.max(n, scratchTypes.length * 2));
  const types = scratchTypes;
  let headerBody = 0;
  let bodySize = 0;
  for (let i = 0; i < n; i++) {
    const v = i === nullColumn ? null : values[i];
    let t: number;
    if (typeof v === "string") {
      // ASCII text (the common case) is later written straight from the string; other text is encoded once here.
      const ascii = asciiLength(v);
      if (ascii >= 0) {
        t = 13 + 2 * ascii;
        types[i] = t;
      } else {
        const bytes = utf8Encoder.encode(v);
        scratchTexts[i] = bytes;
        t = 13 + 2 * bytes.length;
        types[i] = -t;
      }
    } else {
      t = serialTypeOf(v);
      types[i] = t;
    }
    headerBody += t < 0x80 ? 1 : varintLength(t);
    bodySize += t < 12 ? FIXED_SIZES[t] : (t - 12) >>> 1;
  }
  let sizeLength = 1;
  while (varintLength(headerBody + sizeLength) > sizeLength) sizeLength++;
  measuredHeaderSize = headerBody + sizeLength;
  return measuredHeaderSize + bodySize;
}

/** Writes the record measureRecord just measured (for the same `values`) at `out[offset]`. */
export function writeMeasuredRecord(out: Uint8Array, offset: number, values: readonly SqlValue[]): void {
  const n = values.length;
  const types = scratchTypes;
  let h = offset + writeVarint(out, offset, measuredHeaderSize);
  let b = offset + measuredHeaderSize;
  for (let i = 0; i < n; i++) {
    const t = types[i];
    if (t < 0) {
      h += writeVarint(out, h, -t);
      b = writeBody(out, b, -t, null, scratchTexts[i]);
      scratchTexts[i] = undefined;
      continue;
    }
    if (t < 0x80) out[h++] = t;
    else h += writeVarint(out, h, t);
    if (t === 0 || t === 8 || t === 9) continue;
    if (t >= 13 && t & 1) b = writeAscii(out, b, values[i] as string);
    else b = writeBody(out, b, t, values[i], undefined);
  }
}

/** Length of `s` when every character is ASCII (one UTF-8 byte each), else -1. */
function asciiLength(s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return -1;
  return n;
}

function writeAscii(out: Uint8Array, b: number, s: string): number {
  const n = s.length;
  // Long text: the encoder's bulk copy beats a loop.
  if (n > 64) return b + utf8Encoder.encodeInto(s, out.subarray(b, b + n)).written;
  for (let i = 0; i < n; i++) out[b + i] = s.charCodeAt(i);
  return b + n;
}

function writeBody(out: Uint8Array, b: number, t: number, v: SqlValue, text: Uint8Array | undefined): number {
  if (t >= 12) {
    const bytes = text ?? (v as Uint8Array);
    out.set(bytes, b);
    return b + bytes.length;
  }
  switch (t) {
    case 0:
    case 8:
    case 9:
      return b;
    case 7: {
      f64[0] = v instanceof IntegralReal ? v.value : (v as number);
      for (let i = 0; i < 8; i++) out[b + i] = f64Bytes[littleEndian ? 7 - i : i];
      return b + 8;
    }
    case 6: {
      let u = BigInt.asUintN(64, BigInt(v as number | bigint));
      for (let i = 7; i >= 0; i--) {
        out[b + i] = Number(u & 0xffn);
        u >>= 8n;
      }
      return b + 8;
    }
    default: {
      const size = FIXED_SIZES[t];
      let x = v as number;
      if (t <= 4) {
        // 1..4: up to 4 bytes, two's complement big-endian; the value fits 32 bits, so bit operations are exact.
        for (let i = size - 1; i >= 0; i--) {
          out[b + i] = x & 0xff;
          x >>= 8;
        }
        return b + size;
      }
      // 5: 6 bytes; |v| < 2^47, beyond 32 bits, so floor division keeps the sign bits right.
      for (let i = size - 1; i >= 0; i--) {
        out[b + i] = ((x % 256) + 256) % 256;
        x = Math.floor(x / 256);
      }
      return b + size;
    }
  }
}

/** Decodes a whole record. */
export function decodeRecord(bytes: Uint8Array): SqlValue[] {
  const r = new RecordReader().reset(bytes, 0, bytes.length);
  const n = r.columnCount;
  const out = new Array<SqlValue>(n);
  for (let i = 0; i < n; i++) out[i] = r.column(i);
  return out;
}

function readFloat64(buf: Uint8Array, off: number): number {
  if (littleEndian) {
    f64Bytes[0] = buf[off + 7];
    f64Bytes[1] = buf[off + 6];
    f64Bytes[2] = buf[off + 5];
    f64Bytes[3] = buf[off + 4];
    f64Bytes[4] = buf[off + 3];
    f64Bytes[5] = buf[off + 2];
    f64Bytes[6] = buf[off + 1];
    f64Bytes[7] = buf[off];
  } else {
    for (let i = 0; i < 8; i++) f64Bytes[i] = buf[off + i];
  }
  return f64[0];
}

/** Decodes the body of one column with serial type `t` at `buf[off]`. */
export function decodeColumn(buf: Uint8Array, off: number, t: number): SqlValue {
  switch (t) {
    case 0:
      return null;
    case 1:
      return (buf[off] << 24) >> 24;
    case 2:
      return (((buf[off] << 8) | buf[off + 1]) << 16) >> 16;
    case 3:
      return (((buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]) << 8) >> 8;
    case 4:
      return (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
    case 5: {
      const hi = (((buf[off] << 8) | buf[off + 1]) << 16) >> 16;
      return hi * 0x1_0000_0000 + (((buf[off + 2] << 24) | (buf[off + 3] << 16) | (buf[off + 4] << 8) | buf[off + 5]) >>> 0);
    }
    case 6: {
      const hi = (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
      const lo = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
      const approx = hi * 0x1_0000_0000 + lo;
      if (Number.isSafeInteger(approx)) return approx;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    case 7: {
      const d = readFloat64(buf, off);
      if (Number.isNaN(d)) return null;
      return Number.isSafeInteger(d) || Object.is(d, -0) ? new IntegralReal(d) : d;
    }
    case 8:
      return 0;
    case 9:
      return 1;
    case 10:
    case 11:
      throw new SqliteError("database disk image is malformed", "SQLITE_CORRUPT");
    default: {
      const len = (t - 12) >>> 1;
      if (t & 1) return decodeUtf8(buf, off, off + len);
      return buf.slice(off, off + len);
    }
  }
}

/** UTF-8 decode with an allocation-light ASCII fast path for short strings. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      let s = "";
      for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
      return s;
    }
  }
  return utf8Decoder.decode(buf.subarray(start, end));
}

/**
 * Lazy reader over one encoded record. Reuse one instance across rows: `reset`
 * costs O(1); column access parses the header only up to the column asked for.
 */
export class RecordReader {
  private buf: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;
  private headerEnd = 0;
  /** Next header byte to parse and the body offset of the next column. */
  private headerPos = 0;
  private bodyPos = 0;
  private parsed = 0;
  private types = new Int32Array(16);
  private offsets = new Int32Array(16);
  private complete = false;
  private count = 0;

  /** Points the reader at the record in `buf[start, end)` (not copied; keep `buf` unchanged while reading). */
  reset(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.parsed = 0;
    this.complete = false;
    if (!(start < end && end <= buf.length)) {
      // An empty payload is a record with no columns; anything past the buffer is corrupt.
      if (start === end) {
        this.headerPos = this.headerEnd = this.bodyPos = start;
        return this;
      }
      throw new SqliteError("database disk image is malformed", "SQLITE_CORRUPT");
    }
    let hs = buf[start];
    let hl = 1;
    if (hs >= 0x80) {
      hs = readVarint32(buf, start);
      hl = lastVarintLength;
    }
    if (!(hs >= hl && start + hs <= end)) throw new SqliteError("database disk image is malformed", "SQLITE_CORRUPT");
    this.headerEnd = start + hs;
    this.headerPos = start + hl;
    this.bodyPos = start + hs;
    return this;
  }

  /** The bytes of the record (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Number of columns in the record (parses the whole header). */
  get columnCount(): number {
    if (!this.complete) this.parseUpTo(0x7fffffff);
    return this.count;
  }

  /** Serial type of column `i`; 0 (NULL) for columns beyond the record. */
  serialType(i: number): number {
    if (i >= this.parsed && !this.parseUpTo(i)) return 0;
    return this.types[i];
  }

  /** Column `i` as a canonical SqlValue; NULL for columns beyond the record. */
  column(i: number): SqlValue {
    if (i >= this.parsed && !this.parseUpTo(i)) return null;
    const t = this.types[i];
    const off = this.offsets[i];
    if (t >= 12 && off + ((t - 12) >>> 1) > this.end) throw new SqliteError("database disk image is malformed", "SQLITE_CORRUPT");
    return decodeColumn(this.buf, off, t);
  }

  /** Column `i` as a double when it is numeric (INTEGER or REAL); NaN otherwise. Allocation-free. */
  columnNumber(i: number): number {
    const t = i < this.parsed ? this.types[i] : this.serialType(i);
    if (t === 0 || t >= 10) return NaN;
    if (t === 7) return readFloat64(this.buf, this.offsets[i]);
    const v = decodeColumn(this.buf, this.offsets[i], t);
    return typeof v === "number" ? v : Number(v);
  }

  /** Buffer offset of column `i`'s body (valid after `serialType(i)`). */
  columnOffset(i: number): number {
    if (i >= this.parsed) this.parseUpTo(i);
    return this.offsets[i];
  }

  /** The underlying buffer, for comparators that compare text/blob bytes in place. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Parses the header up to column `i`; false when the record has fewer columns. */
  private parseUpTo(i: number): boolean {
    // The common case, kept small for V8 to inline into column(): one-byte
    // serial types (all but text and blobs of 57 bytes or more) within the
    // preallocated arrays; anything else goes on in parseRest.
    const buf = this.buf;
    const headerEnd = this.headerEnd;
    const types = this.types;
    const offsets = this.offsets;
    let pos = this.headerPos;
    let body = this.bodyPos;
    let parsed = this.parsed;
    const last = i < types.length ? i : types.length - 1;
    while (parsed <= last && pos < headerEnd && buf[pos] < 0x80) {
      const t = buf[pos++];
      types[parsed] = t;
      offsets[parsed] = body;
      body += t < 12 ? FIXED_SIZES[t] : (t - 12) >>> 1;
      parsed++;
    }
    this.headerPos = pos;
    this.bodyPos = body;
    this.parsed = parsed;
    if (parsed > i) return true;
    return this.parseRest(i);
  }

  private parseRest(i: number): boolean {
    const buf = this.buf;
    while (this.parsed <= i) {
      if (this.headerPos >= this.headerEnd) {
        this.complete = true;
        this.count = this.parsed;
        return false;
      }
      let t = buf[this.headerPos];
      if (t < 0x80) this.headerPos++;
      else {
        t = readVarint32(buf, this.headerPos);
        this.headerPos += lastVarintLength;
      }
      if (this.parsed === this.types.length) this.grow();
      this.types[this.parsed] = t;
      this.offsets[this.parsed] = this.bodyPos;
      this.bodyPos += t < 12 ? FIXED_SIZES[t] : (t - 12) >>> 1;
      this.parsed++;
    }
    return true;
  }

  private grow(): void {
    const types = new Int32Array(this.types.length * 2);
    types.set(this.types);
    this.types = types;
    const offsets = new Int32Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }
}
