// Turning printed values into the form a query record is checked against:
// the sort modes, the MD5 hash ("N values hashing to X") and the expected
// result as written. Printed values are ASCII (see format.ts), so
// JavaScript's code-unit order is C strcmp's byte order.
import { createHash } from "node:crypto";
import type { SltExpected } from "./records.js";

export type SltSortMode = "nosort" | "rowsort" | "valuesort";

export function isSortMode(mode: string): mode is SltSortMode {
  return mode === "nosort" || mode === "rowsort" || mode === "valuesort";
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The values in the order the reference runner compares them: unchanged
 * (nosort), rows ordered by their values compared column by column with
 * strcmp (rowsort), or every value sorted on its own (valuesort).
 */
export function sortValues(values: readonly string[], columnCount: number, mode: SltSortMode): string[] {
  if (mode === "nosort") return [...values];
  // The default sort compares UTF-16 code units: byte order for ASCII.
  if (mode === "valuesort" || columnCount === 1) return [...values].sort();
  const rows: string[][] = [];
  for (let i = 0; i < values.length; i += columnCount) rows.push(values.slice(i, i + columnCount));
  rows.sort((a, b) => {
    for (let c = 0; c < columnCount; c++) {
      const order = compareStrings(a[c], b[c]);
      if (order !== 0) return order;
    }
    return 0;
  });
  return rows.flat();
}

/** MD5 (hex) of every value followed by a newline, the way results are hashed. */
export function hashValues(values: readonly string[]): string {
  // One update of the joined text: much faster than an update per value.
  return createHash("md5")
    .update(values.length === 0 ? "" : `${values.join("\n")}\n`)
    .digest("hex");
}

/** The line standing for a result above the hash threshold. */
export function hashLine(count: number, md5: string): string {
  return `${count} values hashing to ${md5}`;
}

/** The MD5 a label stands for, from an expected result as written. */
export function expectedHash(expected: SltExpected): string {
  return expected.kind === "hash" ? expected.md5 : hashValues(expected.values);
}

/** The expected result as the lines written in the script. */
export function expectedLines(expected: SltExpected): string[] {
  return expected.kind === "hash" ? [hashLine(expected.count, expected.md5)] : expected.values;
}
