// Wiring of the function families into the engine: the JSON and CDC functions join
// the scalar/aggregate registry, and the table-valued functions (json_each,
// json_tree) are offered to every database through the executor's
// TableValuedFunction contract.
import type { DatabaseCore } from "./connection.js";
import type { TableValuedFunction } from "./exec/table-function.js";
import { cdcFunctions } from "./cdc/functions.js";
import { jsonTableFunctions } from "./func/json-each.js";
import { jsonFunctions } from "./func/json.js";
import { registerFunctions } from "./func/registry.js";

registerFunctions(jsonFunctions);
registerFunctions(cdcFunctions);

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
