// Minting database tokens for the management API: HS256 JWTs signed with
// JWT_SECRET, with the claims auth.ts verifies (`a` access, `id` the one
// database, `exp`), plus `jti` and `iat` for the catalog's record.
import { SignJWT } from "jose";
import type { TokenRecord } from "../../durable-object/catalog/catalog.js";
import { isValidDatabaseName } from "../database-name.js";

export interface TokenRequest {
  database: string | null;
  access: "rw" | "ro";
  /** Lifetime in seconds; null for a token that does not expire. */
  expiresIn: number | null;
}

/** Parses `{ database?, access, expiresIn? }`; a string is the reason it is refused. */
export function parseTokenRequest(body: unknown): TokenRequest | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body must be a JSON object { database?, access, expiresIn? }";
  const { database, access, expiresIn } = body as Record<string, unknown>;
  if (database !== undefined && (typeof database !== "string" || !isValidDatabaseName(database))) return "database must be a valid database name";
  if (access !== "rw" && access !== "ro") return 'access must be "rw" or "ro"';
  if (expiresIn !== undefined && (typeof expiresIn !== "number" || !Number.isSafeInteger(expiresIn) || expiresIn <= 0)) {
    return "expiresIn must be a positive whole number of seconds";
  }
  return { database: database ?? null, access, expiresIn: expiresIn ?? null };
}

/** Signs the token for `request` at `now` (ms); returns it with the record the catalog keeps. */
export async function mintToken(request: TokenRequest, secret: string, now: number): Promise<{ jwt: string; record: TokenRecord }> {
  const issuedAt = Math.floor(now / 1000);
  const expiresAt = request.expiresIn === null ? null : issuedAt + request.expiresIn;
  const id = crypto.randomUUID();
  const claims: Record<string, string | number> = { a: request.access };
  if (request.database !== null) claims.id = request.database;
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setJti(id).setIssuedAt(issuedAt);
  if (expiresAt !== null) jwt = jwt.setExpirationTime(expiresAt);
  return {
    jwt: await jwt.sign(new TextEncoder().encode(secret)),
    record: { id, database: request.database, access: request.access, createdAt: now, expiresAt: expiresAt === null ? null : expiresAt * 1000 },
  };
}
