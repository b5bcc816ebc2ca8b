// SQLite's JSONB: the binary form every JSON function works on internally
// (as SQLite 3.45+ does), its translation from JSON/JSON5 text, and its
// rendering back to canonical (or pretty) JSON text. Working on the same
// representation as SQLite makes edits, json_each ids and JSON5
// normalisation match it byte for byte.
//
// Invariant: a JsonParse holds exactly one element at aBlob[0..nBlob): a
// header (1, 2, 3, 5 or 9 bytes; low nibble = element type, high nibble =
// payload size or size-of-size) followed by the payload. Text payloads are
// UTF-8 bytes without quotes; container payloads are their elements in
// order (objects alternate label, value).

export const JSONB_NULL = 0;
export const JSONB_TRUE = 1;
export const JSONB_FALSE = 2;
export const JSONB_INT = 3;
export const JSONB_INT5 = 4;
export const JSONB_FLOAT = 5;
export const JSONB_FLOAT5 = 6;
export const JSONB_TEXT = 7;
export const JSONB_TEXTJ = 8;
export const JSONB_TEXT5 = 9;
export const JSONB_TEXTRAW = 10;
export const JSONB_ARRAY = 11;
export const JSONB_OBJECT = 12;

/** json_type() names, indexed by JSONB element type. */
export const JSONB_TYPE_NAMES = [
  "null", "true", "false", "integer", "integer", "real", "real", "text", "text", "text", "text", "array", "object",
];

const MAX_DEPTH = 1000;

/** Edit applied by jsonLookupStep when it reaches the end of the path. */
export const enum JsonEdit {
  None = 0,
  Delete = 1,
  Replace = 2,
  Insert = 3,
  Set = 4,
  /** json_array_insert: insert before the element the last [N] names (or append at [#]). */
  ArrayInsert = 5,
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decoder.decode(bytes.subarray(start, end));
}

// Byte classes (ASCII only, as SQLite's ctype macros).
export const isDigitByte = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isXDigitByte = (c: number): boolean =>
  isDigitByte(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
export const isAlphaByte = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
export const isAlnumByte = (c: number): boolean => isAlphaByte(c) || isDigitByte(c);
/** First byte of a JSON5 identifier (SQLite's sqlite3JsonId1). */
const isJsonId1 = (c: number): boolean => isAlphaByte(c) || c === 0x5f || c === 0x24 || c >= 0x80;
/** Later bytes of a JSON5 identifier (sqlite3JsonId2). */
const isJsonId2 = (c: number): boolean => isJsonId1(c) || isDigitByte(c);
/** Bytes that may appear unescaped in a JSON string: not control, '"', '\\' or '\''. */
export const isJsonOk = (c: number): boolean => c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x27;
const isJsonSpace = (c: number): boolean => c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;

export function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/**
 * Copies src[start..end) to dst at `at`. Short runs (most JSON tokens) are
 * copied by hand: a subarray view per token would cost more than the copy.
 */
function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  if (end - start > 32) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  for (let k = start; k < end; k++) dst[at++] = src[k]!;
}

/** A growable byte string (SQLite's JsonString): JSON text under construction. */
export class ByteString {
  bytes: Uint8Array;
  length = 0;
  /** Set when rendering met malformed JSONB. */
  malformed = false;

  constructor(capacity = 64) {
    this.bytes = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra + 64));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(c: number): void {
    this.ensure(1);
    this.bytes[this.length++] = c;
  }

  append(src: Uint8Array, start = 0, end = src.length): void {
    if (end <= start) return;
    this.ensure(end - start);
    copyBytes(src, start, end, this.bytes, this.length);
    this.length += end - start;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i);
  }

  last(): number {
    return this.length === 0 ? -1 : this.bytes[this.length - 1]!;
  }

  /** A ',' unless right after '[' or '{' (or at the start). */
  separator(): void {
    const c = this.last();
    if (c !== -1 && c !== 0x5b && c !== 0x7b) this.byte(0x2c);
  }

  /** Appends bytes as a quoted JSON string, escaping what JSON requires. */
  quoted(src: Uint8Array, start = 0, end = src.length): void {
    this.byte(0x22);
    for (let i = start; i < end; i++) this.quotedBody(src[i]!);
    this.byte(0x22);
  }

  /** Appends one byte of a JSON string body, escaped if JSON requires it. */
  quotedBody(c: number): void {
    if (isJsonOk(c) || c === 0x27) {
      this.byte(c);
    } else if (c === 0x22 || c === 0x5c) {
      this.byte(0x5c);
      this.byte(c);
    } else {
      const simple = c === 8 ? "b" : c === 9 ? "t" : c === 10 ? "n" : c === 12 ? "f" : c === 13 ? "r" : "";
      if (simple) this.ascii(`\\${simple}`);
      else this.ascii(`\\u00${"0123456789abcdef"[c >> 4]}${"0123456789abcdef"[c & 15]}`);
    }
  }

  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  toString(): string {
    return decoder.decode(this.bytes.subarray(0, this.length));
  }
}

/** Header size and payload size of the element at i; header 0 means malformed. */
export interface PayloadSize {
  n: number;
  sz: number;
}

/**
 * A JSONB value being searched or edited (SQLite's JsonParse). When built
 * from text, `zJson` keeps the text (NUL-padded, as C sees it) for error
 * positions and json_each's `json` column.
 */
export class JsonParse {
  aBlob: Uint8Array;
  nBlob = 0;
  zJson: Uint8Array | null = null;
  nJson = 0;
  /** Byte offset of a text parse error. */
  iErr = 0;
  iDepth = 0;
  /** The text used JSON5 extensions (json_valid() with flag 1 rejects it). */
  hasNonstd = false;
  // Search-and-edit state for jsonLookupStep.
  eEdit: JsonEdit = JsonEdit.None;
  delta = 0;
  aIns: Uint8Array = new Uint8Array(0);
  /** Offset of the label when a lookup landed on an object member's value. */
  iLabel = 0;

