// The DateTime record behind SQLite's date/time functions and its
// conversions: parsing time values (ISO-8601 forms, julian day numbers, unix
// times, 'now'), julian-day <-> calendar arithmetic, and the modifiers. This is
// a re-statement of SQLite's date.c as of 3.54 (the sql.js 1.16 oracle:
// ceiling/floor, subsec, 'weekday -N', 24:00, fraction capped below the next
// second, proleptic negative centuries), so corner cases match exactly.
//
// Local time: the engine runs where the time zone is UTC (Workers), so
// 'localtime' and 'utc' convert with a UTC "local" zone; they still go
// through SQLite's code path (year folding, flag handling) so that their side
// effects on the record match SQLite running with TZ=UTC.
import { isDigit, isSqlSpace, parseSqlReal } from "./datetime-value-text.js";

/** Milliseconds from julian day 0 (noon, -4713-11-24) to 1970-01-01 00:00:00. */
export const UNIX_EPOCH_JD_MS = 210866760000000;
const DAY_MS = 86400000;
/** iJD of 9999-12-31 23:59:59.999, the last representable instant. */
const MAX_JD_MS = 464269060799999;

/** Integer division truncating toward zero, exact for safe integers (C's `/`). */
export function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * A date and time under construction. Invariant mirroring SQLite: each of
 * the julian day (iJD, ms since JD 0), the calendar date (Y/M/D) and the time
 * of day (h/m/s) is meaningful only when its valid* flag is set; `rawS` means
 * `s` holds a raw number not yet known to be a julian day or a unix time.
 */
export class DateTime {
  iJD = 0;
  Y = 0;
  M = 0;
  D = 0;
  h = 0;
  m = 0;
  /** Time zone offset in minutes, applied (then cleared) by computeJD. */
  tz = 0;
  s = 0;
  validJD = false;
  validYMD = false;
  validHMS = false;
  /** Days to subtract for the 'floor' modifier (day-of-month overflow). */
  nFloor = 0;
  rawS = false;
  isError = false;
  useSubsec = false;
  isUtc = false;
  isLocal = false;

  clone(): DateTime {
    return Object.assign(new DateTime(), this);
  }

  reset(): void {
    Object.assign(this, new DateTime());
  }
}

/**
 * Reads fixed-width decimal fields as SQLite's getDigits does. `format` holds
 * 4 characters per field: width, minimum, maximum code (a=12 b=14 c=24 d=31
 * e=59 f=14712) and the separator that must follow ("\0"-less: the last field
 * has only 3 characters). Returns the fields read before the first failure.
 */
function getDigits(z: string, at: number, format: string): number[] {
  const maxima: Record<string, number> = { a: 12, b: 14, c: 24, d: 31, e: 59, f: 14712 };
  const out: number[] = [];
  for (let f = 0; f < format.length; f += 4) {
    const width = Number(format[f]);
    const min = Number(format[f + 1]);
    const max = maxima[format[f + 2]!]!;
    const separator = format[f + 3];
    let val = 0;
    for (let k = 0; k < width; k++, at++) {
      if (!isDigit(z[at])) return out;
      val = val * 10 + (z.charCodeAt(at) - 48);
    }
    if (val < min || val > max || (separator !== undefined && separator !== z[at])) return out;
    out.push(val);
    at++;
  }
  return out;
}

/** A trailing "[+-]HH:MM" or "Z" (then only spaces); returns true on error. */
function parseTimezone(z: string, at: number, p: DateTime): boolean {
  while (isSqlSpace(z[at])) at++;
  p.tz = 0;
  const c = z[at];
  if (c === "Z" || c === "z") {
    at++;
    p.isLocal = false;
    p.isUtc = true;
  } else if (c === "-" || c === "+") {
    const hm = getDigits(z, at + 1, "20b:20e");
    if (hm.length !== 2) return true;
    at += 6;
    p.tz = (c === "-" ? -1 : 1) * (hm[1]! + hm[0]! * 60);
  } else {
    return c !== undefined;
  }
  while (isSqlSpace(z[at])) at++;
  return at < z.length;
}

