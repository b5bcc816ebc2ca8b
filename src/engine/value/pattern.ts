// LIKE and GLOB matching (SQLite's patternCompare): LIKE has % and _, an
// optional escape character and ASCII-only case folding; GLOB has * ? and
// [...] sets with ranges and ^, and is case-sensitive. Both work on whole
// characters (code points), not UTF-16 units.

const MATCH = 0;
const NO_MATCH = 1;
/** No match, and no later start position for the last wildcard can match either (prunes backtracking). */
const NO_WILDCARD_MATCH = 2;

interface PatternRules {
  matchAll: number; // '%' or '*', 0 when it is the escape character
  matchOne: number; // '_' or '?', 0 when it is the escape character
  /** LIKE: the escape character (0 for none); GLOB: '[' which opens a set. */
  matchOther: number;
  isGlob: boolean;
  noCase: boolean;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function charWidth(c: number): number {
  return c > 0xffff ? 2 : 1;
}

/** Code point at i, or 0 at the end of the string. */
function at(s: string, i: number): number {
  return i < s.length ? (s.codePointAt(i) as number) : 0;
}

function compare(p: string, pi: number, s: string, si: number, rules: PatternRules): number {
  const { matchAll, matchOne, matchOther } = rules;
  let escapedEnd = -1;
  for (;;) {
    let c = at(p, pi);
    if (c === 0) break;
    pi += charWidth(c);
    if (c === matchAll) {
      // Collapse runs of matchAll; each matchOne among them consumes one char.
      for (;;) {
        c = at(p, pi);
        if (c === 0) break;
        if (c === matchAll) {
          pi += 1;
        } else if (c === matchOne && matchOne !== 0) {
          pi += 1;
          const sc = at(s, si);
          if (sc === 0) return NO_WILDCARD_MATCH;
          si += charWidth(sc);
        } else break;
      }
      if (c === 0) return MATCH;
      if (c === matchOther) {
        if (!rules.isGlob) {
          pi += charWidth(c);
          c = at(p, pi);
          if (c === 0) return NO_WILDCARD_MATCH;
          pi += charWidth(c);
        } else {
          // A set right after "*": try every start position.
          while (si < s.length) {
            const r = compare(p, pi, s, si, rules);
            if (r !== NO_MATCH) return r;
            si += charWidth(at(s, si));
          }
          return NO_WILDCARD_MATCH;
        }
      } else {
        pi += charWidth(c);
      }
      // c is the literal char after the wildcard: try each position in s where it occurs.
      const folded = rules.noCase && c < 0x80 ? lower(c) : -1;
      while (si < s.length) {
        const sc = at(s, si);
        si += charWidth(sc);
        if (sc === c || (folded >= 0 && sc < 0x80 && lower(sc) === folded)) {
          const r = compare(p, pi, s, si, rules);
          if (r !== NO_MATCH) return r;
        }
      }
      return NO_WILDCARD_MATCH;
    }
    if (c === matchOther) {
      if (!rules.isGlob) {
        c = at(p, pi);
        if (c === 0) return NO_MATCH;
        pi += charWidth(c);
        escapedEnd = pi;
      } else {
        const sc = at(s, si);
        if (sc === 0) return NO_MATCH;
        si += charWidth(sc);
        let prior = 0;
        let seen = false;
        let invert = false;
        let c2 = at(p, pi);
        pi += charWidth(c2);
        if (c2 === 94 /* ^ */) {
          invert = true;
          c2 = at(p, pi);
          pi += charWidth(c2);
        }
        if (c2 === 93 /* ] */) {
          if (sc === 93) seen = true;
          c2 = at(p, pi);
          pi += charWidth(c2);
        }
        while (c2 !== 0 && c2 !== 93) {
          const next = at(p, pi);
          if (c2 === 45 /* - */ && next !== 93 && next !== 0 && prior > 0) {
            c2 = next;
            pi += charWidth(c2);
            if (sc >= prior && sc <= c2) seen = true;
            prior = 0;
          } else {
            if (sc === c2) seen = true;
            prior = c2;
          }
          c2 = at(p, pi);
          pi += charWidth(c2);
        }
        if (c2 === 0 || seen === invert) return NO_MATCH;
        continue;
      }
    }
    const sc = at(s, si);
    si += charWidth(sc);
    if (c === sc && sc !== 0) continue;
    if (rules.noCase && c < 0x80 && sc < 0x80 && sc !== 0 && lower(c) === lower(sc)) continue;
    if (c === matchOne && pi !== escapedEnd && sc !== 0) continue;
    return NO_MATCH;
  }
  return si >= s.length ? MATCH : NO_MATCH;
}

/** GLOB: whether `s` matches `pattern` (case-sensitive, * ? [...]). */
export function globMatch(pattern: string, s: string): boolean {
  return compare(pattern, 0, s, 0, { matchAll: 42, matchOne: 63, matchOther: 91, isGlob: true, noCase: false }) === MATCH;
}

/**
 * LIKE: whether `s` matches `pattern` (% _; ASCII case-insensitive unless
 * caseSensitive). `escape` is the escape character's code point or 0 for
 * none; an escape equal to % or _ disables that wildcard, as in SQLite.
 */
export function likeMatch(pattern: string, s: string, escape = 0, caseSensitive = false): boolean {
  const rules: PatternRules = {
    matchAll: escape === 37 ? 0 : 37,
    matchOne: escape === 95 ? 0 : 95,
    matchOther: escape,
    isGlob: false,
    noCase: !caseSensitive,
  };
  return compare(pattern, 0, s, 0, rules) === MATCH;
}