  /** Wraps an existing JSONB blob, or starts empty with room for `capacity` bytes. */
  constructor(blob?: Uint8Array, capacity = 64) {
    this.aBlob = blob ?? new Uint8Array(capacity);
    this.nBlob = blob ? blob.length : 0;
  }

  private ensure(total: number): void {
    if (total <= this.aBlob.length) return;
    const grown = new Uint8Array(Math.max(this.aBlob.length * 2, total + 64));
    grown.set(this.aBlob.subarray(0, this.nBlob));
    this.aBlob = grown;
  }

  appendByte(c: number): void {
    this.ensure(this.nBlob + 1);
    this.aBlob[this.nBlob++] = c;
  }

  /** Appends a header for `eType` with `szPayload`, then the payload if given. */
  appendNode(eType: number, szPayload: number, payload?: Uint8Array, start = 0): void {
    this.ensure(this.nBlob + szPayload + 9);
    const a = this.aBlob;
    let at = this.nBlob;
    if (szPayload <= 11) {
      a[at++] = eType | (szPayload << 4);
    } else if (szPayload <= 0xff) {
      a[at++] = eType | 0xc0;
      a[at++] = szPayload;
    } else if (szPayload <= 0xffff) {
      a[at++] = eType | 0xd0;
      a[at++] = szPayload >> 8;
      a[at++] = szPayload & 0xff;
    } else {
      a[at++] = eType | 0xe0;
      a[at++] = (szPayload >>> 24) & 0xff;
      a[at++] = (szPayload >> 16) & 0xff;
      a[at++] = (szPayload >> 8) & 0xff;
      a[at++] = szPayload & 0xff;
    }
    this.nBlob = at;
    if (payload) {
      copyBytes(payload, start, start + szPayload, a, at);
      this.nBlob += szPayload;
    }
  }

  /** Rewrites the header at i for a new payload size, moving the payload if the header size changes. */
  changePayloadSize(i: number, szPayload: number): number {
    const szType = this.aBlob[i]! >> 4;
    const nExtra = szType <= 11 ? 0 : szType === 12 ? 1 : szType === 13 ? 2 : 4;
    const nNeeded = szPayload <= 11 ? 0 : szPayload <= 0xff ? 1 : szPayload <= 0xffff ? 2 : 4;
    const delta = nNeeded - nExtra;
    if (delta) {
      this.ensure(this.nBlob + delta);
      this.aBlob.copyWithin(i + 1 + nNeeded, i + 1 + nExtra, this.nBlob);
      this.nBlob += delta;
    }
    const a = this.aBlob;
    const t = a[i]! & 0x0f;
    if (nNeeded === 0) {
      a[i] = t | (szPayload << 4);
    } else if (nNeeded === 1) {
      a[i] = t | 0xc0;
      a[i + 1] = szPayload;
    } else if (nNeeded === 2) {
      a[i] = t | 0xd0;
      a[i + 1] = szPayload >> 8;
      a[i + 2] = szPayload & 0xff;
    } else {
      a[i] = t | 0xe0;
      a[i + 1] = (szPayload >>> 24) & 0xff;
      a[i + 2] = (szPayload >> 16) & 0xff;
      a[i + 3] = (szPayload >> 8) & 0xff;
      a[i + 4] = szPayload & 0xff;
    }
    return delta;
  }

  /**
   * Header and payload size of the element at i (n = 0 when malformed or
   * running past the end). `unchecked` skips the bounds check, for use
   * while an edit is in progress.
   */
  payloadSize(i: number, unchecked = false): PayloadSize {
    const a = this.aBlob;
    if (i >= this.nBlob && !unchecked) return { n: 0, sz: 0 };
    const x = a[i]! >> 4;
    let sz: number;
    let n: number;
    if (x <= 11) {
      sz = x;
      n = 1;
    } else if (x === 12) {
      if (i + 1 >= this.nBlob && !unchecked) return { n: 0, sz: 0 };
      sz = a[i + 1]!;
      n = 2;
    } else if (x === 13) {
      if (i + 2 >= this.nBlob && !unchecked) return { n: 0, sz: 0 };
      sz = (a[i + 1]! << 8) + a[i + 2]!;
      n = 3;
    } else if (x === 14) {
      if (i + 4 >= this.nBlob && !unchecked) return { n: 0, sz: 0 };
      sz = a[i + 1]! * 0x1000000 + (a[i + 2]! << 16) + (a[i + 3]! << 8) + a[i + 4]!;
      n = 5;
    } else {
      if ((i + 8 >= this.nBlob && !unchecked) || a[i + 1] || a[i + 2] || a[i + 3] || a[i + 4]) return { n: 0, sz: 0 };
      sz = a[i + 5]! * 0x1000000 + (a[i + 6]! << 16) + (a[i + 7]! << 8) + a[i + 8]!;
      n = 9;
    }
    if (!unchecked && i + sz + n > this.nBlob && i + sz + n > this.nBlob - this.delta) return { n: 0, sz: 0 };
    return { n, sz };
  }

  /** Replaces nDel bytes at iDel with `ins` (or nIns uninitialised bytes), tracking `delta`. */
  edit(iDel: number, nDel: number, ins: Uint8Array | null, nIns = ins ? ins.length : 0): void {
    const d = nIns - nDel;
    if (d !== 0) {
      this.ensure(this.nBlob + d);
      this.aBlob.copyWithin(iDel + nIns, iDel + nDel, this.nBlob);
      this.nBlob += d;
      this.delta += d;
    }
    if (ins && nIns) this.aBlob.set(ins.subarray(0, nIns), iDel);
  }

  /** The blob as an independent byte array. */
  bytes(): Uint8Array {
    return this.aBlob.slice(0, this.nBlob);
  }

  /** Type of the element at i. */
  typeAt(i: number): number {
    return this.aBlob[i]! & 0x0f;
  }
}

/**
 * Number of bytes of JSON5 whitespace (including comments and the Unicode
 * spaces JSON5 allows) at z[n].
 */