/** "HH:MM", "HH:MM:SS" or "HH:MM:SS.FFF…" with an optional zone; true on error. */
function parseHhMmSs(z: string, at: number, p: DateTime): boolean {
  const hm = getDigits(z, at, "20c:20e");
  if (hm.length !== 2) return true;
  at += 5;
  let s = 0;
  let ms = 0;
  if (z[at] === ":") {
    at++;
    const sec = getDigits(z, at, "20e");
    if (sec.length !== 1) return true;
    s = sec[0]!;
    at += 2;
    if (z[at] === "." && isDigit(z[at + 1])) {
      let scale = 1.0;
      at++;
      while (isDigit(z[at])) {
        ms = ms * 10.0 + (z.charCodeAt(at) - 48);
        scale *= 10.0;
        at++;
      }
      ms /= scale;
      // SQLite 3.5x caps the fraction so that rounding to milliseconds can
      // never carry into the next second ("59.9999" stays in second 59).
      if (ms > 0.999) ms = 0.999;
    }
  }
  // Hour 24 is only accepted as 24:00:00 (the end of the day), as in SQLite 3.5x.
  if (hm[0] === 24 && (hm[1] || s || ms)) return true;
  p.validJD = false;
  p.rawS = false;
  p.validHMS = true;
  p.h = hm[0]!;
  p.m = hm[1]!;
  p.s = s + ms;
  return parseTimezone(z, at, p);
}

function datetimeError(p: DateTime): void {
  p.reset();
  p.isError = true;
}

/** Calendar date and time -> julian day (Meeus p. 61), applying any zone offset. */
export function computeJD(p: DateTime): void {
  if (p.validJD) return;
  let Y = 2000;
  let M = 1;
  let D = 1;
  if (p.validYMD) {
    Y = p.Y;
    M = p.M;
    D = p.D;
  }
  if (Y < -4713 || Y > 9999 || p.rawS) {
    datetimeError(p);
    return;
  }
  if (M <= 2) {
    Y--;
    M += 12;
  }
  // Floor (not C truncation) keeps negative century years correct: SQLite
  // 3.5x treats -4700 as a common year, as the proleptic Gregorian calendar does.
  const A = Math.floor(Y / 100);
  const B = 2 - A + Math.floor(A / 4);
  const X1 = idiv(36525 * (Y + 4716), 100);
  const X2 = idiv(306001 * (M + 1), 10000);
  p.iJD = Math.trunc((X1 + X2 + D + B - 1524.5) * DAY_MS);
  p.validJD = true;
  if (p.validHMS) {
    p.iJD += p.h * 3600000 + p.m * 60000 + Math.trunc(p.s * 1000 + 0.5);
    // An explicit zone, or hour 24, leaves Y/M/D and h/m/s unnormalised:
    // SQLite 3.5x then re-derives them from the julian day.
    if (p.tz || p.h === 24) {
      p.iJD -= p.tz * 60000;
      p.validYMD = false;
      p.validHMS = false;
      p.tz = 0;
      p.isUtc = true;
      p.isLocal = false;
    }
  }
}

/** Days past the end of the month that 'floor' must take back (Feb 30 -> 1 or 2). */
function computeFloor(p: DateTime): void {
  if (p.D <= 28) p.nFloor = 0;
  else if ((1 << p.M) & 0x15aa) p.nFloor = 0;
  else if (p.M !== 2) p.nFloor = p.D === 31 ? 1 : 0;
  else if (p.Y % 4 !== 0 || (p.Y % 100 === 0 && p.Y % 400 !== 0)) p.nFloor = p.D - 28;
  else p.nFloor = p.D - 29;
}

