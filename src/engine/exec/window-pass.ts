// One window's pass over the sorted rows: partitions, peer groups, frames,
// and the results of every call using that window. Aggregates slide over
// their frames with step/inverse; sliding min/max keep a monotonic queue;
// with an EXCLUDE clause each frame is recomputed, as SQLite does; any other
// aggregate without inverse is recomputed when its frame start moves.
// Window-only functions read a WindowRowView.
import type { AggregateFunction, FunctionContext, WindowFunction, WindowRowView } from "../func/types.js";
import type { Collation } from "../value/collation.js";
import { compareValues } from "../value/compare.js";
import type { SqlValue } from "../value/types.js";
import type { Evaluator } from "./compile-expr.js";
import { compareKeys, type SortKeySpec } from "./sort.js";
import type { ResolvedWindow } from "./window-def.js";
import { checkedOffset, computeFrames, type PartitionLayout } from "./window-frame.js";

export interface WindowCallSpec {
  fn: AggregateFunction | WindowFunction;
  /** What the function is called with (knows its arguments' subtypes, so JSON stays JSON). */
  fctx: FunctionContext;
  /** Set for min()/max() (no inverse): sliding frames keep a monotonic queue instead of recomputing. */
  extreme: { max: boolean; collation: Collation } | null;
  args: Evaluator[];
  filter: Evaluator | null;
  /** Per input row (in input order), filled while the rows are read. */
  argValues: SqlValue[][];
  filterValues: boolean[] | null;
  /** Per input row, filled by the pass. */
  results: SqlValue[];
}

export interface WindowPassSpec {
  window: ResolvedWindow;
  /** PARTITION BY then ORDER BY values of the current input row. */
  keys: Evaluator[];
  partitionSpecs: SortKeySpec[];
  /** Sort order of `keys`: partition keys ascending, then the window's ORDER BY. */
  keySpecs: SortKeySpec[];
  startOffset: Evaluator | null;
  endOffset: Evaluator | null;
  calls: WindowCallSpec[];
  /** `keys` per input row, filled while the rows are read. */
  rowKeys: SqlValue[][];
}

/** Window-only functions whose result depends on the frame (the others use only partition and peers). */
const FRAME_FUNCTIONS = new Set(["first_value", "last_value", "nth_value"]);

function usesFrame(c: WindowCallSpec): boolean {
  return c.fn.kind === "aggregate" || FRAME_FUNCTIONS.has(c.fn.name);
}

/**
 * Computes every call of the pass; `order` lists input rows sorted by the
 * pass's keys. `tick` counts a step of the statement's budget for each row
 * stepped into or out of a frame and each result computed, so long window
 * computations stay interruptible and their work is measurable.
 */
export function evaluatePass(pass: WindowPassSpec, order: readonly number[], tick: () => void): void {
  const n = order.length;
  for (const c of pass.calls) c.results = new Array(n);
  if (n === 0) return;
  const frame = pass.window.frame;
  const framed = pass.calls.some(usesFrame);
  const startOffset = framed && pass.startOffset ? checkedOffset(pass.startOffset(), frame.unit, "starting") : null;
  const endOffset = framed && pass.endOffset ? checkedOffset(pass.endOffset(), frame.unit, "ending") : null;
  const keys = pass.rowKeys;
  const nPartition = pass.partitionSpecs.length;
  const hasOrder = pass.keySpecs.length > nPartition;
  const groupOf = new Int32Array(n);
  const frameStart = new Int32Array(n);
  const frameEnd = new Int32Array(n);
  // Reused one-value keys for RANGE offset comparisons.
  const left: SqlValue[] = [null];
  const right: SqlValue[] = [null];
  const rangeSpecs = hasOrder ? [pass.keySpecs[nPartition]] : [];
  let p0 = 0;
  while (p0 < n) {
    let p1 = p0 + 1;
    while (p1 < n && compareKeys(keys[order[p1]], keys[order[p0]], pass.partitionSpecs) === 0) p1++;
    const size = p1 - p0;
    const base = p0;
    const groupStart = [0];
    for (let i = 1; i < size; i++) {
      if (hasOrder && compareKeys(keys[order[base + i]], keys[order[base + i - 1]], pass.keySpecs) !== 0) groupStart.push(i);
      groupOf[i] = groupStart.length - 1;
    }
    groupOf[0] = 0;
    groupStart.push(size);
    const layout: PartitionLayout = {
      size,
      groupOf,
      groupStart,
      rangeKey: (i) => keys[order[base + i]][nPartition],
      rangeSpec: hasOrder ? pass.keySpecs[nPartition] : null,
      rangeCompare: (i, target) => {
        left[0] = keys[order[base + i]][nPartition];
        right[0] = target;
        return compareKeys(left, right, rangeSpecs);
      },
    };
    if (framed) computeFrames(frame, startOffset, endOffset, layout, frameStart, frameEnd);
    const partition: Partition = { order, base, layout, frameStart, frameEnd, exclude: frame.exclude, startUnbounded: frame.start.type === "UNBOUNDED PRECEDING", tick };
    for (const c of pass.calls) {
      if (c.fn.kind === "aggregate") aggregateResults(c, c.fn, partition);
      else windowResults(c, c.fn, partition);
    }
    p0 = p1;
  }
}

interface Partition {
  order: readonly number[];
  /** Position of the partition's first row in `order`. */
  base: number;
  layout: PartitionLayout;
  frameStart: Int32Array;
  frameEnd: Int32Array;
  exclude: ResolvedWindow["frame"]["exclude"];
  startUnbounded: boolean;
  tick: () => void;
}