export function json5Whitespace(z: Uint8Array, start: number): number {
  let n = start;
  for (;;) {
    const c = z[n] ?? 0;
    switch (c) {
      case 0x09:
      case 0x0a:
      case 0x0b:
      case 0x0c:
      case 0x0d:
      case 0x20:
        n++;
        continue;
      case 0x2f:
        if (z[n + 1] === 0x2a && (z[n + 2] ?? 0) !== 0) {
          let j = n + 3;
          for (; (z[j] ?? 0) !== 0x2f || z[j - 1] !== 0x2a; j++) {
            if ((z[j] ?? 0) === 0) return n - start;
          }
          n = j + 1;
          continue;
        } else if (z[n + 1] === 0x2f) {
          let j = n + 2;
          for (; (z[j] ?? 0) !== 0; j++) {
            const d = z[j]!;
            if (d === 0x0a || d === 0x0d) break;
            if (d === 0xe2 && z[j + 1] === 0x80 && (z[j + 2] === 0xa8 || z[j + 2] === 0xa9)) {
              j += 2;
              break;
            }
          }
          n = j;
          if ((z[n] ?? 0) !== 0) n++;
          continue;
        }
        return n - start;
      case 0xc2:
        if (z[n + 1] === 0xa0) {
          n += 2;
          continue;
        }
        return n - start;
      case 0xe1:
        if (z[n + 1] === 0x9a && z[n + 2] === 0x80) {
          n += 3;
          continue;
        }
        return n - start;
      case 0xe2:
        if (z[n + 1] === 0x80) {
          const d = z[n + 2] ?? 0;
          if (d < 0x80) return n - start;
          if (d <= 0x8a || d === 0xa8 || d === 0xa9 || d === 0xaf) {
            n += 3;
            continue;
          }
        } else if (z[n + 1] === 0x81 && z[n + 2] === 0x9f) {
          n += 3;
          continue;
        }
        return n - start;
      case 0xe3:
        if (z[n + 1] === 0x80 && z[n + 2] === 0x80) {
          n += 3;
          continue;
        }
        return n - start;
      case 0xef:
        if (z[n + 1] === 0xbb && z[n + 2] === 0xbf) {
          n += 3;
          continue;
        }
        return n - start;
      default:
        return n - start;
    }
  }
}

function is4Hex(z: Uint8Array, i: number): boolean {
  return isXDigitByte(z[i] ?? 0) && isXDigitByte(z[i + 1] ?? 0) && isXDigitByte(z[i + 2] ?? 0) && isXDigitByte(z[i + 3] ?? 0);
}