/** "[-]YYYY-MM-DD" optionally followed by spaces/'T' and a time; true on error. */
function parseYyyyMmDd(z: string, p: DateTime): boolean {
  let at = 0;
  const negative = z[0] === "-";
  if (negative) at++;
  const ymd = getDigits(z, at, "40f-21a-21d");
  if (ymd.length !== 3) return true;
  at += 10;
  while (isSqlSpace(z[at]) || z[at] === "T") at++;
  // Either a time follows, or nothing at all.
  if (parseHhMmSs(z, at, p)) {
    if (at < z.length) return true;
    p.validHMS = false;
  }
  p.validJD = false;
  p.validYMD = true;
  p.Y = negative ? -ymd[0]! : ymd[0]!;
  p.M = ymd[1]!;
  p.D = ymd[2]!;
  computeFloor(p);
  // A zone, or 24:00 (the next day's midnight), is resolved right away.
  if (p.tz || (p.validHMS && p.h === 24)) computeJD(p);
  return false;
}

function clearYMD_HMS_TZ(p: DateTime): void {
  p.validYMD = false;
  p.validHMS = false;
  p.tz = 0;
}

/** 'now': the statement's fixed time (ms since the Unix epoch). */
function setDateTimeToCurrent(nowMs: number, p: DateTime): boolean {
  p.iJD = Math.trunc(nowMs) + UNIX_EPOCH_JD_MS;
  if (p.iJD <= 0) return true;
  p.validJD = true;
  p.isUtc = true;
  p.isLocal = false;
  clearYMD_HMS_TZ(p);
  return false;
}

/** A bare number: a julian day if in range, and in any case kept raw for 'unixepoch'/'auto'. */
export function setRawDateNumber(p: DateTime, r: number): void {
  p.s = r;
  p.rawS = true;
  if (r >= 0.0 && r < 5373484.5) {
    p.iJD = Math.trunc(r * DAY_MS + 0.5);
    p.validJD = true;
  }
}

/** A time value given as text; true on error. `now` is read only for 'now' (reading it is refused where the time may not be used). */
export function parseDateOrTime(z: string, now: () => number, p: DateTime): boolean {
  if (!parseYyyyMmDd(z, p)) return false;
  if (!parseHhMmSs(z, 0, p)) return false;
  const lower = asciiLower(z);
  if (lower === "now") return setDateTimeToCurrent(now(), p);
  const r = parseSqlReal(z);
  if (r !== null) {
    setRawDateNumber(p, r);
    return false;
  }
  if (lower === "subsec" || lower === "subsecond") {
    p.useSubsec = true;
    return setDateTimeToCurrent(now(), p);
  }
  return true;
}

export function validJulianDay(iJD: number): boolean {
  return iJD >= 0 && iJD <= MAX_JD_MS;
}

/** Julian day -> Y/M/D (Meeus p. 63). */
export function computeYMD(p: DateTime): void {
  if (p.validYMD) return;
  if (!p.validJD) {
    p.Y = 2000;
    p.M = 1;
    p.D = 1;
  } else if (!validJulianDay(p.iJD)) {
    datetimeError(p);
    return;
  } else {
    const Z = idiv(p.iJD + 43200000, DAY_MS);
    // Floor for the same reason as in computeJD (negative centuries).
    let A = Math.floor((Z - 1867216.25) / 36524.25);
    A = Z + 1 + A - Math.floor(A / 4);
    const B = A + 1524;
    const C = Math.trunc((B - 122.1) / 365.25);
    const D = idiv(36525 * (C & 32767), 100);
    const E = Math.trunc((B - D) / 30.6001);
    const X1 = Math.trunc(30.6001 * E);
    p.D = B - D - X1;
    p.M = E < 14 ? E - 1 : E - 13;
    p.Y = p.M > 2 ? C - 4716 : C - 4715;
  }
  p.validYMD = true;
}

/** Julian day -> h/m/s. */
export function computeHMS(p: DateTime): void {
  if (p.validHMS) return;
  computeJD(p);
  const dayMs = (p.iJD + 43200000) % DAY_MS;
  p.s = (dayMs % 60000) / 1000.0;
  const dayMin = idiv(dayMs, 60000);
  p.m = dayMin % 60;
  p.h = idiv(dayMin, 60);
  p.rawS = false;
  p.validHMS = true;
}

