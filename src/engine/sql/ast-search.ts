// Searches over any part of a syntax tree, whatever its node kinds: the AST is
// plain objects, so a search walks every object and array below a node.
// (Expression-only walks with SQLite's scoping rules are plan/terms.ts's
// forEachChild.)
import type { FunctionCall } from "./ast.js";

/** Whether a function call anywhere below `node` (subqueries included) satisfies `test`. */
export function callsFunction(node: unknown, test: (call: FunctionCall) => boolean): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (Array.isArray(node)) return node.some((child) => callsFunction(child, test));
  const call = node as Partial<FunctionCall>;
  if (call.kind === "FunctionCall" && call.name && call.args && test(call as FunctionCall)) return true;
  return Object.values(node).some((child) => callsFunction(child, test));
}
