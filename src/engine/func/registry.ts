// The built-in function registry: lookup by case-insensitive name and
// argument count (an exact count wins over a variadic -1 entry), the
// minimum argument counts of variadic functions, and registration of more
// families (JSON, vector, user functions) by their owners.
import { aggregateFunctions } from "./aggregate.js";
import { coreScalarFunctions } from "./core.js";
import { dateTimeFunctions } from "./datetime.js";
import { mathFunctions } from "./math.js";
import type { BuiltinFunction } from "./types.js";
import { windowFunctions } from "./window.js";

/** name (lower case) -> overloads, one per argument count (-1 = any). */
const byName = new Map<string, BuiltinFunction[]>();

/** Fewest arguments a variadic built-in accepts; others accept any count >= 0. */
const MIN_ARGS = new Map<string, number>([
  ["coalesce", 2],
  ["concat", 1],
  ["concat_ws", 2],
  ["iif", 2],
  ["if", 2],
  ["max", 2],
  ["min", 2],
]);

/** Adds functions; an entry with the same name and argument count replaces the old one. */
export function registerFunctions(functions: readonly BuiltinFunction[]): void {
  for (const f of functions) {
    const key = f.name.toLowerCase();
    const list = byName.get(key) ?? [];
    const i = list.findIndex((g) => g.nArgs === f.nArgs);
    if (i >= 0) list[i] = f;
    else list.push(f);
    byName.set(key, list);
  }
}

registerFunctions(coreScalarFunctions);
registerFunctions(mathFunctions);
registerFunctions(aggregateFunctions);
registerFunctions(windowFunctions);
registerFunctions(dateTimeFunctions);

/**
 * The function `name` called with `nArgs` arguments, or undefined. When the
 * name exists but no overload fits, the caller reports
 * `wrong number of arguments to function name()`; when it does not exist,
 * `no such function: name` (see functionExists).
 */
export function lookupFunction(name: string, nArgs: number): BuiltinFunction | undefined {
  const list = byName.get(name.toLowerCase());
  if (list === undefined) return undefined;
  let variadic: BuiltinFunction | undefined;
  for (const f of list) {
    if (f.nArgs === nArgs) return f;
    if (f.nArgs === -1) variadic = f;
  }
  if (variadic !== undefined && nArgs >= (MIN_ARGS.get(variadic.name.toLowerCase()) ?? 0)) return variadic;
  return undefined;
}

/** Whether any function of this name is registered (to tell "no such function" from a wrong argument count). */
export function functionExists(name: string): boolean {
  return byName.has(name.toLowerCase());
}

/** Every registered overload, for introspection (e.g. PRAGMA function_list). */
export function allFunctions(): BuiltinFunction[] {
  return [...byName.values()].flat();
}
