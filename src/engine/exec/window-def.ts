// Window definitions as SQLite resolves them: OVER name / OVER (base ...)
// against the WINDOW clause (with SQLite's rules on what a base window lets
// a reference add), the default frame, and the compile-time frame checks.
import { SqliteError } from "../errors.js";
import { foldName } from "../schema/schema.js";
import type { Expr, FrameBound, FunctionCall, NamedWindow, OrderingTerm, WindowDef } from "../sql/ast.js";

export type FrameBoundType = FrameBound["type"];

/** A frame with its bounds; offsets are expressions evaluated once per run. */
export interface FrameSpec {
  unit: "ROWS" | "RANGE" | "GROUPS";
  start: { type: FrameBoundType; offset: Expr | null };
  end: { type: FrameBoundType; offset: Expr | null };
  /**
   * null when there is no EXCLUDE clause. An explicit EXCLUDE NO OTHERS
   * removes nothing but, as in SQLite, makes aggregates recompute each frame
   * from scratch (visible in sum()'s INTEGER/REAL result after a REAL left the frame).
   */
  exclude: "NO OTHERS" | "CURRENT ROW" | "GROUP" | "TIES" | null;
}

export interface ResolvedWindow {
  partitionBy: Expr[];
  orderBy: OrderingTerm[];
  frame: FrameSpec;
  /** Same text for definitions that are the same window, so they share one sort and partition pass. */
  key: string;
}

/** RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW: SQLite's frame when none is given. */
const DEFAULT_FRAME: FrameSpec = {
  unit: "RANGE",
  start: { type: "UNBOUNDED PRECEDING", offset: null },
  end: { type: "CURRENT ROW", offset: null },
  exclude: null,
};

/** A definition after applying its base window; `explicitFrame` says whether a base may still be overridden. */
interface Chained {
  partitionBy: Expr[];
  orderBy: OrderingTerm[];
  frame: FrameSpec;
  explicitFrame: boolean;
}

/** Resolves the windows of one SELECT core: its WINDOW clause and each call's OVER. */
export class WindowResolver {
  private readonly named = new Map<string, Chained>();

  constructor(
    windows: readonly NamedWindow[],
    private readonly source: string,
  ) {
    // A named window may build on windows defined before it in the same clause;
    // SQLite silently ignores a base name it cannot find there.
    for (const w of windows) {
      const known = w.window.base === null || this.named.has(foldName(w.window.base.name));
      this.named.set(foldName(w.name.name), this.chain(known ? w.window : { ...w.window, base: null }));
    }
  }

  /**
   * The window a call runs over. Functions that do not look at the frame get
   * the fixed frame SQLite assigns them, which decides what windows count as
   * the same (and so the passes and the output order).
   */
  resolve(call: FunctionCall, fnName: string): ResolvedWindow {
    const over = call.over as NonNullable<FunctionCall["over"]>;
    const chained = over.kind === "Ident" ? this.lookup(over.name) : this.chain(over);
    const f = FIXED_FRAMES.get(fnName) ?? chained.frame;
    const text = (e: { start: number; end: number }) => this.source.slice(e.start, e.end);
    const key = [
      chained.partitionBy.map(text).join(","),
      chained.orderBy.map((o) => `${text(o.expr)} ${o.direction ?? ""} ${o.nulls ?? ""}`).join(","),
      f.unit,
      f.start.type,
      f.start.offset ? text(f.start.offset) : "",
      f.end.type,
      f.end.offset ? text(f.end.offset) : "",
      f.exclude ?? "",
    ].join("|");
    return { partitionBy: chained.partitionBy, orderBy: chained.orderBy, frame: f, key };
  }

  private lookup(name: string): Chained {
    const w = this.named.get(foldName(name));
    if (!w) throw new SqliteError(`no such window: ${name}`);
    return w;
  }

  private chain(def: WindowDef): Chained {
    let partitionBy = def.partitionBy;
    let orderBy = def.orderBy;
    if (def.base) {
      const base = this.lookup(def.base.name);
      const refused = def.partitionBy.length > 0 ? "PARTITION clause" : base.orderBy.length > 0 && def.orderBy.length > 0 ? "ORDER BY clause" : base.explicitFrame ? "frame specification" : null;
      if (refused) throw new SqliteError(`cannot override ${refused} of window: ${def.base.name}`);
      partitionBy = base.partitionBy;
      if (orderBy.length === 0) orderBy = base.orderBy;
    }
    const frame = def.frame ? checkedFrame(def.frame, orderBy) : DEFAULT_FRAME;
    return { partitionBy, orderBy, frame, explicitFrame: def.frame !== null };
  }
}

function fixedFrame(unit: FrameSpec["unit"], start: FrameBoundType, end: FrameBoundType): FrameSpec {
  return { unit, start: { type: start, offset: null }, end: { type: end, offset: null }, exclude: null };
}

/** The frames SQLite gives ranking and offset functions whatever their OVER says (sqlite3WindowUpdate). */
const FIXED_FRAMES = new Map<string, FrameSpec>([
  ["row_number", fixedFrame("ROWS", "UNBOUNDED PRECEDING", "CURRENT ROW")],
  ["dense_rank", fixedFrame("RANGE", "UNBOUNDED PRECEDING", "CURRENT ROW")],
  ["rank", fixedFrame("RANGE", "UNBOUNDED PRECEDING", "CURRENT ROW")],
  ["percent_rank", fixedFrame("GROUPS", "CURRENT ROW", "UNBOUNDED FOLLOWING")],
  ["cume_dist", fixedFrame("GROUPS", "FOLLOWING", "UNBOUNDED FOLLOWING")],
  ["ntile", fixedFrame("ROWS", "CURRENT ROW", "UNBOUNDED FOLLOWING")],
  ["lead", fixedFrame("ROWS", "UNBOUNDED PRECEDING", "UNBOUNDED FOLLOWING")],
  ["lag", fixedFrame("ROWS", "UNBOUNDED PRECEDING", "CURRENT ROW")],
]);

const BOUND_RANK: Record<FrameBoundType, number> = {
  "UNBOUNDED PRECEDING": 0,
  PRECEDING: 1,
  "CURRENT ROW": 2,
  FOLLOWING: 3,
  "UNBOUNDED FOLLOWING": 4,
};

function checkedFrame(frame: NonNullable<WindowDef["frame"]>, orderBy: OrderingTerm[]): FrameSpec {
  const start = frame.startBound;
  const end = frame.endBound;
  if (start.type === "UNBOUNDED FOLLOWING" || end.type === "UNBOUNDED PRECEDING") throw new SqliteError("unsupported frame specification");
  // The start may not come later than the end in the order PRECEDING < CURRENT ROW < FOLLOWING (offsets aside).
  const startRank = BOUND_RANK[start.type];
  const endRank = BOUND_RANK[end.type];
  if ((startRank === 2 && endRank === 1) || (startRank === 3 && endRank <= 2)) throw new SqliteError("unsupported frame specification");
  const hasOffset = start.offset !== null || end.offset !== null;
  if (frame.unit === "RANGE" && hasOffset && orderBy.length !== 1) throw new SqliteError("RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression");
  return {
    unit: frame.unit,
    start: { type: start.type, offset: start.offset },
    end: { type: end.type, offset: end.offset },
    exclude: frame.exclude,
  };
}
