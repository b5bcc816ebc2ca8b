// Window functions (OVER clauses): not implemented yet; queries using them
// get a clear error instead of a wrong answer.
import { SqliteError } from "../errors.js";
import type { SelectCore } from "../sql/ast.js";
import type { CoreParts } from "./select.js";
import type { QueryProgram } from "./select-types.js";

export function compileWindowQuery(_core: SelectCore, _parts: CoreParts, _aggregate: boolean): QueryProgram {
  throw new SqliteError("window functions are not supported yet");
}
