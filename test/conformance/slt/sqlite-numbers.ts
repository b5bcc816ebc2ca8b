// SQLite's numeric conversions as the sqllogictest formatter needs them:
// text/real -> int64 (sqlite3_column_int64), text -> double
// (sqlite3_column_double), and SQLite's own printf renderings `%.Nf` and
// `%!.17g` (the latter is how SQLite 3.54 turns a REAL into TEXT).
//
// The digit generation follows sqlite3FpDecode: about 18 significant digits
// from a 64-bit fixed-point product, then decimal round-half-up at the
// requested position, never more than `mxRound` significant digits (16 for
// plain %f/%g: the rest prints as zeros).
//
// Deliberately independent of the engine's own conversions (src/engine/value):
// the runner checks the engine, so it must not share its code. Every function
// here is tested against sql.js (slt-format.test.ts).
import { INT64_MAX, INT64_MIN } from "../../../src/engine/value/types.js";

/** sqlite3Isspace: space and \t \n \v \f \r. */
function isSqliteSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * sqlite3Atoi64 as used by sqlite3_column_int64 on TEXT or BLOB: the longest
 * integer prefix after leading spaces, clamped to the int64 range; 0 when
 * there are no digits. Only ASCII matters, so a latin1 view of a blob works.
 */
export function textToInt64(text: string): bigint {
  let i = 0;
  while (i < text.length && isSqliteSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === "-") {
    negative = true;
    i++;
  } else if (text[i] === "+") {
    i++;
  }
  while (text[i] === "0") i++;
  const start = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  const digits = text.slice(start, i);
  if (digits.length === 0) return 0n;
  const overflow = digits.length > 19 || (digits.length === 19 && digits >= "9223372036854775808");
  if (overflow) return negative ? INT64_MIN : INT64_MAX;
  const magnitude = BigInt(digits);
  return negative ? -magnitude : magnitude;
}

/** SQLite's doubleToInt64: truncation toward zero, saturating at the int64 bounds. */
export function doubleToInt64(r: number): bigint {
  if (Number.isNaN(r)) return 0n;
  if (r <= -9223372036854775808) return INT64_MIN;
  if (r >= 9223372036854775807) return INT64_MAX;
  return BigInt(Math.trunc(r));
}

// The grammar sqlite3AtoF accepts as a prefix: [+-]digits[.digits][e[+-]digits],
// [+-]digits.[e...] or [+-].digits[e...]. An exponent without digits is ignored.
const REAL_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?/;

/** sqlite3AtoF as used by sqlite3_column_double on TEXT or BLOB: 0.0 when no numeric prefix. */
export function textToDouble(text: string): number {
  const m = REAL_PREFIX.exec(text);
  if (m === null) return 0;
  const magnitude = Number(`${m[2]}e${m[3] ?? "0"}`);
  return m[1] === "-" ? -magnitude : magnitude;
}

/** A double decoded into decimal digits: value = 0.DIGITS * 10^pointPosition (sqlite3FpDecode's iDP). */
interface DecodedReal {
  negative: boolean;
  /** Significant digits without trailing zeros; "0" for zero; "" for infinities. */
  digits: string;
  pointPosition: number;
  infinite: boolean;
}

