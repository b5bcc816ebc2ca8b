// Differential tests of the date/time functions against sql.js: bounded
// cross products of time values x modifiers x functions, seeded random
// modifier chains, strftime specifiers, timediff, and 'now' with a fixed time.
import { beforeAll, describe as group, expect, it } from "vitest";
import { dateTimeFunctions } from "../../../src/engine/func/datetime.js";
import { Oracle, describe, fixedContext, scalar, seededRandom, type Described } from "./datetime-json-oracle.js";

const TIME_VALUES: (string | number | null)[] = [
  "2000-01-01", "2024-02-29", "2023-01-31 13:45:12", "2023-01-31T13:45:12.345", "2023-03-31 23:59:59.9999",
  "1970-01-01 00:00:00", "0000-01-01", "-0001-03-01", "-4713-11-24 12:00:00", "-4714-11-24", "9999-12-31 23:59:59.999",
  "2023-02-31", "2023-04-31", "2024-02-30", "2023-13-01", "2023-00-10", "2023-1-1", "2023-06-15 7:00", "24:00:00", "24:00:00.000", "24:00:00.001", "24:01", "2023-06-15 24:00",
  "12:30", "12:30:45", "12:30:45.5", "23:59:59.999999", "24:00", "25:00", "12:60",
  "2023-06-15 12:00:00+05:30", "2023-06-15 12:00:00 -02:00", "2023-06-15 12:00Z", "2023-06-15 12:00:00 z ",
  "2023-06-15 12:00:00+14:00", "2023-06-15 12:00:00+15:00", "2023-06-15T00:30-01:00", "12:00+01:00",
  "  2023-06-15", "2023-06-15 ", "2023-06-15x", "2023-06-15 12", "2023-06-15TT12:00", "2023-06-15T 12:00",
  "2451545", "2451545.5", "0", "-1", "1e3", "5373484.5", "5373484.49", " 123 ", "1700000000", "1.", ".5",
  "abc", "", "NOW!", "2023-06-15\u00002", "2023-06-15 12:00:00.",
  0, 1, 2451545, 2451545.25, 1700000000, 1700000000.5, -1, 5373484.4999, 1e10, -210866760000, 253402300799,
  253402300800, 1.5, -0.5, null,
];

const MODIFIERS: string[] = [
  "+1 day", "-1 day", "+1.5 days", "+36 hours", "-90 minutes", "+3600 seconds", "+0.001 seconds", "-0.0005 seconds",
  "+1 month", "-1 month", "+13 months", "-13 months", "+1.5 months", "-0.5 months", "+1 year", "-1 year", "+0.5 years",
  "+2.75 YEARS", " +1 day", "+1 days ", "1 day", "+1day", "+ 1 day", "+1 week", "+1 dayss", "+1 d", "+1 secondss",
  "+12:30", "-12:30", "+01:02:03.5", "12:00", "+1:00", "+23:59:59.999", "-00:00:00.001", "+24:00", "+12:30 Z",
  "+0001-02-03", "-0001-02-03", "+0001-02-03 04:05", "+0001-02-03 04:05:06.789", "-0000-00-01 00:00:01",
  "+00010-01-01", "+0010-01-01", "-0100-00-00", "+0000-12-00", "+0000-11-30", "+0000-00-31", "+0001-02-03x", "+0001-02-03 4:05",
  "start of day", "start of month", "start of year", "START OF MONTH", "start of week", "start of  day",
  "weekday 0", "weekday 3", "weekday 6", "weekday 7", "weekday 1.5", "weekday  2", "WEEKDAY 4", "weekday -1",
  "unixepoch", "julianday", "auto", "localtime", "utc", "subsec", "subsecond", "ceiling", "floor", "Floor",
  "bogus", "", "+1e2 days", "+176546 months", "+176545 months", "+14713 years", "-14712 years", "-5373485 days",
  "+4.6427e14 seconds", "+1e400 days",
];

const FUNCTIONS = ["date", "time", "datetime", "julianday", "unixepoch"] as const;
const STRFTIME_FORMAT = "%Y-%m-%d %H:%M:%f %S %j %J %s %w %u %W %U %G %g %V %e %k %l %p %P %I %F %R %T %%|é";

let oracle: Oracle;
beforeAll(async () => {
  // The engine treats local time as UTC (Workers run in UTC); make the
  // oracle's 'localtime'/'utc' modifiers do the same wherever tests run.
  process.env.TZ = "UTC";
  oracle = await Oracle.open();
});

const ctx = fixedContext();

type Arg = string | number | null | Uint8Array;

function ours(name: string, args: Arg[]): Described {
  return describe(scalar(dateTimeFunctions, name, args.length).call(args, ctx));
}

function theirs(name: string, args: Arg[]): Described | { error: string } {
  const placeholders = args.map((_, i) => `?${i + 1}`).join(", ");
  return oracle.value(`${name}(${placeholders})`, args);
}

