// Type affinity: the affinity of a declared column type (by SQLite's
// substring rules), applying an affinity to a value (what storing into a
// column or CAST-free comparison does to it), and STRICT column type checks.
import { SqliteError } from "../errors.js";
import { textToNumericAffinity, exactIntegerOf } from "./convert.js";
import { numberToText } from "./text.js";
import { IntegralReal, storageClass, type SqlValue } from "./types.js";

/**
 * "blob" is SQLite's BLOB (a.k.a. NONE) column affinity; "none" is the
 * absence of any affinity, which only expressions (not columns) have.
 */
export type Affinity = "none" | "blob" | "text" | "numeric" | "integer" | "real";

/**
 * Affinity of a declared type name (sqlite3AffinityType), first match wins:
 * contains "INT" -> INTEGER; "CHAR", "CLOB" or "TEXT" -> TEXT; "BLOB" or no
 * type at all -> BLOB; "REAL", "FLOA" or "DOUB" -> REAL; otherwise NUMERIC.
 */
export function affinityOfTypeName(typeName: string | null | undefined): Affinity {
  if (!typeName) return "blob";
  const t = typeName.toUpperCase();
  if (t.includes("INT")) return "integer";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "text";
  if (t.includes("BLOB")) return "blob";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "real";
  return "numeric";
}

export function isNumericAffinity(a: Affinity): boolean {
  return a === "numeric" || a === "integer" || a === "real";
}

/**
 * The value as it is stored under (and read back from) a column of the given
 * affinity:
 * - TEXT: INTEGER/REAL become their text; BLOB and NULL unchanged.
 * - NUMERIC/INTEGER: well-formed numeric text becomes INTEGER (or REAL when
 *   not integral or out of int64 range); an integral REAL becomes INTEGER.
 * - REAL: like NUMERIC, then any INTEGER becomes REAL.
 * - BLOB/none: unchanged.
 */
export function applyAffinity(v: SqlValue, affinity: Affinity): SqlValue {
  switch (affinity) {
    // The instanceof tests come after the typeof ones: values are mostly primitives (the hot path of every row write).
    case "text":
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "bigint" || v instanceof IntegralReal) return numberToText(v);
      return v;
    case "numeric":
    case "integer":
      if (typeof v === "number") return Number.isSafeInteger(v) ? v : (exactIntegerOf(v) ?? v);
      if (typeof v === "string") return textToNumericAffinity(v, true);
      if (v instanceof IntegralReal) return v.value === 0 ? 0 : v.value;
      return v;
    case "real": {
      const n = typeof v === "string" ? textToNumericAffinity(v, false) : v;
      if (typeof n === "number" && Number.isSafeInteger(n)) return new IntegralReal(n);
      if (typeof n === "bigint") return Number(n);
      return n;
    }
    default:
      return v;
  }
}

/** How STRICT-table errors name a storage class (SQLite's standard type names). */
const STRICT_TYPE_NAME = { null: "NULL", integer: "INT", real: "REAL", text: "TEXT", blob: "BLOB" } as const;

/** The column types a STRICT table allows. */
export type StrictType = "INT" | "INTEGER" | "REAL" | "TEXT" | "BLOB" | "ANY";

/**
 * The value to store in a STRICT table column: the column's affinity is
 * applied first (ANY: only text that looks numeric is left alone); if the
 * result still has the wrong storage class the insert fails with
 * "cannot store TEXT value in INTEGER column t.c". NULL is always allowed
 * here (NOT NULL is checked separately).
 */
export function strictValue(v: SqlValue, type: StrictType, table: string, column: string): SqlValue {
  if (v === null || type === "ANY") return v;
  let converted: SqlValue;
  let ok: boolean;
  switch (type) {
    case "INT":
    case "INTEGER":
      converted = applyAffinity(v, "integer");
      ok = storageClass(converted) === "integer";
      break;
    case "REAL":
      converted = applyAffinity(v, "real");
      ok = storageClass(converted) === "real";
      break;
    case "TEXT":
      converted = applyAffinity(v, "text");
      ok = typeof converted === "string";
      break;
    case "BLOB":
      converted = v;
      ok = v instanceof Uint8Array;
      break;
  }
  if (!ok) {
    throw new SqliteError(
      `cannot store ${STRICT_TYPE_NAME[storageClass(converted)]} value in ${type} column ${table}.${column}`,
      "SQLITE_CONSTRAINT_DATATYPE",
    );
  }
  return converted;
}