/** Whether EXCLUDE removes partition row j from row i's frame. */
function isExcluded(p: Partition, i: number, j: number): boolean {
  switch (p.exclude) {
    case "CURRENT ROW":
      return j === i;
    case "GROUP":
      return p.layout.groupOf[j] === p.layout.groupOf[i];
    case "TIES":
      return j !== i && p.layout.groupOf[j] === p.layout.groupOf[i];
    default:
      return false;
  }
}

function aggregateResults(c: WindowCallSpec, fn: AggregateFunction, p: Partition): void {
  const fctx = c.fctx;
  const { order, base } = p;
  const size = p.layout.size;
  const filter = c.filterValues;
  const step = (state: unknown, j: number): unknown => {
    p.tick();
    const row = order[base + j];
    return filter && !filter[row] ? state : fn.step(state, c.argValues[row], fctx);
  };
  if (p.exclude) {
    for (let i = 0; i < size; i++) {
      let state = fn.init();
      for (let j = p.frameStart[i]; j < p.frameEnd[i]; j++) if (!isExcluded(p, i, j)) state = step(state, j);
      c.results[order[base + i]] = fn.value(state);
    }
    return;
  }
  if (c.extreme && !p.exclude && !p.startUnbounded) {
    slidingExtreme(c, c.extreme, p);
    return;
  }
  const inverse = fn.inverse;
  // Like SQLite, one state per partition: every row is stepped in turn as the
  // frame end passes it and removed with inverse as the frame start passes it
  // (so a REAL once seen keeps sum() REAL). Without inverse, a frame whose
  // start moves is recomputed.
  let state = fn.init();
  let from = 0;
  let to = 0;
  for (let i = 0; i < size; i++) {
    const s = p.frameStart[i];
    const e = Math.max(s, p.frameEnd[i]);
    if (s < from || e < to || (s > from && !inverse)) {
      state = fn.init();
      from = to = s;
    }
    while (to < e) state = step(state, to++);
    while (from < s) {
      p.tick();
      const row = order[base + from++];
      if (!filter || filter[row]) state = (inverse as NonNullable<typeof inverse>)(state, c.argValues[row], fctx);
    }
    c.results[order[base + i]] = fn.value(state);
  }
}

/**
 * Sliding min()/max() (frame start not UNBOUNDED PRECEDING) in linear time:
 * a queue of candidate rows whose values get strictly better toward the
 * front. A new value evicts equal ones too, so among equal values (1 and 1.0,
 * 'a' and 'A' under NOCASE) the latest row's wins, as with the index SQLite
 * keeps for these frames. NULLs and rows failing FILTER never enter. Frames
 * that move backwards (no frame kind produces them) restart the queue.
 */
function slidingExtreme(c: WindowCallSpec, extreme: NonNullable<WindowCallSpec["extreme"]>, p: Partition): void {
  const { order, base } = p;
  const size = p.layout.size;
  const filter = c.filterValues;
  const valueAt = (j: number): SqlValue => c.argValues[order[base + j]][0];
  const notBetter = (a: SqlValue, b: SqlValue): boolean => {
    const cmp = compareValues(a, b, extreme.collation);
    return extreme.max ? cmp <= 0 : cmp >= 0;
  };
  const queue: number[] = [];
  let head = 0;
  let to = 0;
  let lastStart = 0;
  for (let i = 0; i < size; i++) {
    const s = p.frameStart[i];
    const e = Math.max(s, p.frameEnd[i]);
    if (s < lastStart || e < to) {
      queue.length = head = 0;
      to = s;
    }
    lastStart = s;
    to = Math.max(to, s);
    for (; to < e; to++) {
      p.tick();
      const v = valueAt(to);
      if (v === null || (filter && !filter[order[base + to]])) continue;
      while (queue.length > head && notBetter(valueAt(queue[queue.length - 1]), v)) queue.pop();
      queue.push(to);
    }
    while (head < queue.length && queue[head] < s) head++;
    c.results[order[base + i]] = head < queue.length ? valueAt(queue[head]) : null;
  }
}

function windowResults(c: WindowCallSpec, fn: WindowFunction, p: Partition): void {
  const { order, base, layout } = p;
  const size = layout.size;
  const argsAt = (i: number): readonly SqlValue[] => c.argValues[order[base + i]];
  const view: { -readonly [K in keyof WindowRowView]: WindowRowView[K] } = { partitionSize: size, row: 0, frameStart: 0, frameEnd: 0, peerStart: 0, peerEnd: 0, peerGroupIndex: 0, argsAt };
  const excluding = p.exclude !== null && FRAME_FUNCTIONS.has(fn.name);
  for (let i = 0; i < size; i++) {
    p.tick();
    const g = layout.groupOf[i];
    view.row = i;
    view.frameStart = p.frameStart[i];
    view.frameEnd = p.frameEnd[i];
    view.peerStart = layout.groupStart[g];
    view.peerEnd = layout.groupStart[g + 1];
    view.peerGroupIndex = g;
    c.results[order[base + i]] = fn.compute(excluding ? excludedFrameView(p, i, argsAt) : view);
  }
}

/**
 * For first_value/last_value/nth_value under EXCLUDE: a view whose rows
 * 0..k-1 are the frame's remaining rows in order and whose row k is the
 * current row, so the frame is contiguous again (those functions read only
 * the frame and the current row's arguments).
 */
function excludedFrameView(p: Partition, i: number, argsAt: (i: number) => readonly SqlValue[]): WindowRowView {
  const kept: number[] = [];
  for (let j = p.frameStart[i]; j < p.frameEnd[i]; j++) {
    p.tick();
    if (!isExcluded(p, i, j)) kept.push(j);
  }
  const k = kept.length;
  return { partitionSize: k + 1, row: k, frameStart: 0, frameEnd: k, peerStart: k, peerEnd: k + 1, peerGroupIndex: 0, argsAt: (j) => argsAt(j < k ? kept[j] : i) };
}