/** Compares every call, collecting all mismatches so one failure shows the whole picture. */
function compareAll(calls: [string, Arg[]][]): void {
  const mismatches: string[] = [];
  for (const [name, args] of calls) {
    const expected = theirs(name, args);
    const actual = ours(name, args);
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      mismatches.push(`${name}(${JSON.stringify(args)}): sqlite ${JSON.stringify(expected)} ours ${JSON.stringify(actual)}`);
    }
  }
  expect(mismatches.slice(0, 30)).toEqual([]);
}

group("date/time functions vs sql.js", () => {
  it("time values alone", () => {
    const calls: [string, (string | number | null)[]][] = [];
    for (const t of TIME_VALUES) {
      for (const f of FUNCTIONS) calls.push([f, [t]]);
      calls.push(["strftime", [STRFTIME_FORMAT, t]]);
    }
    compareAll(calls);
  });

  it("time values x one modifier x every function", () => {
    const calls: [string, (string | number | null)[]][] = [];
    for (const t of TIME_VALUES) {
      for (const m of MODIFIERS) {
        for (const f of FUNCTIONS) calls.push([f, [t, m]]);
        calls.push(["strftime", [STRFTIME_FORMAT, t, m]]);
      }
    }
    expect(calls.length).toBeGreaterThan(30000);
    compareAll(calls);
  });

  it("seeded random chains of two to four modifiers", () => {
    const random = seededRandom(20240229);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const calls: [string, (string | number | null)[]][] = [];
    for (let i = 0; i < 6000; i++) {
      const args: (string | number | null)[] = [pick(TIME_VALUES)];
      const count = 2 + Math.floor(random() * 3);
      for (let k = 0; k < count; k++) args.push(pick(MODIFIERS));
      if (i % 6 === 5) calls.push(["strftime", [STRFTIME_FORMAT, ...args]]);
      else calls.push([pick(FUNCTIONS), args]);
    }
    compareAll(calls);
  });

  it("month and year overflow with ceiling and floor", () => {
    const calls: [string, (string | number | null)[]][] = [];
    const days = ["2023-01-29", "2023-01-30", "2023-01-31", "2024-01-31", "2023-03-31", "2023-05-31", "1900-01-31", "2000-01-31", "2023-12-31 10:11:12"];
    const steps = ["+1 month", "-1 month", "+2 months", "+11 months", "+1 year", "-1 year", "+0001-01-00", "-0000-01-00", "+4 years"];
    for (const d of days) {
      for (const step of steps) {
        for (const rounding of [[], ["floor"], ["ceiling"], ["floor", "floor"], ["ceiling", "floor"], ["floor", "+1 day"]]) {
          calls.push(["datetime", [d, step, ...rounding]]);
        }
      }
      calls.push(["date", ["2024-02-29", "+1 year", "floor"]]);
      calls.push(["date", [d, "floor"]]);
    }
    compareAll(calls);
  });

  it("every strftime specifier across a range of days, and invalid formats", () => {
    const calls: [string, (string | number | null)[]][] = [];
    const specifiers = "dfFGgHkIljJmMpPRsSTuwUVWYe%";
    for (let jd = 2459580; jd < 2459580 + 800; jd += 3) {
      for (const s of specifiers) calls.push(["strftime", [`%${s}`, jd + 0.37]]);
    }
    for (const format of ["%Q", "abc%", "%", "", "%%%", "x%Yx%"]) calls.push(["strftime", [format, "2023-06-15"]]);
    for (const format of ["%s", "%f", "%J"]) {
      calls.push(["strftime", [format, "2023-06-15 12:34:56.789", "subsec"]]);
      calls.push(["strftime", [format, "0000-01-01 00:00:00.001"]]);
    }
    calls.push(["strftime", [null, "2023-06-15"]], ["strftime", [1.5, "2023-06-15"]], ["strftime", [12, "2023-06-15"]]);
    compareAll(calls);
  });

  it("calendar <-> julian day across every year, including negative centuries", () => {
    const calls: [string, (string | number | null)[]][] = [];
    for (let y = -4713; y <= 9999; y += y < 2200 ? 1 : 37) {
      const year = (y < 0 ? "-" : "") + String(Math.abs(y)).padStart(4, "0");
      for (const md of ["01-01", "02-28", "02-29", "03-01", "12-31"]) {
        calls.push(["julianday", [`${year}-${md}`]]);
        calls.push(["date", [`${year}-${md}`, "+1 day"]]);
      }
    }
    compareAll(calls);
  });

  it("20000 seeded random time strings and modifier chains (fuzz)", () => {
    const random = seededRandom(3);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const digits = (width: number, below: number) => String(Math.floor(random() * below)).padStart(width, "0");
    const timeString = (): string => {
      let text = "";
      if (random() < 0.8) text += `${pick(["", "", "-"])}${digits(4, 10000)}-${digits(2, 14)}-${digits(2, 33)}`;
      if (random() < 0.7) {
        text += pick([" ", "T", "  ", ""]) + `${digits(2, 26)}:${digits(2, 61)}`;
        if (random() < 0.6) text += `:${digits(2, 61)}`;
        if (random() < 0.4) text += "." + digits(6, 10 ** 6).slice(0, 1 + Math.floor(random() * 6));
        if (random() < 0.3) text += pick(["Z", "z", " Z", `+${digits(2, 16)}:${digits(2, 60)}`, `-${digits(2, 16)}:${digits(2, 60)}`, "+1:00"]);
      }
      if (random() < 0.05) text += pick([" ", "x"]);
      return text;
    };
    const units = ["day", "days", "hour", "hours", "minute", "minutes", "second", "seconds", "month", "months", "year", "years"];
    const modifier = (): string => {
      const r = random();
      if (r < 0.3) return `${pick(["+", "-", ""])}${(random() * 1000 - 500).toFixed(Math.floor(random() * 3))} ${pick(units)}`;
      if (r < 0.5) return `${pick(["+", "-"])}${digits(4, 30)}-${digits(2, 13)}-${digits(2, 32)}${pick(["", ` ${digits(2, 25)}:${digits(2, 60)}`, ` ${digits(2, 25)}:${digits(2, 60)}:${digits(2, 60)}.${digits(3, 1000)}`])}`;
      if (r < 0.65) return `${pick(["+", "-", ""])}${digits(2, 30)}:${digits(2, 61)}${pick(["", `:${digits(2, 61)}`, `:${digits(2, 61)}.${digits(2, 100)}`])}`;
      return pick(["start of day", "start of month", "start of year", "weekday 0", "weekday 3", "weekday -2", "unixepoch", "julianday", "auto", "localtime", "utc", "subsec", "ceiling", "floor"]);
    };
    const calls: [string, Arg[]][] = [];
    for (let i = 0; i < 20000; i++) {
      const args: Arg[] = [random() < 0.1 ? random() * 3e6 : timeString()];
      const count = Math.floor(random() * 4);
      for (let k = 0; k < count; k++) args.push(modifier());
      calls.push([pick(FUNCTIONS), args]);
    }
    compareAll(calls);
  });

  it("BLOB and numeric arguments in every position", () => {
    const blob = (s: string) => new TextEncoder().encode(s);
    const calls: [string, Arg[]][] = [
      ["datetime", [blob("2024-01-31 10:00")]], ["datetime", [blob("2024-01-31"), blob("+1 month")]],
      ["date", ["2024-01-31", 5]], ["date", ["2024-01-31", 1.5]], ["date", ["2024-01-31", -1]], ["date", ["2024-01-31", null]],
      ["strftime", [blob("%Y/%m"), "2024-01-31"]], ["strftime", [20, "2024-01-31"]], ["strftime", [2.5, "2024-01-31"]],
      ["time", [blob("12:34:56.789"), "subsec"]], ["julianday", [blob("")]], ["datetime", [new Uint8Array([0x32, 0x30, 0x32, 0x34, 0xff])]],
      ["timediff", [blob("2024-03-01"), "2024-01-31"]], ["unixepoch", [1700000000, blob("unixepoch")]],
    ];
    compareAll(calls);
  });

  it("timediff between pairs of time values", () => {
    const values = [
      "2023-01-31", "2023-03-01", "2024-02-29 12:00", "2024-03-31 23:59:59.5", "2000-01-01", "1999-12-31 23:59:59.999",
      "0000-01-01", "9999-12-31", "2451545.5", 2451545, 0, "12:00", "abc", null, "2023-05-31", "2023-06-30", "2022-02-28",
    ];
    const calls: [string, (string | number | null)[]][] = [];
    for (const a of values) for (const b of values) calls.push(["timediff", [a, b]]);
    compareAll(calls);
  });
});

