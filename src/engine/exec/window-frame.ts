// Window frames: the checked frame offsets of a run (SQLite's messages for
// bad ones), and each row's frame within a sorted partition for ROWS, GROUPS
// and RANGE bounds. Frames are half-open ranges of partition row indexes.
import { SqliteError } from "../errors.js";
import { applyAffinity } from "../value/affinity.js";
import { arith } from "../value/arith.js";
import { IntegralReal, type SqlValue } from "../value/types.js";
import type { FrameBoundType, FrameSpec } from "./window-def.js";
import type { SortKeySpec } from "./sort.js";

/**
 * A frame offset as the run uses it: a row or group count for ROWS/GROUPS,
 * a non-negative number for RANGE. Like SQLite, text offsets are taken by
 * their numeric value when they look like numbers.
 */
export function checkedOffset(v: SqlValue, unit: FrameSpec["unit"], which: "starting" | "ending"): SqlValue {
  const n = applyAffinity(v, "numeric");
  if (unit === "RANGE") {
    const isNumber = typeof n === "number" || typeof n === "bigint" || n instanceof IntegralReal;
    if (!isNumber || (n instanceof IntegralReal ? n.value : n) < 0) throw new SqliteError(`frame ${which} offset must be a non-negative number`);
    return n;
  }
  if (typeof n === "bigint" && n > 0n) return Number.MAX_SAFE_INTEGER;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new SqliteError(`frame ${which} offset must be a non-negative integer`);
  return n;
}

/** The rows of one sorted partition as frames see them. */
export interface PartitionLayout {
  size: number;
  /** Peer group of each row (rows equal under the window's ORDER BY; one group without ORDER BY). */
  groupOf: Int32Array;
  /** First row of each peer group, followed by `size`. */
  groupStart: number[];
  /** The single ORDER BY value of row i (RANGE with offsets only) and its sort order. */
  rangeKey: (i: number) => SqlValue;
  rangeSpec: SortKeySpec | null;
  /** Compares row i's ORDER BY value with `target` in the window's sort order. */
  rangeCompare: (i: number, target: SqlValue) => number;
}

/** Fills frameStart/frameEnd (indexes 0..size-1) with each row's frame. */
export function computeFrames(frame: FrameSpec, startOffset: SqlValue, endOffset: SqlValue, layout: PartitionLayout, frameStart: Int32Array, frameEnd: Int32Array): void {
  for (let i = 0; i < layout.size; i++) {
    frameStart[i] = boundIndex(frame.unit, frame.start.type, startOffset, layout, i, false);
    frameEnd[i] = boundIndex(frame.unit, frame.end.type, endOffset, layout, i, true);
  }
}

/** Where a bound falls for row i: the first row of the frame, or (isEnd) the first row after it. */
function boundIndex(unit: FrameSpec["unit"], type: FrameBoundType, offset: SqlValue, layout: PartitionLayout, i: number, isEnd: boolean): number {
  const size = layout.size;
  switch (type) {
    case "UNBOUNDED PRECEDING":
      return 0;
    case "UNBOUNDED FOLLOWING":
      return size;
    case "CURRENT ROW": {
      if (unit === "ROWS") return isEnd ? i + 1 : i;
      const g = layout.groupOf[i];
      return layout.groupStart[isEnd ? g + 1 : g];
    }
    default: {
      const sign = type === "PRECEDING" ? -1 : 1;
      if (unit === "ROWS") return clamp(i + sign * (offset as number) + (isEnd ? 1 : 0), size);
      if (unit === "GROUPS") {
        const groups = layout.groupStart.length - 1;
        const target = layout.groupOf[i] + sign * (offset as number) + (isEnd ? 1 : 0);
        return layout.groupStart[Math.max(0, Math.min(groups, target))];
      }
      return rangeBound(layout, i, sign, offset, isEnd);
    }
  }
}

function clamp(i: number, size: number): number {
  return i < 0 ? 0 : i > size ? size : i;
}

/**
 * RANGE n PRECEDING/FOLLOWING: the ORDER BY value shifted by n (toward the
 * start of the sort order for PRECEDING, so up for DESC); text, blobs and
 * NULLs are not shifted, so their frames are their peers, as in SQLite.
 * The start is the first row not sorting before the target, the end the
 * first row sorting after it.
 */
function rangeBound(layout: PartitionLayout, i: number, sign: number, offset: SqlValue, isEnd: boolean): number {
  const spec = layout.rangeSpec as SortKeySpec;
  const key = layout.rangeKey(i);
  const numeric = typeof key === "number" || typeof key === "bigint" || key instanceof IntegralReal;
  const target = numeric ? arith(sign * (spec.desc ? -1 : 1) < 0 ? "-" : "+", key, offset) : key;
  let lo = 0;
  let hi = layout.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = layout.rangeCompare(mid, target);
    if (c < 0 || (isEnd && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
