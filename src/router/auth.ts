// JWT bearer tokens, compatible with libSQL's: EdDSA (Ed25519) with keys as
// PEM or raw URL-safe base64, and HS256 with a shared secret. Claims: `a`
// ("rw" | "ro" | "roa", absent = rw), `id` (the one database the token is
// for), `p` (per-database grants `{ rw: { ns: [...] }, ro: {...}, roa: {...} }`),
// `exp`. Without configured keys the service is open (local mode) and says so
// once in the log.
import { errors as joseErrors, importJWK, importSPKI, jwtVerify, type JWTPayload } from "jose";
import type { Access } from "../durable-object/access.js";
import type { Env } from "./env.js";

type VerifyKey = { key: CryptoKey | Uint8Array; algorithm: "EdDSA" | "HS256" };

/** `expiresAt`: when the token stops being valid (ms since epoch), for grants that outlive the request (change subscriptions). */
export type AuthOutcome = { access: Access; expiresAt?: number } | { status: 401 | 403; message: string; code: string };

let keyCache: { source: string; keys: Promise<VerifyKey[]> } | undefined;
let loggedOpen = false;

async function importEd25519(text: string): Promise<CryptoKey | Uint8Array> {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) return importSPKI(trimmed, "EdDSA");
  return importJWK({ kty: "OKP", crv: "Ed25519", x: trimmed.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_") }, "EdDSA");
}

function loadKeys(env: Env): Promise<VerifyKey[]> {
  const source = `${env.JWT_PUBLIC_KEY ?? ""}\u0000${env.JWT_SECRET ?? ""}`;
  if (keyCache?.source !== source) {
    const keys = async (): Promise<VerifyKey[]> => {
      const out: VerifyKey[] = [];
      const publicKeys = env.JWT_PUBLIC_KEY?.includes("-----BEGIN") ? [env.JWT_PUBLIC_KEY] : (env.JWT_PUBLIC_KEY ?? "").split(",");
      for (const text of publicKeys) if (text.trim() !== "") out.push({ key: await importEd25519(text), algorithm: "EdDSA" });
      if (env.JWT_SECRET) out.push({ key: new TextEncoder().encode(env.JWT_SECRET), algorithm: "HS256" });
      return out;
    };
    keyCache = { source, keys: keys() };
  }
  return keyCache.keys;
}

interface Grant {
  ns?: unknown;
}

function grants(grant: Grant | undefined, database: string): boolean {
  return Array.isArray(grant?.ns) && grant.ns.includes(database);
}

/** What verified claims allow on `database`, or null for nothing. */
export function accessFromClaims(claims: JWTPayload, database: string): Access | null {
  const p = claims.p as Record<string, Grant> | undefined;
  if (p && typeof p === "object") {
    if (grants(p.rw, database)) return "rw";
    if (grants(p.ro, database) || grants(p.roa, database)) return "ro";
  }
  if (claims.id !== undefined && claims.id !== database) return null;
  switch (claims.a) {
    case undefined:
      // A token with only per-database grants covers those databases alone.
      return p ? null : "rw";
    case "rw":
      return "rw";
    case "ro":
    case "roa":
      return "ro";
    default:
      return null;
  }
}

/** Checks the request's bearer token for `database`. */
export function authorize(request: Request, env: Env, database: string): Promise<AuthOutcome> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return authorizeToken(match ? match[1] : null, env, database);
}

/** Checks a token (from a header, or a WebSocket hello) for `database`. */
export async function authorizeToken(token: string | null, env: Env, database: string): Promise<AuthOutcome> {
  const keys = await loadKeys(env);
  if (keys.length === 0) {
    if (!loggedOpen) {
      loggedOpen = true;
      console.log("tessera: auth is off (no JWT_PUBLIC_KEY or JWT_SECRET configured): every database is open for reading and writing");
    }
    return { access: "rw" };
  }
  if (token === null) return { status: 401, message: "authentication required: send Authorization: Bearer <token>", code: "AUTH_REQUIRED" };
  let claims: JWTPayload | null = null;
  let expired = false;
  for (const { key, algorithm } of keys) {
    try {
      claims = (await jwtVerify(token, key, { algorithms: [algorithm] })).payload;
      break;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) expired = true;
    }
  }
  if (!claims) {
    return expired
      ? { status: 401, message: "the token has expired", code: "AUTH_TOKEN_EXPIRED" }
      : { status: 401, message: "the token is not valid (bad signature, algorithm or format)", code: "AUTH_TOKEN_INVALID" };
  }
  const access = accessFromClaims(claims, database);
  if (access === null) return { status: 403, message: `the token grants no access to database "${database}"`, code: "AUTH_FORBIDDEN" };
  return typeof claims.exp === "number" ? { access, expiresAt: claims.exp * 1000 } : { access };
}
