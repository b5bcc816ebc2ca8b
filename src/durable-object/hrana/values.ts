// Hrana values <-> engine values. On the wire (JSON): integers are decimal
// strings, floats JSON numbers (an integral REAL stays a float), text strings,
// blobs base64 (emitted without padding, since Go's client rejects padding;
// padded, unpadded and URL-safe input all accepted), null.
import { IntegralReal, type SqlValue } from "../../engine/value/types.js";
import { ProtocolError } from "./errors.js";

export type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

/** What the engine's bind API accepts for one parameter (IntegralReal: a float whose value is integral stays REAL). */
export type BindableValue = null | number | bigint | string | Uint8Array | IntegralReal;

const INTEGER_TEXT = /^-?\d+$/;

/** Decodes one wire value; malformed values are a ProtocolError (HTTP 400). */
export function decodeValue(raw: unknown): BindableValue {
  if (typeof raw !== "object" || raw === null) throw new ProtocolError("a value must be an object with a type");
  const v = raw as Record<string, unknown>;
  switch (v.type) {
    case "null":
      return null;
    case "integer": {
      const text = typeof v.value === "number" && Number.isSafeInteger(v.value) ? String(v.value) : v.value;
      if (typeof text !== "string" || !INTEGER_TEXT.test(text)) throw new ProtocolError("an integer value must be a decimal string");
      const big = BigInt(text);
      if (big < -(2n ** 63n) || big >= 2n ** 63n) throw new ProtocolError("an integer value must fit in 64 bits");
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    case "float": {
      const n = typeof v.value === "string" ? Number(v.value) : v.value;
      if (typeof n !== "number" || Number.isNaN(n)) throw new ProtocolError("a float value must be a number");
      // A float binds as REAL even when integral (1.0), as libSQL's server binds it.
      return Number.isSafeInteger(n) ? new IntegralReal(n) : n;
    }
    case "text":
      if (typeof v.value !== "string") throw new ProtocolError("a text value must be a string");
      return v.value;
    case "blob":
      if (typeof v.base64 !== "string") throw new ProtocolError("a blob value must carry base64");
      return decodeBase64(v.base64);
    default:
      throw new ProtocolError(`unknown value type ${JSON.stringify(v.type)}`);
  }
}

export function encodeValue(v: SqlValue): HranaValue {
  if (v === null) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return Number.isSafeInteger(v) ? { type: "integer", value: String(v) } : { type: "float", value: v };
  if (v instanceof IntegralReal) return { type: "float", value: v.value };
  if (typeof v === "string") return { type: "text", value: v };
  return { type: "blob", base64: encodeBase64(v) };
}

/** Base64 without padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary).replace(/=+$/, "");
}

/** Base64 in either alphabet, padded or not. */
export function decodeBase64(text: string): Uint8Array {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(standard) || standard.length % 4 === 1) throw new ProtocolError("invalid base64 in a blob value");
  const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
