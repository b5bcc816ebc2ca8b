// Ordering of result rows for ORDER BY, GROUP BY output and compound
// selects: per-key collation, direction and NULLS FIRST/LAST (SQLite puts
// NULLs first in ascending order and last in descending order by default).
import { compareValues } from "../value/compare.js";
import type { Collation } from "../value/collation.js";
import type { SqlValue } from "../value/types.js";

export interface SortKeySpec {
  collation: Collation;
  desc: boolean;
  nullsFirst: boolean;
}

export function sortKeySpec(collation: Collation, desc: boolean, nulls: "FIRST" | "LAST" | null): SortKeySpec {
  return { collation, desc, nullsFirst: nulls === null ? !desc : nulls === "FIRST" };
}

/** Compares two key tuples under the specs (one spec per key). */
export function compareKeys(a: readonly SqlValue[], b: readonly SqlValue[], specs: readonly SortKeySpec[]): number {
  for (let i = 0; i < specs.length; i++) {
    const x = a[i];
    const y = b[i];
    const s = specs[i];
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === s.nullsFirst ? -1 : 1;
    }
    const c = compareValues(x, y, s.collation);
    if (c !== 0) return s.desc ? -c : c;
  }
  return 0;
}

/** A row waiting in a sorter with its precomputed sort keys. */
export interface SortEntry {
  keys: SqlValue[];
  row: SqlValue[];
}

/** Sorts entries in place (stable, so ties keep their production order). */
export function sortEntries(entries: SortEntry[], specs: readonly SortKeySpec[]): void {
  entries.sort((a, b) => compareKeys(a.keys, b.keys, specs));
}
