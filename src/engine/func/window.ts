// Window-only functions (row_number, rank, dense_rank, percent_rank,
// cume_dist, ntile, lag, lead, first_value, last_value, nth_value), computed
// per row from the WindowRowView the executor provides.
import { SqliteError } from "../errors.js";
import { toInt64 } from "../value/convert.js";
import { realValue, type SqlValue } from "../value/types.js";
import type { WindowFunction, WindowRowView } from "./types.js";

function windowFn(name: string, nArgs: number, compute: (v: WindowRowView) => SqlValue): WindowFunction {
  return { kind: "window", name, nArgs, compute };
}

/** A positive integer argument (ntile's N, nth_value's N), or the SQLite error. */
function positiveInteger(v: SqlValue, message: string): number {
  const isInteger = typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
  const n = isInteger ? toInt64(v) : 0;
  if (!isInteger || n <= 0) throw new SqliteError(message);
  return typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
}

/**
 * ntile(N): rows split into N groups as evenly as possible, the first size%N
 * groups one larger. N is read from the partition's first row, as SQLite's
 * ntile step does (later rows' arguments are ignored).
 */
function ntile(v: WindowRowView): SqlValue {
  // sqlite3_value_int64 semantics: 2.5 and '2' count as 2; anything not above zero is an error.
  const raw = v.argsAt(0)[0];
  const n64 = raw === null ? 0 : toInt64(raw);
  if (n64 <= 0) throw new SqliteError("argument of ntile must be a positive integer");
  const n = typeof n64 === "bigint" ? Number.MAX_SAFE_INTEGER : n64;
  const size = v.partitionSize;
  if (n >= size) return v.row + 1;
  const small = Math.floor(size / n);
  const large = size % n;
  const inLarge = large * (small + 1);
  return v.row < inLarge ? Math.floor(v.row / (small + 1)) + 1 : large + Math.floor((v.row - inLarge) / small) + 1;
}

/** lag/lead: the argument `offset` rows before (lag) or after (lead), else the default (3rd argument or NULL). */
function shifted(direction: -1 | 1): (v: WindowRowView) => SqlValue {
  return (v) => {
    const args = v.argsAt(v.row);
    let offset = 1;
    if (args.length > 1) {
      if (args[1] === null) return null;
      offset = Number(toInt64(args[1]));
    }
    const target = v.row + direction * offset;
    if (target >= 0 && target < v.partitionSize) return v.argsAt(target)[0];
    return args.length > 2 ? args[2] : null;
  };
}

function nthValue(v: WindowRowView): SqlValue {
  const n = positiveInteger(v.argsAt(v.row)[1], "second argument to nth_value must be a positive integer");
  const at = v.frameStart + n - 1;
  return at < v.frameEnd ? v.argsAt(at)[0] : null;
}

export const windowFunctions: readonly WindowFunction[] = [
  windowFn("row_number", 0, (v) => v.row + 1),
  windowFn("rank", 0, (v) => v.peerStart + 1),
  windowFn("dense_rank", 0, (v) => v.peerGroupIndex + 1),
  windowFn("percent_rank", 0, (v) => realValue(v.partitionSize > 1 ? v.peerStart / (v.partitionSize - 1) : 0)),
  windowFn("cume_dist", 0, (v) => realValue(v.peerEnd / v.partitionSize)),
  windowFn("ntile", 1, ntile),
  windowFn("lag", 1, shifted(-1)),
  windowFn("lag", 2, shifted(-1)),
  windowFn("lag", 3, shifted(-1)),
  windowFn("lead", 1, shifted(1)),
  windowFn("lead", 2, shifted(1)),
  windowFn("lead", 3, shifted(1)),
  windowFn("first_value", 1, (v) => (v.frameStart < v.frameEnd ? v.argsAt(v.frameStart)[0] : null)),
  windowFn("last_value", 1, (v) => (v.frameStart < v.frameEnd ? v.argsAt(v.frameEnd - 1)[0] : null)),
  windowFn("nth_value", 2, nthValue),
];
