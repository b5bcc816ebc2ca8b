// SQLite varints: 1..9 bytes, big-endian, 7 bits per byte with the high bit as
// "more follows", except the 9th byte which contributes all 8 bits. They encode
// 64-bit two's-complement integers (rowids, payload sizes, serial types).
//
// Reads are allocation-free for values that fit in a safe integer; the byte
// length of the last varint read is published in `lastVarintLength` so hot
// loops need no result object.

/** Byte length of the varint most recently decoded by `readVarint`. */
export let lastVarintLength = 0;

/**
 * Decodes the varint at `buf[off]`. Returns a number when the value is a safe
 * integer and a bigint otherwise (canonical INTEGER form); negative 64-bit
 * values come back negative. Bytes past the end of `buf` read as 0, so a
 * corrupt cell can yield garbage but never throws or loops.
 */
export function readVarint(buf: Uint8Array, off: number): number | bigint {
  let b = buf[off];
  if (b < 0x80) {
    lastVarintLength = 1;
    return b;
  }
  let v = b & 0x7f;
  for (let i = 1; i < 8; i++) {
    b = buf[off + i] ?? 0;
    if (v < 0x4000_0000_0000) {
      // v * 128 stays exact while v < 2^46 (result < 2^53).
      v = v * 128 + (b & 0x7f);
      if (b < 0x80) {
        lastVarintLength = i + 1;
        return v;
      }
    } else {
      return readVarintBig(buf, off);
    }
  }
  return readVarintBig(buf, off);
}

function readVarintBig(buf: Uint8Array, off: number): number | bigint {
  let v = 0n;
  let i = 0;
  for (; i < 8; i++) {
    const b = buf[off + i] ?? 0;
    v = (v << 7n) | BigInt(b & 0x7f);
    if (b < 0x80) break;
  }
  if (i === 8) {
    v = (v << 8n) | BigInt(buf[off + 8] ?? 0);
    lastVarintLength = 9;
  } else {
    lastVarintLength = i + 1;
  }
  v = BigInt.asIntN(64, v);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Reads a varint known to be a small non-negative count (header sizes, serial types). */
export function readVarint32(buf: Uint8Array, off: number): number {
  const b = buf[off];
  if (b < 0x80) {
    lastVarintLength = 1;
    return b;
  }
  const v = readVarint(buf, off);
  return typeof v === "number" ? v : Number(v);
}

/** Number of bytes `writeVarint` uses for `v` (a 64-bit integer). */
export function varintLength(v: number | bigint): number {
  if (typeof v === "number" && v >= 0) {
    if (v < 0x80) return 1;
    if (v < 0x4000) return 2;
    if (v < 0x20_0000) return 3;
    if (v < 0x1000_0000) return 4;
    if (v < 0x8_0000_0000) return 5;
    if (v < 0x400_0000_0000) return 6;
    if (v < 0x2_0000_0000_0000) return 7;
    if (v < 0x100_0000_0000_0000) return 8;
    return 9;
  }
  const u = BigInt.asUintN(64, BigInt(v));
  if (u >= 1n << 56n) return 9;
  let n = 1;
  for (let x = u >> 7n; x > 0n; x >>= 7n) n++;
  return n;
}

/** Writes `v` as a varint at `buf[off]`; returns the number of bytes written. */
export function writeVarint(buf: Uint8Array, off: number, v: number | bigint): number {
  if (typeof v === "number" && v >= 0 && v < 0x1000_0000) {
    if (v < 0x80) {
      buf[off] = v;
      return 1;
    }
    const n = varintLength(v);
    for (let i = n - 1; i >= 0; i--) {
      buf[off + i] = (v & 0x7f) | (i === n - 1 ? 0 : 0x80);
      v >>>= 7;
    }
    return n;
  }
  let u = BigInt.asUintN(64, BigInt(v));
  if (u >= 1n << 56n) {
    buf[off + 8] = Number(u & 0xffn);
    u >>= 8n;
    for (let i = 7; i >= 0; i--) {
      buf[off + i] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    return 9;
  }
  const n = varintLength(u);
  for (let i = n - 1; i >= 0; i--) {
    buf[off + i] = Number(u & 0x7fn) | (i === n - 1 ? 0 : 0x80);
    u >>= 7n;
  }
  return n;
}

/** Big-endian unsigned 32-bit read (page numbers, header fields). */
export function readU32(buf: Uint8Array, off: number): number {
  return buf[off] * 0x100_0000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v >>> 24;
  buf[off + 1] = (v >>> 16) & 0xff;
  buf[off + 2] = (v >>> 8) & 0xff;
  buf[off + 3] = v & 0xff;
}

export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function writeU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >>> 8) & 0xff;
  buf[off + 1] = v & 0xff;
}
