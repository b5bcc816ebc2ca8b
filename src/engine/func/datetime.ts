// SQLite's date and time SQL functions: date, time, datetime, julianday,
// unixepoch, strftime, timediff and current_date/current_time/
// current_timestamp, built on the DateTime record of datetime-core.ts.
// 'now' is FunctionContext.statementTime(), fixed for one statement.
import type { FunctionContext, ScalarFunction, SqlFunction } from "./types.js";
import { isReal, isInteger, numericAsDouble, realValue, type SqlValue } from "../value/types.js";
import {
  DateTime,
  UNIX_EPOCH_JD_MS,
  applyModifier,
  computeHMS,
  computeJD,
  computeYMD,
  computeYMD_HMS,
  idiv,
  parseDateOrTime,
  setRawDateNumber,
  validJulianDay,
} from "./datetime-core.js";
import { sqlTextOf } from "./datetime-value-text.js";

const DAY_MS = 86400000;

/**
 * Builds the DateTime for a time value and its modifiers (SQLite's isDate);
 * null when the value or a modifier is invalid. No arguments means 'now'.
 */
export function dateTimeFromArgs(args: readonly SqlValue[], ctx: FunctionContext): DateTime | null {
  const p = new DateTime();
  if (args.length === 0) {
    p.iJD = Math.trunc(ctx.statementTime()) + UNIX_EPOCH_JD_MS;
    if (p.iJD <= 0) return null;
    p.validJD = true;
    p.isUtc = true;
    return p;
  }
  const first = args[0]!;
  if (isInteger(first) || isReal(first)) {
    setRawDateNumber(p, numericAsDouble(first));
  } else {
    const z = sqlTextOf(first);
    if (z === null || parseDateOrTime(z, () => ctx.statementTime(), p)) return null;
  }
  for (let i = 1; i < args.length; i++) {
    const z = sqlTextOf(args[i]!);
    if (z === null || applyModifier(z, p, i)) return null;
  }
  computeJD(p);
  if (p.isError || !validJulianDay(p.iJD)) return null;
  // A lone YYYY-MM-DD is normalised: 2023-02-31 -> 2023-03-03.
  if (args.length === 1 && p.validYMD && p.D > 28) p.validYMD = false;
  return p;
}

/** C printf "%0<width>d" (zeroPad) or "%<width>d": the sign counts toward the width. */
function formatInt(v: number, width: number, zeroPad: boolean): string {
  const digits = String(Math.abs(v));
  const sign = v < 0 ? "-" : "";
  const padLength = Math.max(0, width - digits.length - sign.length);
  return zeroPad ? sign + "0".repeat(padLength) + digits : " ".repeat(padLength) + sign + digits;
}

const pad2 = (v: number): string => formatInt(v, 2, true);

/** C printf "%0<width>.3f". */
function formatFixed3(v: number, width: number): string {
  const text = Math.abs(v).toFixed(3);
  const sign = v < 0 ? "-" : "";
  return sign + "0".repeat(Math.max(0, width - text.length - sign.length)) + text;
}

