// Test helper: a FunctionContext with fixed answers (no changes, time 0,
// random bytes all equal to `fill`), for calling functions directly.
import type { FunctionContext } from "../../../src/engine/func/types.js";

export function fixedContext(fill: number): FunctionContext {
  return {
    changes: () => 0,
    totalChanges: () => 0,
    lastInsertRowid: () => 0,
    statementTime: () => 0,
    randomBytes: (b) => b.fill(fill),
    caseSensitiveLike: () => false,
  };
}
