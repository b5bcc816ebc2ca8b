// CAST(x AS type) (sqlite3VdbeMemCast): the target is the affinity of the
// type name; unlike affinity, a CAST always converts (text with garbage
// becomes its numeric prefix) except that NULL stays NULL and CAST to
// NUMERIC leaves INTEGER and REAL values alone.
import { affinityOfTypeName, type Affinity } from "./affinity.js";
import { toDouble, toInt64 } from "./convert.js";
import { blobToText, numberToText, parseInt64, parseReal, parsedInt, parsedReal, textToBlob } from "./text.js";
import { IntegralReal, realValue, type SqlValue } from "./types.js";

const TWO_POW_51 = 2251799813685248;

/** CAST(text AS NUMERIC): INTEGER when the text is integral (or its prefix is a bare integer), else REAL. */
function textToNumericCast(s: string): number | bigint | IntegralReal {
  parseReal(s);
  const kind = parsedReal.kind;
  const r = parsedReal.value;
  if (kind === 0 || kind === 1) {
    parseInt64(s);
    if (parsedInt.status <= 1) return parsedInt.value;
  }
  // sqlite3RealSameAsInt: an integral double below 2^51 in magnitude is an INTEGER.
  if (r === 0) return 0;
  if (Number.isInteger(r) && r > -TWO_POW_51 && r < TWO_POW_51) return r;
  return realValue(r) ?? 0;
}

/** CAST to an affinity. */
export function castToAffinity(v: SqlValue, affinity: Affinity): SqlValue {
  if (v === null) return null;
  switch (affinity) {
    case "text":
      return typeof v === "string" ? v : v instanceof Uint8Array ? blobToText(v) : numberToText(v);
    case "integer":
      return toInt64(v);
    case "real":
      return realValue(toDouble(v)) ?? 0;
    case "numeric":
      if (typeof v === "string") return textToNumericCast(v);
      if (v instanceof Uint8Array) return textToNumericCast(blobToText(v));
      return v;
    default:
      if (v instanceof Uint8Array) return v;
      return textToBlob(typeof v === "string" ? v : numberToText(v));
  }
}

/** Affinities of the type names seen so far (CASTs repeat the same few names). */
const affinityByTypeName = new Map<string, Affinity>();

/** CAST(v AS typeName), the type name's affinity deciding the conversion. */
export function castValue(v: SqlValue, typeName: string): SqlValue {
  let affinity = affinityByTypeName.get(typeName);
  if (affinity === undefined) {
    affinity = affinityOfTypeName(typeName);
    if (affinityByTypeName.size < 256) affinityByTypeName.set(typeName, affinity);
  }
  return castToAffinity(v, affinity);
}