export function computeYMD_HMS(p: DateTime): void {
  computeYMD(p);
  computeHMS(p);
}

/** gmtime(): whole seconds since the Unix epoch -> calendar fields (proleptic Gregorian). */
function utcFields(t: number): { Y: number; M: number; D: number; h: number; m: number; s: number } {
  const days = Math.floor(t / 86400);
  const secOfDay = t - days * 86400;
  // Civil-from-days (H. Hinnant), exact for any day count in range.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const D = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const M = mp < 10 ? mp + 3 : mp - 9;
  const Y = yoe + era * 400 + (M <= 2 ? 1 : 0);
  return { Y, M, D, h: Math.floor(secOfDay / 3600), m: Math.floor((secOfDay % 3600) / 60), s: secOfDay % 60 };
}

/** SQLite's toLocaltime() with the local zone being UTC. */
function toLocaltime(p: DateTime): void {
  computeJD(p);
  let yearDiff = 0;
  let t: number;
  if (p.iJD < 2108667600 * 100000 || p.iJD > 2130141456 * 100000) {
    // Outside 1970..2037 SQLite folds the year into that range and back.
    const x = p.clone();
    computeYMD_HMS(x);
    yearDiff = 2000 + (x.Y % 4) - x.Y;
    x.Y += yearDiff;
    x.validJD = false;
    computeJD(x);
    t = idiv(x.iJD, 1000) - UNIX_EPOCH_JD_MS / 1000;
  } else {
    t = idiv(p.iJD, 1000) - UNIX_EPOCH_JD_MS / 1000;
  }
  const local = utcFields(t);
  p.Y = local.Y - yearDiff;
  p.M = local.M;
  p.D = local.D;
  p.h = local.h;
  p.m = local.m;
  p.s = local.s + (p.iJD % 1000) * 0.001;
  p.validYMD = true;
  p.validHMS = true;
  p.validJD = false;
  p.rawS = false;
  p.tz = 0;
  p.isError = false;
}

/** 'NNN units' modifiers: name, |NNN| limit (single-precision as in SQLite), ms per unit / 1000. */
const TIME_UNITS: readonly { name: string; limit: number; seconds: number }[] = [
  { name: "second", limit: Math.fround(4.6427e14), seconds: 1.0 },
  { name: "minute", limit: Math.fround(7.7379e12), seconds: 60.0 },
  { name: "hour", limit: Math.fround(1.2897e11), seconds: 3600.0 },
  { name: "day", limit: Math.fround(5373485.0), seconds: 86400.0 },
  { name: "month", limit: Math.fround(176546.0), seconds: 30.0 * 86400.0 },
  { name: "year", limit: Math.fround(14713.0), seconds: 365.0 * 86400.0 },
];

/** 'auto': a raw number is a julian day if in that range, else unix seconds. */
function autoAdjustDate(p: DateTime): void {
  if (!p.rawS || p.validJD) {
    p.rawS = false;
  } else if (p.s >= -210866760000 && p.s <= 253402300799) {
    const r = p.s * 1000.0 + UNIX_EPOCH_JD_MS;
    clearYMD_HMS_TZ(p);
    p.iJD = Math.trunc(r + 0.5);
    p.validJD = true;
    p.rawS = false;
  }
}

/** Normalises p.M into 1..12, carrying whole years into p.Y. */
function carryMonths(p: DateTime): void {
  const x = p.M > 0 ? idiv(p.M - 1, 12) : idiv(p.M - 12, 12);
  p.Y += x;
  p.M -= x * 12;
}

/**
 * Applies modifier text `z` (the idx-th argument, 1-based) to p. Returns true
 * when the modifier is unknown or cannot apply (the function then yields NULL).
 */
