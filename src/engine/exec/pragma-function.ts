// PRAGMAs as table-valued functions (`SELECT * FROM pragma_table_info('t')`),
// SQLite's eponymous pragma virtual tables: the pragma's result columns,
// then hidden `arg` (the pragma's argument) and `schema` columns for the
// pragmas that take them.
import { SqliteError } from "../errors.js";
import type { SqlValue } from "../value/types.js";
import type { CompileEnv } from "./compile-env.js";
import { pragmaProgram } from "./pragma.js";
import type { TableValuedFunction } from "./table-function.js";

const PREFIX = "pragma_";

/** The pragmas offered as functions, and which hidden columns each has (as SQLite declares them). */
const FUNCTION_PRAGMAS: ReadonlyMap<string, { arg: boolean; schema: boolean }> = new Map([
  ["table_info", { arg: true, schema: true }],
  ["table_xinfo", { arg: true, schema: true }],
  ["index_list", { arg: true, schema: true }],
  ["index_info", { arg: true, schema: true }],
  ["index_xinfo", { arg: true, schema: true }],
  ["foreign_key_list", { arg: true, schema: true }],
  // table_list's own `schema` result column hides the hidden one, so it takes the argument only.
  ["table_list", { arg: true, schema: false }],
  ["database_list", { arg: false, schema: false }],
  ["compile_options", { arg: false, schema: false }],
  ["function_list", { arg: false, schema: false }],
]);

/** The table-valued function `name` (lower case) when it names a pragma offered as one. */
export function pragmaTableFunction(name: string, env: CompileEnv): TableValuedFunction | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const pragma = name.slice(PREFIX.length);
  const shape = FUNCTION_PRAGMAS.get(pragma);
  if (!shape) return undefined;
  const hiddenColumns = [...(shape.arg ? ["arg"] : []), ...(shape.schema ? ["schema"] : [])];
  const columns = pragmaProgram(pragma, null, null, false, env, env.settings).columns.map((c) => c.name);
  return {
    name,
    columns,
    hiddenColumns,
    minArgs: 0,
    maxArgs: hiddenColumns.length,
    rows(args) {
      const arg = shape.arg ? (args[0] ?? null) : null;
      const schema = shape.schema ? (args[1] ?? null) : null;
      const schemaName = schema === null ? null : String(schema).toLowerCase();
      if (schemaName !== null && schemaName !== "main" && schemaName !== "temp") throw new SqliteError(`unknown database '${String(schema)}'`);
      const hidden = [...(shape.arg ? [arg] : []), ...(shape.schema ? [schema] : [])];
      const rows: SqlValue[][] = [];
      pragmaProgram(pragma, schemaName, arg, arg !== null, env, env.settings).run((row) => {
        rows.push([...row, ...hidden]);
        return true;
      });
      return rows;
    },
  };
}
