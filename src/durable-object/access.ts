// What a caller may do on a database, as the router tells the Durable Object.
// The router verifies the token and always sets the header (replacing any
// copy a client sent); the Durable Object is reachable only through it. For
// WebSockets whose token arrives in a first message, the router sets
// UNVERIFIED and the Durable Object checks the token itself.

export type Access = "rw" | "ro";

export const ACCESS_HEADER = "x-tessera-access";

/** Header value for a request whose token the Durable Object must still check. */
export const UNVERIFIED = "unverified";

/** When the verified token expires (ms since epoch), set by the router (absent: it does not). */
export const TOKEN_EXPIRY_HEADER = "x-tessera-token-expires";

/**
 * Set by a change relay on its own subscription to a database's object (the
 * router removes it from clients' requests): the database then counts the
 * relay's subscribers, not the relay, as its subscribers.
 */
export const RELAY_HEADER = "x-tessera-relay";

export function tokenExpiryFromHeaders(headers: Headers): number | null {
  const value = Number(headers.get(TOKEN_EXPIRY_HEADER) ?? NaN);
  return Number.isSafeInteger(value) ? value : null;
}

export function accessFromHeaders(headers: Headers): Access {
  return headers.get(ACCESS_HEADER) === "ro" ? "ro" : "rw";
}

/** The access the router verified, or null when it left the check to the Durable Object (a WebSocket whose token comes in a message). */
export function verifiedAccess(headers: Headers): Access | null {
  const value = headers.get(ACCESS_HEADER);
  return value === "rw" || value === "ro" ? value : null;
}