/** SQLite printf "%.16g" (no '!' flag: trailing zeros and a bare '.' dropped). */
function formatG16(v: number): string {
  const [mantissa, expPart] = v.toPrecision(16).split("e");
  const trimmed = mantissa!.includes(".") ? mantissa!.replace(/\.?0+$/, "") : mantissa!;
  if (expPart === undefined) return trimmed;
  const e = Number(expPart);
  return `${trimmed}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** "[-]YYYY-MM-DD": SQLite prints the year's absolute value in 4 digits with a '-' prefix. */
function formatDate(x: DateTime): string {
  const y = String(Math.abs(x.Y) % 10000).padStart(4, "0");
  return `${x.Y < 0 ? "-" : ""}${y}-${pad2(x.M)}-${pad2(x.D)}`;
}

/** "HH:MM:SS" or, with subsec, "HH:MM:SS.SSS". */
function formatTime(x: DateTime): string {
  let seconds: string;
  if (x.useSubsec) {
    const ms = Math.trunc(1000.0 * x.s + 0.5);
    seconds = `${idiv(ms, 10000) % 10}${idiv(ms, 1000) % 10}.${String(ms % 1000).padStart(3, "0")}`;
  } else {
    seconds = pad2(Math.trunc(x.s) % 100);
  }
  return `${pad2(x.h % 100)}:${pad2(x.m % 100)}:${seconds}`;
}

/** Zero-based day of the year. */
function daysAfterJan01(x: DateTime): number {
  const jan01 = x.clone();
  jan01.validJD = false;
  jan01.M = 1;
  jan01.D = 1;
  computeJD(jan01);
  return idiv(x.iJD - jan01.iJD + 43200000, DAY_MS);
}

/** 0 = Monday … 6 = Sunday. */
function daysAfterMonday(x: DateTime): number {
  return idiv(x.iJD + 43200000, DAY_MS) % 7;
}

/** 0 = Sunday … 6 = Saturday. */
function daysAfterSunday(x: DateTime): number {
  return idiv(x.iJD + 129600000, DAY_MS) % 7;
}

/** The Thursday of x's ISO week (which decides the ISO year and week number). */
function isoThursday(x: DateTime): DateTime {
  const y = x.clone();
  y.iJD += (3 - daysAfterMonday(x)) * DAY_MS;
  y.validYMD = false;
  computeYMD(y);
  return y;
}

function unixSeconds(x: DateTime): number {
  return idiv(x.iJD, 1000) - UNIX_EPOCH_JD_MS / 1000;
}

/** One strftime conversion, or null for an unknown specifier (the whole result is then NULL). */
function strftimeField(cf: string | undefined, x: DateTime): string | null {
  switch (cf) {
    case "d":
      return formatInt(x.D, 2, true);
    case "e":
      return formatInt(x.D, 2, false);
    case "f":
      return formatFixed3(Math.min(x.s, 59.999), 6);
    case "F":
      return `${formatInt(x.Y, 4, true)}-${pad2(x.M)}-${pad2(x.D)}`;
    case "G":
      return formatInt(isoThursday(x).Y, 4, true);
    case "g":
      return formatInt(isoThursday(x).Y % 100, 2, true);
    case "H":
      return formatInt(x.h, 2, true);
    case "k":
      return formatInt(x.h, 2, false);
    case "I":
    case "l": {
      let h = x.h;
      if (h > 12) h -= 12;
      if (h === 0) h = 12;
      return formatInt(h, 2, cf === "I");
    }
    case "j":
      return formatInt(daysAfterJan01(x) + 1, 3, true);
    case "J":
      return formatG16(x.iJD / 86400000.0);
    case "m":
      return pad2(x.M);
    case "M":
      return pad2(x.m);
    case "p":
      return x.h >= 12 ? "PM" : "AM";
    case "P":
      return x.h >= 12 ? "pm" : "am";
    case "R":
      return `${pad2(x.h)}:${pad2(x.m)}`;
    case "s":
      return x.useSubsec ? ((x.iJD - UNIX_EPOCH_JD_MS) / 1000.0).toFixed(3) : String(unixSeconds(x));
    case "S":
      return pad2(Math.trunc(x.s));
    case "T":
      return `${pad2(x.h)}:${pad2(x.m)}:${pad2(Math.trunc(x.s))}`;
    case "u": {
      const d = daysAfterSunday(x);
      return String(d === 0 ? 7 : d);
    }
    case "w":
      return String(daysAfterSunday(x));
    case "U":
      return pad2(idiv(daysAfterJan01(x) - daysAfterSunday(x) + 7, 7));
    case "V":
      return pad2(idiv(daysAfterJan01(isoThursday(x)), 7) + 1);
    case "W":
      return pad2(idiv(daysAfterJan01(x) - daysAfterMonday(x) + 7, 7));
    case "Y":
      return formatInt(x.Y, 4, true);
    case "%":
      return "%";
    default:
      return null;
  }
}

function strftime(args: readonly SqlValue[], ctx: FunctionContext): SqlValue {
  if (args.length === 0) return null;
  const format = sqlTextOf(args[0]!);
  if (format === null) return null;
  const x = dateTimeFromArgs(args.slice(1), ctx);
  if (x === null) return null;
  computeJD(x);
  computeYMD_HMS(x);
  let out = "";
  let literalFrom = 0;
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== "%") continue;
    out += format.slice(literalFrom, i);
    i++;
    literalFrom = i + 1;
    const field = strftimeField(format[i], x);
    if (field === null) return null;
    out += field;
  }
  return out + format.slice(literalFrom);
}

/**
 * timediff(A, B): "±YYYY-MM-DD HH:MM:SS.SSS", the calendar difference such
 * that datetime(B, timediff(A, B)) = datetime(A).
 */
function timediff(args: readonly SqlValue[], ctx: FunctionContext): SqlValue {
  const d1 = dateTimeFromArgs(args.slice(0, 1), ctx);
  if (d1 === null) return null;
  const d2 = dateTimeFromArgs(args.slice(1, 2), ctx);
  if (d2 === null) return null;
  computeYMD_HMS(d1);
  computeYMD_HMS(d2);
  const forward = d1.iJD >= d2.iJD;
  let Y = forward ? d1.Y - d2.Y : d2.Y - d1.Y;
  if (Y) {
    d2.Y = d1.Y;
    d2.validJD = false;
    computeJD(d2);
  }
  let M = forward ? d1.M - d2.M : d2.M - d1.M;
  if (M < 0) {
    Y--;
    M += 12;
  }
  if (M !== 0) {
    d2.M = d1.M;
    d2.validJD = false;
    computeJD(d2);
  }
  // Step d2 a month at a time until it no longer overshoots d1.
  while (forward ? d1.iJD < d2.iJD : d1.iJD > d2.iJD) {
    M--;
    if (M < 0) {
      M = 11;
      Y--;
    }
    d2.M += forward ? -1 : 1;
    if (d2.M < 1) {
      d2.M = 12;
      d2.Y--;
    } else if (d2.M > 12) {
      d2.M = 1;
      d2.Y++;
    }
    d2.validJD = false;
    computeJD(d2);
  }
  const diff = new DateTime();
  // The remainder as a julian day offset from 0000-01-01 00:00:00 (JD 1721059.5).
  diff.iJD = (forward ? d1.iJD - d2.iJD : d2.iJD - d1.iJD) + 148699540800000;
  diff.validJD = true;
  computeYMD_HMS(diff);
  const sign = forward ? "+" : "-";
  return `${sign}${formatInt(Y, 4, true)}-${pad2(M)}-${pad2(diff.D - 1)} ${pad2(diff.h)}:${pad2(diff.m)}:${formatFixed3(diff.s, 6)}`;
}

type Formatter = (x: DateTime) => SqlValue;

function dateFunction(name: string, nArgs: number, format: Formatter): ScalarFunction {
  return {
    kind: "scalar",
    name,
    nArgs,
    // 'now' is fixed for the statement, so equal arguments give equal results.
    // (SQLite additionally rejects 'now' inside indexes and CHECK constraints.)
    deterministic: true,
    call(args, ctx) {
      const x = dateTimeFromArgs(args, ctx);
      return x === null ? null : format(x);
    },
  };
}

const asDate: Formatter = (x) => {
  computeYMD(x);
  return formatDate(x);
};
const asTime: Formatter = (x) => {
  computeHMS(x);
  return formatTime(x);
};
const asDateTime: Formatter = (x) => {
  computeYMD_HMS(x);
  return `${formatDate(x)} ${formatTime(x)}`;
};
const asJulianDay: Formatter = (x) => realValue(x.iJD / 86400000.0);
const asUnixEpoch: Formatter = (x) =>
  x.useSubsec ? realValue((x.iJD - UNIX_EPOCH_JD_MS) / 1000.0) : unixSeconds(x);

export const dateTimeFunctions: readonly SqlFunction[] = [
  dateFunction("date", -1, asDate),
  dateFunction("time", -1, asTime),
  dateFunction("datetime", -1, asDateTime),
  dateFunction("julianday", -1, asJulianDay),
  dateFunction("unixepoch", -1, asUnixEpoch),
  { kind: "scalar", name: "strftime", nArgs: -1, deterministic: true, call: strftime },
  { kind: "scalar", name: "timediff", nArgs: 2, deterministic: true, call: timediff },
  dateFunction("current_date", 0, asDate),
  dateFunction("current_time", 0, asTime),
  dateFunction("current_timestamp", 0, asDateTime),
];
