// Timing for the engine benchmark: one warm-up run, then timed runs until
// `runs` are done or the time budget is spent (at least one), reporting the
// median. Both process CPU time and wall-clock time are taken: this machine
// is shared, and under load the wall clock also counts time spent waiting
// for a core, so CPU time is the fairer figure between engines.
import { cpuUsage } from "node:process";
import { median } from "../stats.js";

/** Wall-clock milliseconds `fn` takes, once (for the simple single-shot benchmarks). */
export function timeMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Operations per second for `count` operations in `ms`. */
export function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

export interface Timing {
  /** Median process CPU time (user + system) of one run, in ms. */
  cpuMs: number;
  /** Median wall-clock time of one run, in ms. */
  wallMs: number;
  runs: number;
  /** What the last run returned, to check that the engines agree. */
  result: unknown;
}

export interface MeasureOptions {
  runs: number;
  /** Stop adding runs once the timed runs have taken this long (wall ms). */
  budgetMs: number;
}

/**
 * Times the runs that `makeRun` builds: makeRun itself is untimed (it can
 * prepare a fresh database for an INSERT run); the function it returns is
 * the timed work.
 */
export function measure(makeRun: () => () => unknown, options: MeasureOptions): Timing {
  makeRun()();
  const cpu: number[] = [];
  const wall: number[] = [];
  let spent = 0;
  let result: unknown;
  while (cpu.length < options.runs && (cpu.length === 0 || spent < options.budgetMs)) {
    const timed = makeRun();
    const c0 = cpuUsage();
    const w0 = performance.now();
    result = timed();
    const w = performance.now() - w0;
    const c = cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    wall.push(w);
    spent += w;
  }
  return { cpuMs: median(cpu), wallMs: median(wall), runs: cpu.length, result };
}