// sqlite3Fp2Convert10 and its power-of-ten table, ported from SQLite 3.54 so
// that the decimal digits (and hence every rounding decision, e.g. 114.5505
// -> "114.550" but 313.3005 -> "313.301") are bit-for-bit SQLite's own. The
// constants are pow(10,p) normalised to 64 significant bits (+32 more in *Lo).
const POW10_BASE: readonly bigint[] = [
  0x8000000000000000n, 0xa000000000000000n, 0xc800000000000000n, 0xfa00000000000000n,
  0x9c40000000000000n, 0xc350000000000000n, 0xf424000000000000n, 0x9896800000000000n,
  0xbebc200000000000n, 0xee6b280000000000n, 0x9502f90000000000n, 0xba43b74000000000n,
  0xe8d4a51000000000n, 0x9184e72a00000000n, 0xb5e620f480000000n, 0xe35fa931a0000000n,
  0x8e1bc9bf04000000n, 0xb1a2bc2ec5000000n, 0xde0b6b3a76400000n, 0x8ac7230489e80000n,
  0xad78ebc5ac620000n, 0xd8d726b7177a8000n, 0x878678326eac9000n, 0xa968163f0a57b400n,
  0xd3c21bcecceda100n, 0x84595161401484a0n, 0xa56fa5b99019a5c8n,
];
// pow(10, 27 * (i - 13)), except entry 13 which is pow(10,-1).
const POW10_SCALE: readonly bigint[] = [
  0x8049a4ac0c5811aen, 0xcf42894a5dce35ean, 0xa76c582338ed2621n, 0x873e4f75e2224e68n,
  0xda7f5bf590966848n, 0xb080392cc4349decn, 0x8e938662882af53en, 0xe65829b3046b0afan,
  0xba121a4650e4ddebn, 0x964e858c91ba2655n, 0xf2d56790ab41c2a2n, 0xc428d05aa4751e4cn,
  0x9e74d1b791e07e48n, 0xccccccccccccccccn, 0xcecb8f27f4200f3an, 0xa70c3c40a64e6c51n,
  0x86f0ac99b4e8dafdn, 0xda01ee641a708de9n, 0xb01ae745b101e9e4n, 0x8e41ade9fbebc27dn,
  0xe5d3ef282a242e81n, 0xb9a74a0637ce2ee1n, 0x95f83d0a1fb69cd9n, 0xf24a01a73cf2dccfn,
  0xc3b8358109e84f07n, 0x9e19db92b4e31ba9n,
];
const POW10_SCALE_LO: readonly bigint[] = [
  0x205b896dn, 0x52064cadn, 0xaf2af2b8n, 0x5a7744a7n, 0xaf39a475n, 0xbd8d794en, 0x547eb47bn,
  0x0cb4a5a3n, 0x92f34d62n, 0x3a6a07f9n, 0xfae27299n, 0xaa97e14cn, 0x775ea265n, 0xccccccccn,
  0x00000000n, 0x999090b6n, 0x69a028bbn, 0xe80e6f48n, 0x5ec05dd0n, 0x14588f14n, 0x8f1668c9n,
  0x6d953e2cn, 0x4abdaf10n, 0xbc633b39n, 0x0a862f81n, 0x6c07a2c2n,
];
const MASK64 = (1n << 64n) - 1n;
const MASK32 = (1n << 32n) - 1n;

/** SQLite's powerOfTen: the top 64 bits of pow(10,p) (the next 32 bits are not needed here). */
function powerOfTen(p: number): bigint {
  let g: number;
  let n: number;
  if (p < 0) {
    if (p === -1) return POW10_SCALE[13];
    g = Math.trunc(p / 27);
    n = p % 27;
    if (n !== 0) {
      g--;
      n += 27;
    }
  } else if (p < 27) {
    return POW10_BASE[p];
  } else {
    g = Math.trunc(p / 27);
    n = p % 27;
  }
  const scale = POW10_SCALE[g + 13];
  if (n === 0) return scale;
  // sqlite3Multiply160: the upper 96 bits of the 160-bit product.
  const product = ((scale << 32n) | POW10_SCALE_LO[g + 13]) * POW10_BASE[n];
  let x = product >> 96n;
  const lo = (product >> 64n) & MASK32;
  if (x >> 63n === 0n) x = ((x << 1n) | ((lo >> 31n) & 1n)) & MASK64;
  return x;
}

const pwr10to2 = (p: number): number => (p * 108853) >> 15;
const pwr2to10 = (p: number): number => (p * 78913) >> 18;

/**
 * sqlite3FpDecode's digit source: r = m * 2^e (m with its top bit set) as
 * d * 10^exponent with d holding at least n significant digits.
 */
function fp2Convert10(m: bigint, e: number, n: number): { d: bigint; exponent: number } {
  const p = n - 1 - pwr2to10(e + 63);
  let h = (m * powerOfTen(p)) >> 64n;
  let d: bigint;
  if (n === 18) {
    h >>= BigInt(-(e + pwr10to2(p) + 2));
    d = (h + ((h << 1n) & 2n)) >> 1n;
  } else {
    d = h >> BigInt(-(e + pwr10to2(p) + 1));
  }
  return { d, exponent: -p };
}

/** The significant digits SQLite computes for a positive finite double, and its decimal point position. */
function sqliteDigits(r: number, digitsWanted: number): { digits: string; pointPosition: number } {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, r);
  const high = bits.getUint32(0);
  let e = (high >>> 20) & 0x7ff;
  let v = (BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
  if (e === 0) {
    const leadingZeros = 64 - v.toString(2).length;
    v <<= BigInt(leadingZeros);
    e = -1074 - leadingZeros;
  } else {
    v = ((v << 11n) | (1n << 63n)) & MASK64;
    e -= 1086;
  }
  const { d, exponent } = fp2Convert10(v, e, digitsWanted);
  const digits = d.toString();
  return { digits, pointPosition: digits.length + exponent };
}

function roundTrips(r: number, mantissa: string, exponent: number): boolean {
  return Number(`${mantissa}e${exponent}`) === r;
}

/**
 * sqlite3FpDecode. iRound > 0: round to min(iRound, mxRound) significant
 * digits. iRound <= 0: round to -iRound digits after the decimal point, at
 * most mxRound significant digits.
 */
