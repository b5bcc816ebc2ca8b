// SQLite's printf engine as the SQL format()/printf() function sees it:
// conversions %d %i %u %f %e %E %g %G %x %X %o %c %s %z %q %Q %w %p %r %%
// with flags - + space # ! 0 and the "," thousands separator, width and
// precision (also from "*" arguments). Widths and precisions count UTF-8
// bytes unless the "!" flag asks for characters, as in SQLite.
import { toDouble, toInt64 } from "../value/convert.js";
import { decodeFloat, utf8Length, valueToText } from "../value/text.js";
import type { SqlValue } from "../value/types.js";

/** Pulls the SQL arguments in order; missing ones read as 0 / "" / NULL as in SQLite. */
class ArgumentCursor {
  private next = 0;
  constructor(private readonly args: readonly SqlValue[]) {}
  /** The int64 value of the next argument (a number when it is a safe integer). */
  int(): number | bigint {
    if (this.next >= this.args.length) return 0;
    return toInt64(this.args[this.next++]);
  }
  double(): number {
    if (this.next >= this.args.length) return 0;
    return toDouble(this.args[this.next++]);
  }
  /** The text of the next argument, or null for a missing or NULL argument. */
  text(): string | null {
    if (this.next >= this.args.length) return null;
    const v = this.args[this.next++];
    return v === null ? null : valueToText(v);
  }
}

const U64 = 1n << 64n;

/** Flags, width and precision of one printf conversion. */
export interface FormatSpec {
  leftJustify: boolean;
  prefix: string; // "+", " " or ""
  alternate: boolean; // '#'
  altform2: boolean; // '!'
  zeroPad: boolean;
  thousands: boolean;
  width: number;
  precision: number; // -1 when absent
}

function pad(s: string, spec: FormatSpec, visibleLength: number): string {
  const n = spec.width - visibleLength;
  if (n <= 0) return s;
  return spec.leftJustify ? s + " ".repeat(n) : " ".repeat(n) + s;
}

/** Inserts "," every three digits of a run of digits. */
function groupThousands(digits: string): string {
  let out = "";
  const first = ((digits.length - 1) % 3) + 1;
  out = digits.slice(0, first);
  for (let i = first; i < digits.length; i += 3) out += "," + digits.slice(i, i + 3);
  return out;
}

function formatInteger(conv: string, spec: FormatSpec, args: ArgumentCursor): string {
  const raw = args.int();
  let prefix = "";
  const signed = conv === "d" || conv === "i" || conv === "r";
  // The magnitude to print: |v| for signed conversions, v mod 2^64 for unsigned ones.
  let v: number | bigint;
  if (signed) {
    const negative = raw < 0;
    v = negative ? -raw : raw;
    prefix = negative ? "-" : spec.prefix;
  } else {
    v = raw < 0 ? BigInt(raw) + U64 : raw;
  }
  const thousands = spec.thousands && (conv === "d" || conv === "i" || conv === "u");
  const base = conv === "o" ? 8 : conv === "x" || conv === "X" || conv === "p" ? 16 : 10;
  let digits = v.toString(base);
  if (conv === "X" || conv === "p") digits = digits.toUpperCase();
  let precision = spec.precision;
  if (spec.zeroPad && precision < spec.width - (prefix ? 1 : 0)) precision = spec.width - (prefix ? 1 : 0);
  if (digits.length < precision) digits = "0".repeat(precision - digits.length) + digits;
  if (thousands) digits = groupThousands(digits);
  if (conv === "r") {
    const last = Number(typeof v === "number" ? v % 10 : v % 10n);
    const tens = Number(typeof v === "number" ? Math.floor(v / 10) % 10 : (v / 10n) % 10n);
    digits += last >= 4 || tens === 1 ? "th" : ["th", "st", "nd", "rd"][last];
  }
  let out = prefix + digits;
  if (spec.alternate && raw !== 0) {
    if (conv === "o") out = "0" + out;
    else if (conv === "x") out = "0x" + out;
    else if (conv === "X") out = "0X" + out;
    else if (conv === "p") out = "0x" + out;
  }
  return pad(out, spec, out.length);
}

