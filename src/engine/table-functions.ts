// The built-in table-valued functions a new database offers (json_each,
// json_tree), adapted to the executor's TableValuedFunction contract.
import type { DatabaseCore } from "./connection.js";
import type { TableValuedFunction } from "./exec/table-function.js";
import { jsonTableFunctions } from "./func/json-each.js";

const BUILTIN: TableValuedFunction[] = jsonTableFunctions.map((f) => ({
  name: f.name,
  columns: f.columns,
  hiddenColumns: f.hiddenColumns,
  // json_each(json) and json_each(json, path).
  minArgs: 1,
  maxArgs: f.hiddenColumns.length,
  rows: (args) => f.rows(args),
}));

export function registerTableFunctions(core: DatabaseCore): void {
  for (const f of BUILTIN) core.tableFunctions.set(f.name, f);
}
