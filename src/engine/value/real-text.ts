// REAL -> text as SQLite 3.5x renders it (CAST(r AS TEXT), quote(), `||`,
// JSON): printf "%!.17g" over sqlite3FpDecode, reproduced with SQLite's own
// 128-bit power-of-ten conversion (bigint), so that the digits match SQLite's
// including where they are not the correctly rounded ones. Checked against
// sql.js (SQLite 3.54) on random doubles (test/engine/value/real-text.test.ts).

/**
 * SQLite 3.5x's digits for printf "%!.17g": its ~18 significant digits of |r|,
 * rounded again (half up) to 17 — double rounding, which is why 1.0/3 shows
 * as 0.33333333333333332 — unless a shorter form near 15 digits
 * converts back to the same double: a run of nines at digits 15-16 is rounded
 * up, or a run of zeros (or a value with no fraction) is cut. Returns the
 * digits without trailing zeros and iDP, the number of digits before the point.
 */
function decodeReal17(r: number): { digits: string; iDP: number } {
  const { all, iDP } = eighteenDigits(r);
  const digit = (i: number): string => all[i] ?? "0";
  const roundsTo = (candidate: bigint, kept: number): boolean =>
    Number(`${candidate}e${iDP - kept}`) === Math.abs(r);
  let keep = 17;
  if (digit(15) === "9" && digit(14) === "9") {
    let kept = 14;
    while (kept > 0 && digit(kept - 1) === "9") kept--;
    const candidate = kept === 0 ? 1n : BigInt(all.slice(0, kept)) + 1n;
    if (roundsTo(candidate, kept)) keep = kept + 1;
  } else if (iDP >= all.length || (digit(15) === "0" && digit(14) === "0" && digit(13) === "0")) {
    let kept = 13;
    while (kept > 0 && digit(kept - 1) === "0") kept--;
    if (roundsTo(kept === 0 ? 0n : BigInt(all.slice(0, kept)), kept)) keep = kept + 1;
  }
  return roundDigits(all, keep, iDP);
}

/**
 * floor(10^p * 2^s) normalised into [2^63, 2^64), for p in -348..347: the
 * power-of-ten table SQLite 3.5x converts binary exponents with.
 */
const POWERS_OF_TEN_FIRST = -348;
const POWERS_OF_TEN: readonly bigint[] = (() => {
  const table: bigint[] = [];
  for (let p = POWERS_OF_TEN_FIRST; p <= 347; p++) {
    const num = p >= 0 ? 10n ** BigInt(p) : 1n;
    const den = p >= 0 ? 1n : 10n ** BigInt(-p);
    let s = 63 - Math.floor(p * Math.log2(10));
    const scaled = (): bigint => (num << BigInt(Math.max(s, 0))) / (den << BigInt(Math.max(-s, 0)));
    let v = scaled();
    while (v >= 1n << 64n) {
      s--;
      v = scaled();
    }
    while (v < 1n << 63n) {
      s++;
      v = scaled();
    }
    table.push(v);
  }
  return table;
})();

const f64 = new DataView(new ArrayBuffer(8));

/**
 * SQLite's sqlite3Fp2Convert10(m, e, 18): about 18 significant digits of |r|
 * from the 128-bit product of the mantissa with a power of ten, rounded from
 * two guard bits (not always the correctly rounded digits).
 */
function eighteenDigits(r: number): { all: string; iDP: number } {
  f64.setFloat64(0, Math.abs(r));
  let m = f64.getBigUint64(0);
  let e = Number((m >> 52n) & 0x7ffn);
  m &= 0xfffffffffffffn;
  if (e === 0) {
    const shift = 64 - m.toString(2).length;
    m <<= BigInt(shift);
    e = -1074 - shift;
  } else {
    m = (m << 11n) | (1n << 63n);
    e -= 1086;
  }
  const p = 18 - 1 - ((e + 63) * 78913 >> 18);
  const h = (m * POWERS_OF_TEN[p - POWERS_OF_TEN_FIRST]!) >> 64n;
  const out = h >> BigInt(-(e + ((p * 108853) >> 15) + 3));
  const all = ((out + 2n + ((out >> 2n) & 1n)) >> 2n).toString();
  return { all, iDP: all.length - p };
}

/** Rounds a digit string half up to `keep` digits, carrying into the point. */
function roundDigits(all: string, keep: number, iDP: number): { digits: string; iDP: number } {
  let digits = all.slice(0, keep);
  if (all.charCodeAt(keep) >= 0x35) {
    const d = digits.split("").map(Number);
    let j = keep - 1;
    for (;;) {
      if (j < 0) {
        d.unshift(1);
        d.pop();
        iDP++;
        break;
      }
      if (d[j] === 9) {
        d[j] = 0;
        j--;
      } else {
        d[j]!++;
        break;
      }
    }
    digits = d.join("");
  }
  return { digits: digits.replace(/0+$/, "") || "0", iDP };
}

/**
 * A REAL rendered as SQLite 3.5x renders it (quote(), CAST AS TEXT, JSON):
 * printf "%!.17g" over sqlite3FpDecode — up to 17 significant digits,
 * exponent form when the decimal exponent is below -4 or above 16, always a
 * ".0" or an exponent. Infinities render as "Inf"/"-Inf"; -0.0 as "0.0".
 */
export function realToText(d: number): string {
  if (d === Infinity) return "Inf";
  if (d === -Infinity) return "-Inf";
  if (d === 0) return "0.0";
  const { digits, iDP } = decodeReal17(d);
  const exp = iDP - 1;
  let body: string;
  if (exp < -4 || exp > 16) {
    const frac = digits.length > 1 ? digits.slice(1) : "0";
    const expAbs = Math.abs(exp);
    body = `${digits[0]}.${frac}e${exp < 0 ? "-" : "+"}${expAbs < 10 ? "0" : ""}${expAbs}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length > exp + 1) {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    body = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  }
  return d < 0 ? `-${body}` : body;
}
