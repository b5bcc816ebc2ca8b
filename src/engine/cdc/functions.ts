// Turso's SQL functions for reading the CDC table:
//   table_columns_json_array(table) -> '["a","b",...]', the table's column
//     names now;
//   bin_record_json_object(columns_json, record) -> '{"a":1,...}', a
//     before/after record decoded against those names.
// Behaviour and error messages follow Turso's (including its refusal of
// BLOB values inside a record); decodeChangeRecord is the TypeScript-side
// decoder for services that need BLOBs too, and decodeUpdatesRecord the one
// for Turso's updates records.
import { decodeRecord } from "../btree/index.js";
import { SqliteError } from "../errors.js";
import type { FunctionContext, ScalarFunction } from "../func/types.js";
import { realToText } from "../value/text.js";
import { IntegralReal, type SqlValue } from "../value/types.js";

function tableColumnsJsonArray(args: readonly SqlValue[], ctx: FunctionContext): SqlValue {
  const name = args[0];
  if (typeof name !== "string") throw new SqliteError("table_columns_json_array: function argument must be of type TEXT");
  const columns = ctx.tableColumns?.(name);
  if (columns === undefined) throw new SqliteError(`table_columns_json_array: table ${name} doesn't exists`);
  return JSON.stringify(columns);
}

function binRecordJsonObject(args: readonly SqlValue[]): SqlValue {
  const [columnsJson, record] = args;
  if (record === null) return null;
  if (typeof columnsJson !== "string" || !(record instanceof Uint8Array)) {
    throw new SqliteError("bin_record_json_object: function arguments must be of type TEXT and BLOB correspondingly");
  }
  const names = parseColumnNames(columnsJson);
  const values = decodeRecord(record);
  if (values.length < names.length) throw new SqliteError("bin_record_json_object: the record has fewer columns than specified in the columns array");
  const fields = names.map((name, i) => {
    const v = values[i];
    if (v instanceof Uint8Array) throw new SqliteError("bin_record_json_object: BLOB values stored in binary record is not supported");
    return `${JSON.stringify(name)}:${jsonScalar(v)}`;
  });
  return `{${fields.join(",")}}`;
}

function parseColumnNames(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SqliteError("bin_record_json_object: the columns argument must be a JSON array of column names");
  }
  if (!Array.isArray(parsed) || parsed.some((n) => typeof n !== "string")) {
    throw new SqliteError("bin_record_json_object: the columns argument must be a JSON array of column names");
  }
  return parsed as string[];
}

/** A non-BLOB SQL value as JSON (reals as SQLite prints them; infinities as SQLite's JSON does). */
function jsonScalar(v: Exclude<SqlValue, Uint8Array>): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return v.toString();
  const real = v instanceof IntegralReal ? v.value : Number.isInteger(v) ? null : v;
  if (real === null) return String(v);
  if (real === Infinity) return "9e999";
  if (real === -Infinity) return "-9e999";
  return realToText(real);
}

/**
 * Decodes a before/after record into an object keyed by column name, for
 * services (BLOBs become Uint8Array; extra record columns are ignored,
 * missing ones read as null).
 */
export function decodeChangeRecord(columns: readonly string[], record: Uint8Array): Record<string, SqlValue> {
  const values = decodeRecord(record);
  const row: Record<string, SqlValue> = {};
  columns.forEach((name, i) => (row[name] = values[i] ?? null));
  return row;
}

/**
 * Decodes Turso's updates record (C flags, then C values) into an object of
 * the flagged columns and their new values, keyed by `columns` (a column
 * without a name is keyed by its position).
 */
export function decodeUpdatesRecord(columns: readonly string[], record: Uint8Array): Record<string, SqlValue> {
  const flat = decodeRecord(record);
  const count = flat.length / 2;
  const out: Record<string, SqlValue> = {};
  for (let i = 0; i < count; i++) if (flat[i] === 1) out[columns[i] ?? String(i)] = flat[count + i];
  return out;
}

export const cdcFunctions: ScalarFunction[] = [
  { kind: "scalar", name: "table_columns_json_array", nArgs: 1, deterministic: false, call: tableColumnsJsonArray },
  { kind: "scalar", name: "bin_record_json_object", nArgs: 2, deterministic: true, call: binRecordJsonObject },
];
