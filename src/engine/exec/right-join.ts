// RIGHT and FULL JOIN: nests the join levels into one loop and adds, for each
// RIGHT or FULL JOIN, the pass that emits the right-hand rows no row of the
// join's left operand matched. While the loops run, each right-hand row that
// passes its ON clause is recorded; once they finish, a pass per such join (in
// FROM order, as SQLite's RIGHT-JOIN steps run) scans that source again for
// the rows not recorded and runs the rest of the join for each, with every
// source to its left NULL-extended.
import type { Level } from "../plan/access.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import type { Evaluator } from "./compile-expr.js";
import { buildLevelLoop, type Body, type CompiledTerm, type LevelLoop, type LoopSource } from "./scan.js";
import type { IndexableTerm } from "../plan/terms.js";

/** One level of the join, compiled. */
export interface JoinLevel {
  level: Level;
  source: LoopSource;
  filters: Evaluator[];
  joinFilters: Evaluator[];
}

interface UnmatchedPass {
  /** Position of the RIGHT/FULL JOIN's right-hand source among the levels. */
  at: number;
  /** Identities (rowids) of its rows matched during the current run. */
  matched: Set<SqlValue>;
  /** A scan of the source yielding only rows not in `matched`, under the level's WHERE filters. */
  loop: LevelLoop;
}

/**
 * The join loops of a FROM clause: the first level is the outermost. With
 * RIGHT or FULL JOINs the levels are in FROM order (the planner keeps it), so
 * the levels before a RIGHT/FULL JOIN are exactly its left operand.
 */
export function composeJoinLoops(levels: JoinLevel[], terms: (form: IndexableTerm) => CompiledTerm, env: CompileEnv): (body: Body) => boolean {
  const passes: UnmatchedPass[] = [];
  const loops: LevelLoop[] = levels.map((l, at) => {
    const common = { source: l.source, terms, runtime: env.runtime };
    if (!l.level.preservesUnmatched) return buildLevelLoop({ ...common, level: l.level, filters: l.filters, joinFilters: l.joinFilters });
    const slot = l.source.slot;
    const matched = new Set<SqlValue>();
    const notMatched: Evaluator = () => (matched.has(slot.rowid()) ? 0 : 1);
    passes.push({
      at,
      matched,
      // The ON clause failed for these rows by definition: only the WHERE-side filters apply.
      loop: buildLevelLoop({ ...common, level: { ...l.level, path: { kind: "scan" }, outer: false, preservesUnmatched: false }, filters: [notMatched, ...l.filters], joinFilters: [] }),
    });
    return buildLevelLoop({ ...common, level: l.level, filters: l.filters, joinFilters: l.joinFilters, onMatch: () => matched.add(slot.rowid()) });
  });
  // inner[i] runs levels i.. around the body; the innermost level runs the body itself (one call less per row).
  const inner: ((body: Body) => boolean)[] = new Array(loops.length + 1);
  inner[loops.length] = (body) => body();
  if (loops.length > 0) inner[loops.length - 1] = loops[loops.length - 1];
  for (let i = loops.length - 2; i >= 0; i--) {
    const loop = loops[i];
    const next = inner[i + 1];
    inner[i] = (body) => loop(() => next(body));
  }
  if (passes.length === 0) return inner[0];
  return (body) => {
    for (const p of passes) p.matched.clear();
    if (!inner[0](body)) return false;
    for (const p of passes) {
      const left = levels.slice(0, p.at).map((l) => l.source.slot);
      for (const slot of left) slot.nullRow = true;
      try {
        const next = inner[p.at + 1];
        if (!p.loop(() => next(body))) return false;
      } finally {
        for (const slot of left) slot.nullRow = false;
      }
    }
    return true;
  };
}

/** EXPLAIN QUERY PLAN rows of the unmatched-row passes, in SQLite's wording. */
export function describeUnmatchedPasses(levels: Level[], labels: string[], env: CompileEnv): void {
  for (const level of levels) {
    if (!level.preservesUnmatched) continue;
    const label = labels[level.source];
    env.plan.nest(`RIGHT-JOIN ${label}`, () => env.plan.add(`SCAN ${label}`));
  }
}
