// Collating sequences for TEXT comparison: BINARY (memcmp of the UTF-8
// bytes, i.e. code point order), NOCASE (ASCII-only case folding) and RTRIM
// (trailing spaces ignored), plus a registry by (case-insensitive) name.

/** Compares two strings; negative, zero or positive like memcmp. */
export type Collation = (a: string, b: string) => number;

const HIGH_UNIT = /[\uD800-\uFFFF]/;

/**
 * UTF-8 byte order equals code point order, which differs from UTF-16 code
 * unit order only when a surrogate (astral char) meets U+E000..U+FFFF, so
 * the fast path compares code units and fixes up just that case.
 */
export function binaryCollation(a: string, b: string): number {
  if (a === b) return 0;
  // The orders can only disagree when both strings have code units >= U+D800.
  if (!HIGH_UNIT.test(a) || !HIGH_UNIT.test(b)) return a < b ? -1 : 1;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codeUnitOrder(ca, cb);
  }
  return a.length - b.length;
}

/** Order of two differing UTF-16 code units as the UTF-8 bytes of their characters would order. */
function codeUnitOrder(ca: number, cb: number): number {
  const sa = ca >= 0xd800 && ca <= 0xdfff;
  const sb = cb >= 0xd800 && cb <= 0xdfff;
  // A surrogate starts a code point >= U+10000, above every BMP character.
  if (sa !== sb) return sa ? 1 : -1;
  return ca - cb;
}

function asciiLower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** NOCASE: like BINARY after folding ASCII A-Z to a-z (other letters are not folded). */
export function nocaseCollation(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const la = asciiLower(ca);
      const lb = asciiLower(cb);
      if (la !== lb) return codeUnitOrder(la, lb);
    }
  }
  return a.length - b.length;
}

function lengthWithoutTrailingSpaces(s: string): number {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 32) n--;
  return n;
}

/** RTRIM: like BINARY but trailing spaces (U+0020 only) are ignored. */
export function rtrimCollation(a: string, b: string): number {
  const na = lengthWithoutTrailingSpaces(a);
  const nb = lengthWithoutTrailingSpaces(b);
  const n = na < nb ? na : nb;
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codeUnitOrder(ca, cb);
  }
  return na - nb;
}

const collations = new Map<string, Collation>([
  ["binary", binaryCollation],
  ["nocase", nocaseCollation],
  ["rtrim", rtrimCollation],
]);

/** The collation registered under `name` (case-insensitive), or undefined ("no such collation sequence"). */
export function findCollation(name: string): Collation | undefined {
  return collations.get(name.toLowerCase());
}

/** Registers (or replaces) a collation, as sqlite3_create_collation does. */
export function registerCollation(name: string, collation: Collation): void {
  collations.set(name.toLowerCase(), collation);
}