export function applyModifier(z: string, p: DateTime, idx: number): boolean {
  const lower = asciiLower(z);
  switch (lower[0]) {
    case "a":
      if (lower === "auto") {
        if (idx > 1) return true;
        autoAdjustDate(p);
        return false;
      }
      return true;
    case "c":
      if (lower === "ceiling") {
        computeJD(p);
        clearYMD_HMS_TZ(p);
        p.nFloor = 0;
        return false;
      }
      return true;
    case "f":
      if (lower === "floor") {
        computeJD(p);
        p.iJD -= p.nFloor * DAY_MS;
        clearYMD_HMS_TZ(p);
        return false;
      }
      return true;
    case "j":
      if (lower === "julianday") {
        if (idx > 1) return true;
        if (p.validJD && p.rawS) {
          p.rawS = false;
          return false;
        }
      }
      return true;
    case "l":
      if (lower === "localtime") {
        if (!p.isLocal) toLocaltime(p);
        p.isUtc = false;
        p.isLocal = true;
        return false;
      }
      return true;
    case "u":
      if (lower === "unixepoch" && p.rawS) {
        if (idx > 1) return true;
        const r = p.s * 1000.0 + UNIX_EPOCH_JD_MS;
        if (r >= 0.0 && r < 464269060800000.0) {
          clearYMD_HMS_TZ(p);
          p.iJD = Math.trunc(r + 0.5);
          p.validJD = true;
          p.rawS = false;
          return false;
        }
        return true;
      }
      if (lower === "utc") {
        if (!p.isUtc) toUtc(p);
        return false;
      }
      return true;
    case "w":
      return applyWeekday(lower, p);
    case "s":
      return applyStartOfOrSubsec(lower, p);
    case "+":
    case "-":
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7":
    case "8":
    case "9":
      return applyOffset(z, p);
    default:
      return true;
  }
}

/** 'utc': find the UTC instant whose local time is p (a fixed point search, as SQLite). */
function toUtc(p: DateTime): void {
  computeJD(p);
  const origJD = p.iJD;
  let guess = origJD;
  let err = 0;
  let count = 0;
  do {
    const local = new DateTime();
    guess -= err;
    local.iJD = guess;
    local.validJD = true;
    toLocaltime(local);
    computeJD(local);
    err = local.iJD - origJD;
  } while (err && count++ < 3);
  p.reset();
  p.iJD = guess;
  p.validJD = true;
  p.isUtc = true;
}

/**
 * 'weekday N': forward to the next day (or today) that is weekday N, 0 =
 * Sunday; 'weekday -N' (SQLite 3.5x): back to the previous day (or today)
 * that is weekday N.
 */
function applyWeekday(lower: string, p: DateTime): boolean {
  if (!lower.startsWith("weekday ")) return true;
  const operand = lower.slice(8);
  const r = parseSqlReal(operand);
  if (r === null || !(r > -7.0 && r < 7.0) || Math.trunc(r) !== r) return true;
  const backward = operand.trimStart()[0] === "-";
  const n = Math.abs(r);
  computeYMD_HMS(p);
  p.tz = 0;
  p.validJD = false;
  computeJD(p);
  let Z = idiv(p.iJD + 129600000, DAY_MS) % 7;
  if (backward) {
    if (Z < n) Z += 7;
    p.iJD -= (Z - n) * DAY_MS;
  } else {
    if (Z > n) Z -= 7;
    p.iJD += (n - Z) * DAY_MS;
  }
  clearYMD_HMS_TZ(p);
  return false;
}

/** 'start of day|month|year', 'subsec', 'subsecond'. */
function applyStartOfOrSubsec(lower: string, p: DateTime): boolean {
  if (!lower.startsWith("start of ")) {
    if (lower === "subsec" || lower === "subsecond") {
      p.useSubsec = true;
      return false;
    }
    return true;
  }
  if (!p.validJD && !p.validYMD && !p.validHMS) return true;
  const unit = lower.slice(9);
  computeYMD(p);
  p.validHMS = true;
  p.h = p.m = 0;
  p.s = 0.0;
  p.rawS = false;
  p.tz = 0;
  p.validJD = false;
  if (unit === "month") {
    p.D = 1;
    return false;
  }
  if (unit === "year") {
    p.M = 1;
    p.D = 1;
    return false;
  }
  return unit !== "day";
}