/** %f %e %E %g %G with SQLite's digit generation (decodeFloat), rounding and layout rules. */
export function formatFloat(value: number, conv: string, spec: FormatSpec): string {
  let precision = spec.precision < 0 ? 6 : spec.precision;
  let type = conv === "f" ? "f" : conv === "e" || conv === "E" ? "e" : "g";
  const iRound = type === "f" ? -precision : type === "g" ? precision : precision + 1;
  let d = decodeFloat(value, iRound, spec.altform2 ? 26 : 16);
  if (d.infinite) {
    if (!spec.zeroPad) {
      const s = d.negative ? "-Inf" : spec.prefix + "Inf";
      return pad(s, spec, s.length);
    }
    // Under the 0 flag SQLite renders infinity as 9 followed by 999 zeros.
    d = { negative: d.negative, digits: "9", iDP: 1000, infinite: false };
  }
  if (type === "g" && precision > 0) precision--;
  return formatDecoded(d, type, conv, precision, spec);
}

function formatDecoded(
  d: { negative: boolean; digits: string; iDP: number },
  type: string,
  conv: string,
  precision: number,
  spec: FormatSpec,
): string {
  const prefix = d.negative ? "-" : spec.prefix;
  const digits = d.digits;
  let exp = d.iDP - 1;
  let removeTrailingZeros: boolean;
  if (type === "g") {
    removeTrailingZeros = !spec.alternate;
    if (exp < -4 || exp > precision) {
      type = "e";
    } else {
      precision = precision - exp;
      type = "f";
    }
  } else {
    removeTrailingZeros = spec.altform2;
  }
  let e2 = type === "e" ? 0 : d.iDP - 1;
  const showPoint = precision > 0 || spec.alternate || spec.altform2;
  let out = prefix;
  let j = 0;
  if (e2 < 0) {
    out += "0";
  } else if (spec.thousands) {
    for (; e2 >= 0; e2--) {
      out += j < digits.length ? digits[j++] : "0";
      if (e2 % 3 === 0 && e2 > 1) out += ",";
    }
  } else {
    const take = Math.min(e2 + 1, digits.length);
    out += digits.slice(0, take) + "0".repeat(e2 + 1 - take);
    j = take;
    e2 = -1;
  }
  if (showPoint) out += ".";
  // Zeros between the point and the first significant digit, then digits.
  const leadingZeros = Math.min(Math.max(-(e2 + 1), 0), precision);
  const fractionDigits = precision - leadingZeros;
  const available = Math.max(Math.min(fractionDigits, digits.length - j), 0);
  out += "0".repeat(leadingZeros) + digits.slice(j, j + available) + "0".repeat(fractionDigits - available);
  if (removeTrailingZeros && showPoint) {
    let end = out.length;
    while (out.charCodeAt(end - 1) === 48) end--;
    out = out.slice(0, end);
    if (out.endsWith(".")) out = spec.altform2 ? out + "0" : out.slice(0, -1);
  }
  if (type === "e") {
    exp = d.iDP - 1;
    out += conv === "E" || conv === "G" ? "E" : "e";
    if (exp < 0) {
      out += "-";
      exp = -exp;
    } else out += "+";
    if (exp >= 100) {
      out += String(Math.floor(exp / 100));
      exp %= 100;
    }
    out += String(Math.floor(exp / 10)) + String(exp % 10);
  }
  if (spec.zeroPad && !spec.leftJustify && out.length < spec.width) {
    const signLength = prefix ? 1 : 0;
    out = out.slice(0, signLength) + "0".repeat(spec.width - out.length) + out.slice(signLength);
  }
  return pad(out, spec, out.length);
}

/** The first `n` characters of s (code points), or all of s. */
function firstChars(s: string, n: number): string {
  let i = 0;
  while (n > 0 && i < s.length) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    n--;
  }
  return s.slice(0, i);
}

/**
 * The first n bytes of the UTF-8 encoding of s. A character cut in the middle
 * leaves an invalid sequence, which reads back as U+FFFD, as it does from SQLite.
 */
function firstBytes(s: string, n: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.codePointAt(i) as number;
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes + w > n) return bytes < n ? s.slice(0, i) + "\uFFFD" : s.slice(0, i);
    bytes += w;
    i += c > 0xffff ? 2 : 1;
  }
  return s;
}

/** Pads a string conversion; without "!" the width counts bytes, with it characters. */
function padText(s: string, spec: FormatSpec): string {
  const visible = spec.altform2 ? [...s].length : utf8Length(s);
  return pad(s, spec, visible);
}