function decodeReal(value: number, iRound: number, mxRound: number): DecodedReal {
  // -0.0 is not < 0.0, so it decodes (and prints) as positive zero, as in C.
  const negative = value < 0;
  const r = Math.abs(value);
  if (r === 0) return { negative: false, digits: "0", pointPosition: 1, infinite: false };
  if (r === Infinity) return { negative, digits: "", pointPosition: 0, infinite: true };

  const decoded = sqliteDigits(r, iRound <= 0 || iRound >= 18 ? 18 : iRound + 1);
  const z = decoded.digits.split("").map(Number);
  let pointPosition = decoded.pointPosition;
  let n = z.length;
  if (iRound <= 0) {
    iRound = pointPosition - iRound;
    if (iRound === 0 && z[0] >= 5) {
      iRound = 1;
      z.unshift(0);
      n++;
      pointPosition++;
    }
  }
  if (iRound > 0 && (iRound < n || n > mxRound)) {
    if (iRound > mxRound) iRound = mxRound;
    if (iRound === 17) iRound = shortenSeventeenDigits(r, z, n, pointPosition) ?? iRound;
    n = iRound;
    if (z[iRound] >= 5) {
      let j = iRound - 1;
      for (;;) {
        z[j]++;
        if (z[j] <= 9) break;
        z[j] = 0;
        if (j === 0) {
          z.unshift(1);
          n++;
          pointPosition++;
          break;
        }
        j--;
      }
    }
  }
  while (n > 1 && z[n - 1] === 0) n--;
  return { negative, digits: z.slice(0, n).join(""), pointPosition, infinite: false };
}

/**
 * The "%!.17g" refinement of sqlite3FpDecode: when digits 15-16 are 99 or
 * 13-15 are 000 (or the value is integral), try the shorter rendering and
 * keep it if it converts back to the same double (49.47, not 49.469999999999999).
 * Returns the reduced rounding position, or undefined to keep 17.
 */
function shortenSeventeenDigits(r: number, z: number[], n: number, pointPosition: number): number | undefined {
  const scale = pointPosition - n;
  if (z[15] === 9 && z[14] === 9) {
    let jj = 14;
    while (jj > 0 && z[jj - 1] === 9) jj--;
    const shorter = jj === 0 ? 1n : BigInt(z.slice(0, jj).join("")) + 1n;
    return roundTrips(r, shorter.toString(), scale + n - jj) ? jj + 1 : undefined;
  }
  if (pointPosition >= n || (z[15] === 0 && z[14] === 0 && z[13] === 0)) {
    let jj = 13;
    while (z[jj - 1] === 0) jj--;
    return roundTrips(r, z.slice(0, jj).join(""), scale + n - jj) ? jj + 1 : undefined;
  }
  return undefined;
}

function infinityText(d: DecodedReal): string {
  return d.negative ? "-Inf" : "Inf";
}

/**
 * Writes the digits of `d` in positional form as SQLite's printf does for
 * etFLOAT/etEXP: e2 + 1 integer digits (a single "0" when e2 < 0), a decimal
 * point when asked, then `precision` fraction digits; missing digits are zeros.
 */
function positional(d: DecodedReal, e2: number, precision: number, withPoint: boolean): string {
  let out = d.negative ? "-" : "";
  let j = 0;
  const digit = (): string => (j < d.digits.length ? d.digits[j++] : "0");
  if (e2 < 0) {
    out += "0";
  } else {
    for (; e2 >= 0; e2--) out += digit();
  }
  if (withPoint) out += ".";
  for (e2++; e2 < 0 && precision > 0; precision--, e2++) out += "0";
  while (precision-- > 0) out += digit();
  return out;
}

/** SQLite's printf("%.<precision>f", r). */
export function formatFixed(r: number, precision: number): string {
  const d = decodeReal(r, -precision, 16);
  if (d.infinite) return infinityText(d);
  return positional(d, d.pointPosition - 1, precision, precision > 0);
}

/** SQLite's printf("%!.17g", r): the text SQLite 3.54 gives a REAL (CAST(r AS TEXT)). */
export function realToText(r: number): string {
  const d = decodeReal(r, 17, 26);
  if (d.infinite) return infinityText(d);
  const exponent = d.pointPosition - 1;
  const precision = 16;
  const useExponent = exponent < -4 || exponent > precision;
  let out = useExponent
    ? positional(d, 0, precision, true)
    : positional(d, d.pointPosition - 1, precision - exponent, true);
  out = out.replace(/0+$/, "");
  if (out.endsWith(".")) out += "0";
  if (useExponent) {
    const magnitude = Math.abs(exponent);
    out += `e${exponent < 0 ? "-" : "+"}${magnitude < 10 ? "0" : ""}${magnitude}`;
  }
  return out;
}