/** Case-insensitive ASCII comparison of z[i..] with `word` (lower case). */
function matchesWord(z: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = z[i + k] ?? 0;
    if ((c >= 0x41 && c <= 0x5a ? c + 32 : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** NaN and Infinity spellings SQLite accepts, with what they become. */
const NAN_INF_NAMES: readonly { match: string; isFloat: boolean }[] = [
  { match: "inf", isFloat: true },
  { match: "infinity", isFloat: true },
  { match: "nan", isFloat: false },
  { match: "qnan", isFloat: false },
  { match: "snan", isFloat: false },
];

const NINE_E999 = utf8("9e999");
const MINUS_NINE_E999 = utf8("-9e999");

// Results of translateText other than "index after the element".
const END_OF_INPUT = 0;
const SYNTAX_ERROR = -1;
const SEEN_CLOSE_BRACE = -2;
const SEEN_CLOSE_BRACKET = -3;
const SEEN_COMMA = -4;
const SEEN_COLON = -5;

/**
 * Translates the JSON text element at z[i] into JSONB appended to p.
 * Returns the index after it, or one of the special codes above (with
 * p.iErr at the offending byte).
 */
function translateText(p: JsonParse, i: number): number {
  const z = p.zJson!;
  for (;;) {
    const c = z[i] ?? 0;
    switch (c) {
      case 0x7b: // '{'
        return translateObject(p, i);
      case 0x5b: // '['
        return translateArray(p, i);
      case 0x27: // '\''
        p.hasNonstd = true;
        return translateString(p, i);
      case 0x22: // '"'
        return translateString(p, i);
      case 0x74: // 't'
        if (isExact(z, i, "true") && !isAlnumByte(z[i + 4] ?? 0)) {
          p.appendByte(JSONB_TRUE);
          return i + 4;
        }
        p.iErr = i;
        return SYNTAX_ERROR;
      case 0x66: // 'f'
        if (isExact(z, i, "false") && !isAlnumByte(z[i + 5] ?? 0)) {
          p.appendByte(JSONB_FALSE);
          return i + 5;
        }
        p.iErr = i;
        return SYNTAX_ERROR;
      case 0x2b: // '+'
      case 0x2e: // '.'
      case 0x2d: // '-'
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
      case 0x38:
      case 0x39:
        return translateNumber(p, i);
      case 0x7d:
        p.iErr = i;
        return SEEN_CLOSE_BRACE;
      case 0x5d:
        p.iErr = i;
        return SEEN_CLOSE_BRACKET;
      case 0x2c:
        p.iErr = i;
        return SEEN_COMMA;
      case 0x3a:
        p.iErr = i;
        return SEEN_COLON;
      case 0:
        return END_OF_INPUT;
      case 0x09:
      case 0x0a:
      case 0x0d:
      case 0x20:
        i++;
        while (isJsonSpace(z[i] ?? 0)) i++;
        continue;
      case 0x0b:
      case 0x0c:
      case 0x2f:
      case 0xc2:
      case 0xe1:
      case 0xe2:
      case 0xe3:
      case 0xef: {
        const j = json5Whitespace(z, i);
        if (j > 0) {
          i += j;
          p.hasNonstd = true;
          continue;
        }
        p.iErr = i;
        return SYNTAX_ERROR;
      }
      default: {
        if (c === 0x6e && isExact(z, i, "null") && !isAlnumByte(z[i + 4] ?? 0)) {
          p.appendByte(JSONB_NULL);
          return i + 4;
        }
        for (const name of NAN_INF_NAMES) {
          const nn = name.match.length;
          if (!matchesWord(z, i, name.match) || isAlnumByte(z[i + nn] ?? 0)) continue;
          if (name.isFloat) p.appendNode(JSONB_FLOAT, 5, NINE_E999);
          else p.appendByte(JSONB_NULL);
          p.hasNonstd = true;
          return i + nn;
        }
        p.iErr = i;
        return SYNTAX_ERROR;
      }
    }
  }
}

/** Case-sensitive match of an ASCII word at z[i]. */
function isExact(z: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (z[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Where the element just parsed ends: at a `,` (more follow) or at the container's closing character. */
const elementEnd = { j: 0, closed: false };

function endAt(j: number, closed: boolean): true {
  elementEnd.j = j;
  elementEnd.closed = closed;
  return true;
}

/**
 * After an element ending at `j`, finds the `,` or the closing character
 * (whitespace, and JSON5 comments via translateText, may come first) and
 * records it in elementEnd; false, with p.iErr set, on anything else.
 */
function endOfElement(p: JsonParse, j: number, close: number, seenClose: number): boolean {
  const z = p.zJson!;
  if (z[j] === 0x2c) return endAt(j, false);
  if (z[j] === close) return endAt(j, true);
  if (isJsonSpace(z[j] ?? 0)) {
    j++;
    while (isJsonSpace(z[j] ?? 0)) j++;
    if (z[j] === 0x2c) return endAt(j, false);
    if (z[j] === close) return endAt(j, true);
  }
  const x = translateText(p, j);
  if (x === SEEN_COMMA) return endAt(p.iErr, false);
  if (x === seenClose) return endAt(p.iErr, true);
  p.iErr = j;
  return false;
}

function translateObject(p: JsonParse, i: number): number {
  const z = p.zJson!;
  const iThis = p.nBlob;
  p.appendNode(JSONB_OBJECT, p.nJson - i);
  if (++p.iDepth > MAX_DEPTH) {
    p.iErr = i;
    return SYNTAX_ERROR;
  }
  const iStart = p.nBlob;
  let j = i + 1;
  for (;; j++) {
    const iBlob = p.nBlob;
    let x = translateText(p, j);
    if (x <= 0) {
      if (x === SEEN_CLOSE_BRACE) {
        j = p.iErr;
        if (p.nBlob !== iStart) p.hasNonstd = true;
        break;
      }
      j += json5Whitespace(z, j);
      let op = JSONB_TEXT;
      const escapedId = (k: number): boolean => z[k] === 0x5c && z[k + 1] === 0x75 && is4Hex(z, k + 2);
      if (isJsonId1(z[j] ?? 0) || escapedId(j)) {
        if (escapedId(j)) op = JSONB_TEXTJ;
        let k = j + 1;
        for (;;) {
          if (isJsonId2(z[k] ?? 0) && json5Whitespace(z, k) === 0) {
            k++;
          } else if (escapedId(k)) {
            op = JSONB_TEXTJ;
            k++;
          } else {
            break;
          }
        }
        p.appendNode(op, k - j, z, j);
        p.hasNonstd = true;
        x = k;
      } else {
        if (x !== SYNTAX_ERROR) p.iErr = j;
        return SYNTAX_ERROR;
      }
    }
    const t = p.aBlob[iBlob]! & 0x0f;
    if (t < JSONB_TEXT || t > JSONB_TEXTRAW) {
      p.iErr = j;
      return SYNTAX_ERROR;
    }
    j = x;
    let haveColon = false;
    if (z[j] === 0x3a) {
      j++;
      haveColon = true;
    } else if (isJsonSpace(z[j] ?? 0)) {
      do j++;
      while (isJsonSpace(z[j] ?? 0));
      if (z[j] === 0x3a) {
        j++;
        haveColon = true;
      }
    }
    if (!haveColon) {
      x = translateText(p, j);
      if (x !== SEEN_COLON) {
        if (x !== SYNTAX_ERROR) p.iErr = j;
        return SYNTAX_ERROR;
      }
      j = p.iErr + 1;
    }
    x = translateText(p, j);
    if (x <= 0) {
      if (x !== SYNTAX_ERROR) p.iErr = j;
      return SYNTAX_ERROR;
    }
    if (!endOfElement(p, x, 0x7d, SEEN_CLOSE_BRACE)) return SYNTAX_ERROR;
    j = elementEnd.j;
    if (elementEnd.closed) break;
  }
  p.changePayloadSize(iThis, p.nBlob - iStart);
  p.iDepth--;
  return j + 1;
}

function translateArray(p: JsonParse, i: number): number {
  const iThis = p.nBlob;
  p.appendNode(JSONB_ARRAY, p.nJson - i);
  const iStart = p.nBlob;
  if (++p.iDepth > MAX_DEPTH) {
    p.iErr = i;
    return SYNTAX_ERROR;
  }
  let j = i + 1;
  for (;; j++) {
    const x = translateText(p, j);
    if (x <= 0) {
      if (x === SEEN_CLOSE_BRACKET) {
        j = p.iErr;
        if (p.nBlob !== iStart) p.hasNonstd = true;
        break;
      }
      if (x !== SYNTAX_ERROR) p.iErr = j;
      return SYNTAX_ERROR;
    }
    if (!endOfElement(p, x, 0x5d, SEEN_CLOSE_BRACKET)) return SYNTAX_ERROR;
    j = elementEnd.j;
    if (elementEnd.closed) break;
  }
  p.changePayloadSize(iThis, p.nBlob - iStart);
  p.iDepth--;
  return j + 1;
}

function translateString(p: JsonParse, i: number): number {
  const z = p.zJson!;
  const delim = z[i]!;
  let opcode = JSONB_TEXT;
  let j = i + 1;
  for (;; j++) {
    const c = z[j] ?? 0;
    if (isJsonOk(c)) continue;
    if (c === delim) break;
    if (c === 0x5c) {
      const e = z[++j] ?? 0;
      if (
        e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74 ||
        (e === 0x75 && is4Hex(z, j + 1))
      ) {
        if (opcode === JSONB_TEXT) opcode = JSONB_TEXTJ;
      } else if (
        e === 0x27 || (e === 0x30 && !isDigitByte(z[j + 1] ?? 0)) || e === 0x76 || e === 0x0a ||
        (e === 0xe2 && z[j + 1] === 0x80 && (z[j + 2] === 0xa8 || z[j + 2] === 0xa9)) ||
        (e === 0x78 && isXDigitByte(z[j + 1] ?? 0) && isXDigitByte(z[j + 2] ?? 0))
      ) {
        opcode = JSONB_TEXT5;
        p.hasNonstd = true;
      } else if (e === 0x0d) {
        if (z[j + 1] === 0x0a) j++;
        opcode = JSONB_TEXT5;
        p.hasNonstd = true;
      } else {
        p.iErr = j;
        return SYNTAX_ERROR;
      }
    } else if (c === 0) {
      p.iErr = j;
      return SYNTAX_ERROR;
    } else if (c <= 0x1f) {
      // SQLite 3.5x accepts raw control characters as a JSON5 extension.
      opcode = JSONB_TEXT5;
      p.hasNonstd = true;
    } else if (c === 0x22) {
      opcode = JSONB_TEXT5;
    }
  }
  p.appendNode(opcode, j - 1 - i, z, i + 1);
  return j + 1;
}

function translateNumber(p: JsonParse, i: number): number {
  const z = p.zJson!;
  // Bit 0x01: uses JSON5 syntax. Bit 0x02: a real (has '.' or exponent).
  let t = 0;
  let seenE = false;
  let j: number;
  const c = z[i]!;
  const finish = (end: number): number => {
    const from = z[i] === 0x2b ? i + 1 : i;
    p.appendNode(JSONB_INT + t, end - from, z, from);
    return end;
  };
  if (c === 0x2b) p.hasNonstd = true;
  if (c === 0x2e) {
    if (!isDigitByte(z[i + 1] ?? 0)) {
      p.iErr = i;
      return SYNTAX_ERROR;
    }
    p.hasNonstd = true;
    t = 0x03;
  } else if (c <= 0x30) {
    if (c === 0x30) {
      if ((z[i + 1] === 0x78 || z[i + 1] === 0x58) && isXDigitByte(z[i + 2] ?? 0)) {
        p.hasNonstd = true;
        t = 0x01;
        for (j = i + 3; isXDigitByte(z[j] ?? 0); j++);
        return finish(j);
      } else if (isDigitByte(z[i + 1] ?? 0)) {
        p.iErr = i + 1;
        return SYNTAX_ERROR;
      }
    } else {
      // '+' or '-'
      if (!isDigitByte(z[i + 1] ?? 0)) {
        // JSON5 "+Infinity"/"-Infinity"; SQLite also takes any case and "inf".
        if ((z[i + 1] === 0x49 || z[i + 1] === 0x69) && matchesWord(z, i + 1, "inf")) {
          p.hasNonstd = true;
          if (c === 0x2d) p.appendNode(JSONB_FLOAT, 6, MINUS_NINE_E999);
          else p.appendNode(JSONB_FLOAT, 5, NINE_E999);
          return i + (matchesWord(z, i + 4, "inity") ? 9 : 4);
        }
        if (z[i + 1] === 0x2e) {
          p.hasNonstd = true;
          t |= 0x01;
        } else {
          p.iErr = i;
          return SYNTAX_ERROR;
        }
      } else if (z[i + 1] === 0x30) {
        if (isDigitByte(z[i + 2] ?? 0)) {
          p.iErr = i + 1;
          return SYNTAX_ERROR;
        } else if ((z[i + 2] === 0x78 || z[i + 2] === 0x58) && isXDigitByte(z[i + 3] ?? 0)) {
          p.hasNonstd = true;
          t |= 0x01;
          for (j = i + 4; isXDigitByte(z[j] ?? 0); j++);
          return finish(j);
        }
      }
    }
  }
  for (j = i + 1; ; j++) {
    const d = z[j] ?? 0;
    if (isDigitByte(d)) continue;
    if (d === 0x2e) {
      if (t & 0x02) {
        p.iErr = j;
        return SYNTAX_ERROR;
      }
      t |= 0x02;
      continue;
    }
    if (d === 0x65 || d === 0x45) {
      if ((z[j - 1] ?? 0) < 0x30) {
        if (z[j - 1] === 0x2e && j - 2 >= i && isDigitByte(z[j - 2] ?? 0)) {
          p.hasNonstd = true;
          t |= 0x01;
        } else {
          p.iErr = j;
          return SYNTAX_ERROR;
        }
      }
      if (seenE) {
        p.iErr = j;
        return SYNTAX_ERROR;
      }
      t |= 0x02;
      seenE = true;
      let e = z[j + 1] ?? 0;
      if (e === 0x2b || e === 0x2d) {
        j++;
        e = z[j + 1] ?? 0;
      }
      if (e < 0x30 || e > 0x39) {
        p.iErr = j;
        return SYNTAX_ERROR;
      }
      continue;
    }
    break;
  }
  if ((z[j - 1] ?? 0) < 0x30) {
    if (z[j - 1] === 0x2e && j - 2 >= i && isDigitByte(z[j - 2] ?? 0)) {
      p.hasNonstd = true;
      t |= 0x01;
    } else {
      p.iErr = j;
      return SYNTAX_ERROR;
    }
  }
  return finish(j);
}

/** Bytes of NUL padding after JSON text: C's terminator, so look-ahead never runs off the end. */
const TEXT_PADDING = 8;

/** Parses JSON text (UTF-8, cut at the first NUL) into JSONB; on a syntax error ok is false and p.iErr says where. */
export function parseJsonText(text: Uint8Array): { parse: JsonParse; ok: boolean } {
  let n = text.indexOf(0);
  if (n < 0) n = text.length;
  const z = new Uint8Array(n + TEXT_PADDING);
  z.set(text.subarray(0, n));
  return parsePadded(z, n);
}

/** parseJsonText for a JS string, encoded straight into a padded buffer. */
export function parseJsonString(text: string): { parse: JsonParse; ok: boolean } {
  const z = new Uint8Array(text.length * 3 + TEXT_PADDING);
  const { written } = encoder.encodeInto(text, z);
  const nul = z.subarray(0, written).indexOf(0);
  return parsePadded(z, nul < 0 ? written : nul);
}

/** Parses z[0..n), which is followed by at least TEXT_PADDING zero bytes. */
function parsePadded(z: Uint8Array, n: number): { parse: JsonParse; ok: boolean } {
  if (n < z.length) z.fill(0, n, Math.min(z.length, n + TEXT_PADDING));
  // JSONB is about as long as the text, so this capacity rarely grows.
  const p = new JsonParse(undefined, n + 16);
  p.zJson = z;
  p.nJson = n;
  let i = translateText(p, 0);
  if (i > 0) {
    while (isJsonSpace(z[i] ?? 0)) i++;
    if (z[i]) {
      i += json5Whitespace(z, i);
      if (z[i]) {
        // SQLite leaves iErr where the parse last set it (often 0) for trailing text.
        return { parse: p, ok: false };
      }
      p.hasNonstd = true;
    }
    return { parse: p, ok: true };
  }
  return { parse: p, ok: false };
}

/**
 * Whether a BLOB looks like JSONB (SQLite's jsonFuncArgMightBeBinary):
 * a known type whose header+payload size equals the blob size.
 */
export function mightBeJsonb(blob: Uint8Array): boolean {
  if (blob.length < 1 || (blob[0]! & 0x0f) > JSONB_OBJECT) return false;
  const p = new JsonParse(blob);
  const { n, sz } = p.payloadSize(0);
  if (n === 0 || sz + n !== blob.length) return false;
  if ((blob[0]! & 0x0f) <= JSONB_FALSE && sz > 0) return false;
  // A first byte that is an ASCII digit could equally start JSON text (a
  // number): SQLite 3.5x then takes the blob as JSONB only if it is strictly valid.
  if (blob[0]! >= 0x30 && blob[0]! <= 0x39) return jsonbValidityCheck(p, 0, blob.length, 1) === 0;
  return true;
}

/** Renders the element at i as canonical JSON text into out; returns the index after it. */
export function blobToText(p: JsonParse, i: number, out: ByteString): number {
  const { n, sz } = p.payloadSize(i);
  if (n === 0) {
    out.malformed = true;
    return p.nBlob + 1;
  }
  const a = p.aBlob;
  const from = i + n;
  switch (a[i]! & 0x0f) {
    case JSONB_NULL:
      out.ascii("null");
      return i + 1;
    case JSONB_TRUE:
      out.ascii("true");
      return i + 1;
    case JSONB_FALSE:
      out.ascii("false");
      return i + 1;
    case JSONB_INT:
    case JSONB_FLOAT:
      if (sz === 0) out.malformed = true;
      else out.append(a, from, from + sz);
      break;
    case JSONB_INT5: {
      if (sz === 0) {
        out.malformed = true;
        break;
      }
      let k = 2;
      if (a[from] === 0x2d) {
        out.byte(0x2d);
        k++;
      } else if (a[from] === 0x2b) {
        k++;
      }
      let u = 0n;
      let overflow = false;
      for (; k < sz; k++) {
        const c = a[from + k]!;
        if (!isXDigitByte(c)) {
          out.malformed = true;
          break;
        } else if (u >> 60n !== 0n) {
          overflow = true;
        } else {
          u = u * 16n + BigInt(hexValue(c));
        }
      }
      out.ascii(overflow ? "9.0e999" : u.toString());
      break;
    }
    case JSONB_FLOAT5: {
      if (sz === 0) {
        out.malformed = true;
        break;
      }
      let k = 0;
      if (a[from] === 0x2d) {
        out.byte(0x2d);
        k++;
      }
      if (a[from + k] === 0x2e) out.byte(0x30);
      for (; k < sz; k++) {
        const c = a[from + k]!;
        out.byte(c);
        if (c === 0x2e && (k + 1 === sz || !isDigitByte(a[from + k + 1]!))) out.byte(0x30);
      }
      break;
    }
    case JSONB_TEXT:
    case JSONB_TEXTJ:
      out.byte(0x22);
      out.append(a, from, from + sz);
      out.byte(0x22);
      break;
    case JSONB_TEXT5:
      appendText5AsJson(a, from, from + sz, out);
      break;
    case JSONB_TEXTRAW:
      out.quoted(a, from, from + sz);
      break;
    case JSONB_ARRAY: {
      out.byte(0x5b);
      let j = from;
      const end = from + sz;
      while (j < end && !out.malformed) {
        j = blobToText(p, j, out);
        out.byte(0x2c);
      }
      if (j > end) out.malformed = true;
      if (sz > 0) out.length--;
      out.byte(0x5d);
      break;
    }
    case JSONB_OBJECT: {
      let x = 0;
      out.byte(0x7b);
      let j = from;
      const end = from + sz;
      while (j < end && !out.malformed) {
        j = blobToText(p, j, out);
        out.byte(x++ & 1 ? 0x2c : 0x3a);
      }
      if (x & 1 || j > end) out.malformed = true;
      if (sz > 0) out.length--;
      out.byte(0x7d);
      break;
    }
    default:
      out.malformed = true;
      break;
  }
  return i + n + sz;
}

/** A JSON5 string payload rewritten as a standard JSON string literal. */
function appendText5AsJson(a: Uint8Array, start: number, end: number, out: ByteString): void {
  out.byte(0x22);
  let k = start;
  while (k < end) {
    const c = a[k]!;
    if (c === 0x22) {
      out.ascii('\\"');
      k++;
      continue;
    }
    if (c < 0x20) {
      // A raw control character (accepted as JSON5) is escaped on output.
      out.quotedBody(c);
      k++;
      continue;
    }
    if (c !== 0x5c) {
      out.byte(c);
      k++;
      continue;
    }
    if (end - k < 2) {
      out.malformed = true;
      break;
    }
    const e = a[k + 1]!;
    switch (e) {
      case 0x27:
        out.byte(0x27);
        break;
      case 0x76:
        out.ascii("\\u000b");
        break;
      case 0x78:
        if (end - k < 4) {
          out.malformed = true;
          k = end;
          continue;
        }
        out.ascii("\\u00");
        out.append(a, k + 2, k + 4);
        k += 2;
        break;
      case 0x30:
        out.ascii("\\u0000");
        break;
      case 0x0d:
        if (end - k > 2 && a[k + 2] === 0x0a) k++;
        break;
      case 0x0a:
        break;
      case 0xe2:
        if (end - k < 4 || a[k + 2] !== 0x80 || (a[k + 3] !== 0xa8 && a[k + 3] !== 0xa9)) {
          out.malformed = true;
          k = end;
          continue;
        }
        k += 2;
        break;
      default:
        out.append(a, k, k + 2);
        break;
    }
    k += 2;
  }
  out.byte(0x22);
}

/** Renders the element at i as json_pretty() does, indenting nested levels by `indent`. */
export function blobToPrettyText(p: JsonParse, i: number, out: ByteString, indent: Uint8Array, depth: number): number {
  const { n, sz } = p.payloadSize(i);
  if (n === 0) {
    out.malformed = true;
    return p.nBlob + 1;
  }
  const t = p.aBlob[i]! & 0x0f;
  if (t !== JSONB_ARRAY && t !== JSONB_OBJECT) return blobToText(p, i, out);
  const newline = (level: number): void => {
    out.byte(0x0a);
    for (let k = 0; k < level; k++) out.append(indent);
  };
  const end = i + n + sz;
  out.byte(t === JSONB_ARRAY ? 0x5b : 0x7b);
  if (sz > 0) {
    let j = i + n;
    newline(depth + 1);
    while (j < end && !out.malformed) {
      if (t === JSONB_OBJECT) {
        j = blobToText(p, j, out);
        out.ascii(": ");
      }
      j = blobToPrettyText(p, j, out, indent, depth + 1);
      if (j < end) {
        out.byte(0x2c);
        newline(depth + 1);
      }
    }
    if (j > end) out.malformed = true;
    newline(depth);
  }
  out.byte(t === JSONB_ARRAY ? 0x5d : 0x7d);
  return end;
}

/** Number of elements of the array at iRoot. */
export function arrayCount(p: JsonParse, iRoot: number): number {
  let { n, sz } = p.payloadSize(iRoot);
  const end = iRoot + n + sz;
  let k = 0;
  for (let i = iRoot + n; n > 0 && i < end; i += sz + n, k++) {
    ({ n, sz } = p.payloadSize(i));
  }
  return k;
}

/** Code point returned by unescapeOneChar for an invalid escape. */
export const JSON_INVALID_CHAR = 0x99999;

/** Bytes of escaped line continuations (\ + newline forms) at z[i..end). */
function bytesToBypass(z: Uint8Array, i: number, end: number): number {
  const start = i;
  while (i + 1 < end) {
    if (z[i] !== 0x5c) return i - start;
    if (z[i + 1] === 0x0a) {
      i += 2;
      continue;
    }
    if (z[i + 1] === 0x0d) {
      i += i + 2 < end && z[i + 2] === 0x0a ? 3 : 2;
      continue;
    }
    if (z[i + 1] === 0xe2 && i + 3 < end && z[i + 2] === 0x80 && (z[i + 3] === 0xa8 || z[i + 3] === 0xa9)) {
      i += 4;
      continue;
    }
    break;
  }
  return i - start;
}

/** Reads one UTF-8 character at z[i] (at most end); returns [code point, bytes]. */
export function readUtf8(z: Uint8Array, i: number, end: number): [number, number] {
  const c = z[i]!;
  if (c < 0xc0) return [c, 1];
  let extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
  let v = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
  let k = 1;
  while (extra-- > 0 && i + k < end && (z[i + k]! & 0xc0) === 0x80) {
    v = (v << 6) | (z[i + k]! & 0x3f);
    k++;
  }
  return [v, k];
}

/** Decodes the escape sequence at z[i] (a '\\'); returns [code point, bytes consumed]. */
export function unescapeOneChar(z: Uint8Array, i: number, end: number): [number, number] {
  const n = end - i;
  if (n < 2) return [JSON_INVALID_CHAR, n];
  switch (z[i + 1]) {
    case 0x75: {
      if (n < 6) return [JSON_INVALID_CHAR, n];
      const v = hex4(z, i + 2);
      if ((v & 0xfc00) === 0xd800 && n >= 12 && z[i + 6] === 0x5c && z[i + 7] === 0x75) {
        const lo = hex4(z, i + 8);
        if ((lo & 0xfc00) === 0xdc00) return [((v & 0x3ff) << 10) + (lo & 0x3ff) + 0x10000, 12];
      }
      return [v, 6];
    }
    case 0x62:
      return [8, 2];
    case 0x66:
      return [12, 2];
    case 0x6e:
      return [10, 2];
    case 0x72:
      return [13, 2];
    case 0x74:
      return [9, 2];
    case 0x76:
      return [11, 2];
    case 0x30:
      return [0, 2];
    case 0x27:
    case 0x22:
    case 0x2f:
    case 0x5c:
      return [z[i + 1]!, 2];
    case 0x78:
      if (n < 4) return [JSON_INVALID_CHAR, n];
      return [(hexValue(z[i + 2]!) << 4) | hexValue(z[i + 3]!), 4];
    case 0xe2:
    case 0x0d:
    case 0x0a: {
      const skip = bytesToBypass(z, i, end);
      if (skip === 0) return [JSON_INVALID_CHAR, n];
      if (skip === n) return [0, n];
      if (z[i + skip] === 0x5c) {
        const [c, len] = unescapeOneChar(z, i + skip, end);
        return [c, skip + len];
      }
      const [c, len] = readUtf8(z, i + skip, end);
      return [c, skip + len];
    }
    default:
      return [JSON_INVALID_CHAR, 2];
  }
}

function hex4(z: Uint8Array, i: number): number {
  return (hexValue(z[i]!) << 12) + (hexValue(z[i + 1]!) << 8) + (hexValue(z[i + 2]!) << 4) + hexValue(z[i + 3]!);
}

/** Whether two object labels are equal once escapes are decoded ("raw" = contains no escapes). */
export function labelsEqual(
  left: Uint8Array, li: number, lEnd: number, rawLeft: boolean,
  right: Uint8Array, ri: number, rEnd: number, rawRight: boolean,
): boolean {
  if (rawLeft && rawRight) {
    if (lEnd - li !== rEnd - ri) return false;
    for (let k = 0; k < lEnd - li; k++) if (left[li + k] !== right[ri + k]) return false;
    return true;
  }
  for (;;) {
    let cl: number;
    let cr: number;
    if (li >= lEnd) cl = 0;
    else if (rawLeft || left[li] !== 0x5c) {
      const [c, len] = readUtf8(left, li, lEnd);
      cl = c;
      li += len;
    } else {
      const [c, len] = unescapeOneChar(left, li, lEnd);
      cl = c;
      li += len;
    }
    if (ri >= rEnd) cr = 0;
    else if (rawRight || right[ri] !== 0x5c) {
      const [c, len] = readUtf8(right, ri, rEnd);
      cr = c;
      ri += len;
    } else {
      const [c, len] = unescapeOneChar(right, ri, rEnd);
      cr = c;
      ri += len;
    }
    if (cl !== cr) return false;
    if (cl === 0) return true;
  }
}

/**
 * Strict JSONB check of the element at i, which must end exactly at iEnd
 * (SQLite's jsonbValidityCheck). Returns 0 when well-formed, else the
 * 1-based byte offset of the first problem.
 */
export function jsonbValidityCheck(p: JsonParse, i: number, iEnd: number, depth: number): number {
  if (depth > MAX_DEPTH) return i + 1;
  const { n, sz } = p.payloadSize(i);
  if (n === 0 || i + n + sz !== iEnd) return i + 1;
  const z = p.aBlob;
  const x = z[i]! & 0x0f;
  let j = i + n;
  const k = j + sz;
  switch (x) {
    case JSONB_NULL:
    case JSONB_TRUE:
    case JSONB_FALSE:
      return n + sz === 1 ? 0 : i + 1;
    case JSONB_INT:
      if (sz < 1) return i + 1;
      if (z[j] === 0x2d) {
        j++;
        if (sz < 2) return i + 1;
      }
      for (; j < k; j++) if (!isDigitByte(z[j]!)) return j + 1;
      return 0;
    case JSONB_INT5:
      if (sz < 3) return i + 1;
      if (z[j] === 0x2d) {
        if (sz < 4) return i + 1;
        j++;
      }
      if (z[j] !== 0x30) return i + 1;
      if (z[j + 1] !== 0x78 && z[j + 1] !== 0x58) return j + 2;
      for (j += 2; j < k; j++) if (!isXDigitByte(z[j]!)) return j + 1;
      return 0;
    case JSONB_FLOAT:
    case JSONB_FLOAT5: {
      // 0: nothing seen yet, 1: '.' seen, 2: exponent seen.
      let seen = 0;
      if (sz < 2) return i + 1;
      if (z[j] === 0x2d) {
        j++;
        if (sz < 3) return i + 1;
      }
      if (z[j] === 0x2e) {
        if (x === JSONB_FLOAT) return j + 1;
        if (!isDigitByte(z[j + 1] ?? 0)) return j + 1;
        j += 2;
        seen = 1;
      } else if (z[j] === 0x30 && x === JSONB_FLOAT) {
        if (j + 3 > k) return j + 1;
        if (z[j + 1] !== 0x2e && z[j + 1] !== 0x65 && z[j + 1] !== 0x45) return j + 1;
        j++;
      }
      for (; j < k; j++) {
        const c = z[j]!;
        if (isDigitByte(c)) continue;
        if (c === 0x2e) {
          if (seen > 0) return j + 1;
          if (x === JSONB_FLOAT && (j === k - 1 || !isDigitByte(z[j + 1]!))) return j + 1;
          seen = 1;
          continue;
        }
        if (c === 0x65 || c === 0x45) {
          if (seen === 2) return j + 1;
          if (j === k - 1) return j + 1;
          if (z[j + 1] === 0x2b || z[j + 1] === 0x2d) {
            j++;
            if (j === k - 1) return j + 1;
          }
          seen = 2;
          continue;
        }
        return j + 1;
      }
      return seen === 0 ? i + 1 : 0;
    }
    case JSONB_TEXT:
      for (; j < k; j++) if (!isJsonOk(z[j]!) && z[j] !== 0x27) return j + 1;
      return 0;
    case JSONB_TEXTJ:
    case JSONB_TEXT5:
      for (; j < k; j++) {
        const c = z[j]!;
        if (isJsonOk(c) || c === 0x27) continue;
        if (c === 0x22) {
          if (x === JSONB_TEXTJ) return j + 1;
        } else if (c < 0x20 && x === JSONB_TEXT5) {
          // Raw control characters are a JSON5 form SQLite 3.5x accepts.
        } else if (c !== 0x5c || j + 1 >= k) {
          return j + 1;
        } else if ('"\\/bfnrt'.includes(String.fromCharCode(z[j + 1]!))) {
          j++;
        } else if (z[j + 1] === 0x75) {
          if (j + 5 >= k) return j + 1;
          if (!is4Hex(z, j + 2)) return j + 1;
          j++;
        } else if (x !== JSONB_TEXT5) {
          return j + 1;
        } else {
          const [cp, len] = unescapeOneChar(z, j, k);
          if (cp === JSON_INVALID_CHAR) return j + 1;
          j += len - 1;
        }
      }
      return 0;
    case JSONB_TEXTRAW:
      return 0;
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
      let count = 0;
      while (j < k) {
        const child = p.payloadSize(j);
        if (child.n === 0 || j + child.n + child.sz > k) return j + 1;
        if (x === JSONB_OBJECT && (count & 1) === 0) {
          const t = z[j]! & 0x0f;
          if (t < JSONB_TEXT || t > JSONB_TEXTRAW) return j + 1;
        }
        const sub = jsonbValidityCheck(p, j, j + child.n + child.sz, depth + 1);
        if (sub) return sub;
        count++;
        j += child.n + child.sz;
      }
      if (x === JSONB_OBJECT && (count & 1) !== 0) return j + 1;
      return 0;
    }
    default:
      return i + 1;
  }
}