function formatString(conv: string, spec: FormatSpec, args: ArgumentCursor): string {
  const arg = args.text();
  if (conv === "s" || conv === "z") {
    let s = arg ?? "";
    if (spec.precision >= 0) s = spec.altform2 ? firstChars(s, spec.precision) : firstBytes(s, spec.precision);
    return padText(s, spec);
  }
  // %q %Q %w: precision limits the input taken (bytes, or characters with "!").
  const quote = conv === "w" ? '"' : "'";
  const isNull = arg === null;
  let s = isNull ? (conv === "Q" ? "NULL" : "(NULL)") : arg;
  if (spec.precision >= 0) s = spec.altform2 ? firstChars(s, spec.precision) : firstBytes(s, spec.precision);
  s = s.replaceAll(quote, quote + quote);
  if (conv === "Q" && !isNull) s = quote + s + quote;
  return padText(s, spec);
}

function formatChar(spec: FormatSpec, args: ArgumentCursor): string {
  const text = args.text();
  // A NULL or empty argument yields a NUL character, as in SQLite.
  const ch = text ? String.fromCodePoint(text.codePointAt(0) as number) : "\0";
  const count = spec.precision > 1 ? spec.precision : 1;
  // %c always measures its width in characters.
  return pad(ch.repeat(count), spec, count);
}

function parseNumber(fmt: string, i: number): [number, number] {
  let n = 0;
  while (i < fmt.length) {
    const c = fmt.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = (n * 10 + (c - 48)) % 0x80000000;
    i++;
  }
  return [n, i];
}

/**
 * printf(FORMAT, ...) / format(). Conversions SQLite keeps for internal use
 * (%T, %S) or that have no SQL meaning end the output there, as in SQLite;
 * %n consumes nothing and prints nothing.
 */
export function sqlPrintf(fmt: string, values: readonly SqlValue[]): string {
  const args = new ArgumentCursor(values);
  let out = "";
  let i = 0;
  const n = fmt.length;
  while (i < n) {
    const pct = fmt.indexOf("%", i);
    if (pct < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, pct);
    i = pct + 1;
    if (i >= n) {
      out += "%";
      break;
    }
    const spec: FormatSpec = {
      leftJustify: false,
      prefix: "",
      alternate: false,
      altform2: false,
      zeroPad: false,
      thousands: false,
      width: 0,
      precision: -1,
    };
    let c = fmt[i];
    for (;;) {
      if (c === "-") spec.leftJustify = true;
      else if (c === "+") spec.prefix = "+";
      else if (c === " ") spec.prefix = " ";
      else if (c === "#") spec.alternate = true;
      else if (c === "!") spec.altform2 = true;
      else if (c === "0") spec.zeroPad = true;
      else if (c === ",") spec.thousands = true;
      else break;
      c = fmt[++i];
    }
    if (c === "*") {
      let w = Number(BigInt.asIntN(32, BigInt(args.int())));
      if (w < 0) {
        spec.leftJustify = true;
        w = w >= -2147483647 ? -w : 0;
      }
      spec.width = w;
      c = fmt[++i];
    } else if (c >= "1" && c <= "9") {
      [spec.width, i] = parseNumber(fmt, i);
      c = fmt[i];
    }
    if (c === ".") {
      c = fmt[++i];
      if (c === "*") {
        let p = Number(BigInt.asIntN(32, BigInt(args.int())));
        if (p < 0) p = p >= -2147483647 ? -p : -1;
        spec.precision = p;
        c = fmt[++i];
      } else {
        [spec.precision, i] = parseNumber(fmt, i);
        c = fmt[i];
      }
    }
    while (c === "l") c = fmt[++i];
    i++;
    switch (c) {
      case "d":
      case "i":
      case "u":
      case "x":
      case "X":
      case "o":
      case "p":
      case "r":
        out += formatInteger(c, spec, args);
        break;
      case "f":
      case "e":
      case "E":
      case "g":
      case "G":
        out += formatFloat(args.double(), c, spec);
        break;
      case "s":
      case "z":
      case "q":
      case "Q":
      case "w":
        out += formatString(c, spec, args);
        break;
      case "c":
        out += formatChar(spec, args);
        break;
      case "%":
        out += pad("%", spec, 1);
        break;
      case "n":
        break;
      default:
        return out;
    }
  }
  return out;
}