/** '±NNN units', '±HH:MM[:SS[.FFF]]' and '±YYYY-MM-DD[ HH:MM[:SS[.FFF]]]'. */
function applyOffset(z: string, p: DateTime): boolean {
  const sign = z[0];
  let n = 1;
  for (; n < z.length; n++) {
    const c = z[n];
    if (c === ":" || isSqlSpace(c)) break;
    if (c === "-") {
      if (n === 5 && getDigits(z, 1, "40f").length === 1) break;
      if (n === 6 && getDigits(z, 1, "50f").length === 1) break;
    }
  }
  const r = parseSqlReal(z.slice(0, n));
  if (r === null) return true;
  let timeAt = 0;
  if (z[n] === "-") {
    // ±YYYY-MM-DD adds or subtracts years, months (0-11) and days (0-30).
    if (sign !== "+" && sign !== "-") return true;
    const base = n === 5 ? 0 : 1;
    const ymd = getDigits(z, 1, n === 5 ? "40f-20a-20d" : "50f-20a-20d");
    if (ymd.length !== 3) return true;
    const [Y, M] = [ymd[0]!, ymd[1]!];
    let D = ymd[2]!;
    if (M >= 12 || D >= 31) return true;
    computeYMD_HMS(p);
    p.validJD = false;
    if (sign === "-") {
      p.Y -= Y;
      p.M -= M;
      D = -D;
    } else {
      p.Y += Y;
      p.M += M;
    }
    carryMonths(p);
    computeFloor(p);
    computeJD(p);
    p.validHMS = false;
    p.validYMD = false;
    p.iJD += D * DAY_MS;
    if (base + 11 >= z.length) return false;
    if (!isSqlSpace(z[base + 11]) || getDigits(z, base + 12, "20c:20e").length !== 2) return true;
    timeAt = base + 12;
    n = 2;
  }
  if (z[timeAt + n] === ":") {
    // ±HH:MM[:SS[.FFF]] moves by that much time (whole days dropped).
    if (!isDigit(z[timeAt])) timeAt++;
    const tx = new DateTime();
    if (parseHhMmSs(z, timeAt, tx)) return true;
    computeJD(tx);
    tx.iJD -= 43200000;
    const day = idiv(tx.iJD, DAY_MS);
    tx.iJD -= day * DAY_MS;
    if (sign === "-") tx.iJD = -tx.iJD;
    computeJD(p);
    clearYMD_HMS_TZ(p);
    p.iJD += tx.iJD;
    return false;
  }
  return applyUnits(z, n, r, p);
}

/** The 'NNN units' form: `r` is the number, the unit name starts at z[n]. */
function applyUnits(z: string, n: number, r: number, p: DateTime): boolean {
  let at = n;
  while (isSqlSpace(z[at])) at++;
  let unit = asciiLower(z.slice(at));
  if (unit.length < 3 || unit.length > 10) return true;
  if (unit.endsWith("s")) unit = unit.slice(0, -1);
  computeJD(p);
  const rounder = r < 0 ? -0.5 : 0.5;
  p.nFloor = 0;
  let failed = true;
  for (let i = 0; i < TIME_UNITS.length; i++) {
    const u = TIME_UNITS[i]!;
    if (u.name !== unit || !(r > -u.limit && r < u.limit)) continue;
    let rest = r;
    if (u.name === "month") {
      computeYMD_HMS(p);
      p.M += Math.trunc(r);
      carryMonths(p);
      computeFloor(p);
      p.validJD = false;
      rest -= Math.trunc(r);
    } else if (u.name === "year") {
      computeYMD_HMS(p);
      p.Y += Math.trunc(r);
      computeFloor(p);
      p.validJD = false;
      rest -= Math.trunc(r);
    }
    computeJD(p);
    p.iJD += Math.trunc(rest * 1000.0 * u.seconds + rounder);
    failed = false;
    break;
  }
  clearYMD_HMS_TZ(p);
  return failed;
}
