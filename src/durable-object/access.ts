// What a caller may do on a database, as the router tells the Durable Object.
// The router verifies the token and always sets the header (replacing any
// copy a client sent); the Durable Object is reachable only through it.

export type Access = "rw" | "ro";

export const ACCESS_HEADER = "x-tessera-access";

export function accessFromHeaders(headers: Headers): Access {
  return headers.get(ACCESS_HEADER) === "ro" ? "ro" : "rw";
}