group("'now' with a fixed statement time", () => {
  it("all functions read FunctionContext.statementTime()", () => {
    const at = Date.UTC(2024, 1, 29, 13, 14, 15, 678);
    const now = fixedContext(at);
    const call = (name: string, ...args: (string | number | null)[]) =>
      scalar(dateTimeFunctions, name, args.length).call(args, now);
    expect(call("datetime", "now")).toBe("2024-02-29 13:14:15");
    expect(call("datetime", "now", "subsec")).toBe("2024-02-29 13:14:15.678");
    expect(call("datetime", "subsec")).toBe("2024-02-29 13:14:15.678");
    expect(call("datetime")).toBe("2024-02-29 13:14:15");
    expect(call("date", "NOW", "+1 year")).toBe("2025-03-01");
    expect(call("unixepoch", "now")).toBe(Math.floor(at / 1000));
    expect(call("strftime", "%s", "now")).toBe(String(Math.floor(at / 1000)));
    expect(call("current_timestamp")).toBe("2024-02-29 13:14:15");
    expect(call("current_date")).toBe("2024-02-29");
    expect(call("current_time")).toBe("13:14:15");
  });

  it("agrees with sql.js 'now' to within the clock difference", () => {
    const mine = scalar(dateTimeFunctions, "unixepoch", 1).call(["now"], fixedContext(Date.now())) as number;
    const sqlite = oracle.value("unixepoch('now')");
    expect(Array.isArray(sqlite) && Math.abs((sqlite[1] as number) - mine)).toBeLessThanOrEqual(2);
  });
});
