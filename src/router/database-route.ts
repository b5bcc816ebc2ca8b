// Forwarding a request for one database to its Durable Object: the endpoint
// (what follows `/db/<name>/`, or the path under `<name>.<host>`), the
// protocol version probes answered here, the trailing-slash rule, body size,
// and the token check whose outcome travels in the access header (or, for
// WebSockets whose token comes in a message, the note that it is unchecked);
// change streams may carry their token in the URL instead of a header;
// change sockets go to one of the database's relays when there are any.
import type { Context } from "hono";
import { ACCESS_HEADER, RELAY_HEADER, TOKEN_EXPIRY_HEADER, UNVERIFIED } from "../durable-object/access.js";
import type { ChangeRelay } from "../durable-object/cdc/relay/change-relay.js";
import { DEFAULT_LIMITS } from "../durable-object/limits.js";
import { authorize, authorizeToken, type AuthOutcome } from "./auth.js";
import { isValidDatabaseName } from "./database-name.js";
import type { Env } from "./env.js";
import { jsonError } from "./json-error.js";

/** Hrana versions and encodings served over HTTP, answered 200 on `GET <db>/<version>`. */
const VERSION_PROBES = new Set(["v1", "v2", "v3", "v3-protobuf"]);

/** The query parameter a change stream may carry its token in. */
export const CHANGES_TOKEN_PARAMETER = "token";

export const TRAILING_SLASH_MESSAGE =
  "database URLs must end with a slash, e.g. http://host/db/<name>/ : clients resolve v2/pipeline and other endpoints relative to it";

export async function forwardToDatabase(c: Context<{ Bindings: Env }>, name: string, endpoint: string): Promise<Response> {
  if (!isValidDatabaseName(name)) {
    return jsonError(400, "invalid database name: 1-63 lowercase letters, digits or inner hyphens (v1, v2, v3... are reserved)", "INVALID_DATABASE_NAME");
  }
  const webSocket = endpoint === "" && c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (endpoint === "" && !webSocket) {
    return jsonError(404, "the database URL itself serves Hrana over WebSocket; over HTTP use v2/pipeline, v3/pipeline, v3/cursor or query", "NOT_FOUND");
  }
  if (c.req.method === "GET" && VERSION_PROBES.has(endpoint)) return c.json({ version: endpoint });
  const declared = Number(c.req.header("content-length") ?? NaN);
  const limit = Number(c.env.MAX_BODY_BYTES ?? DEFAULT_LIMITS.maxBodyBytes);
  if (declared > limit) return jsonError(413, `the request body exceeds the limit of ${limit} bytes`, "BODY_TOO_LARGE");
  const url = new URL(c.req.url);
  const queryToken = endpoint === "changes" ? takeQueryToken(url) : null;
  const headerToken = c.req.header("authorization") !== undefined;
  // A Hrana WebSocket's token arrives in its hello message; the Durable Object checks it.
  let auth: AuthOutcome | { access: typeof UNVERIFIED } = webSocket
    ? { access: "ro" }
    : queryToken !== null && !headerToken
      ? await authorizeToken(queryToken, c.env, name)
      : await authorize(c.req.raw, c.env, name);
  // A change socket without a token (browsers cannot set headers) may send it in its subscribe message.
  const changeSocket = endpoint === "changes" && c.req.header("upgrade")?.toLowerCase() === "websocket";
  if (changeSocket && "status" in auth && auth.code === "AUTH_REQUIRED") auth = { access: UNVERIFIED };
  if ("status" in auth) return jsonError(auth.status, auth.message, auth.code);
  url.pathname = `/db/${name}/${endpoint}`;
  const forwarded = new Request(url.toString(), c.req.raw);
  forwarded.headers.set(ACCESS_HEADER, auth.access);
  forwarded.headers.delete(TOKEN_EXPIRY_HEADER);
  forwarded.headers.delete(RELAY_HEADER);
  if ("expiresAt" in auth && auth.expiresAt !== undefined) forwarded.headers.set(TOKEN_EXPIRY_HEADER, String(auth.expiresAt));
  if (changeSocket) {
    const relay = relayFor(c.env, name);
    if (relay !== null) return relay.fetch(forwarded);
  }
  return c.env.DATABASE.get(c.env.DATABASE.idFromName(name)).fetch(forwarded);
}

/** Relays per database when CDC_RELAYS does not say (see cdc/relay/change-relay.ts). */
export const DEFAULT_RELAYS = 4;

/**
 * The relay to serve a change socket of `name`: one of CDC_RELAYS, at
 * random, so a database's subscribers spread evenly over them (none when
 * there are no relays: the database's object serves them).
 */
function relayFor(env: Env, name: string): DurableObjectStub<ChangeRelay> | null {
  const count = relayCount(env);
  return count === 0 ? null : relayStub(env, name, Math.floor(Math.random() * count));
}

/** The database's relays (none when RELAY is not bound or CDC_RELAYS is "0"). */
export function relaysOf(env: Env, name: string): DurableObjectStub<ChangeRelay>[] {
  return Array.from({ length: relayCount(env) }, (_, n) => relayStub(env, name, n));
}

/** How many relays each database has: 0 when RELAY is not bound or CDC_RELAYS says so (or is not a count). */
function relayCount(env: Env): number {
  const count = env.CDC_RELAYS === undefined ? DEFAULT_RELAYS : Number(env.CDC_RELAYS);
  return env.RELAY !== undefined && Number.isSafeInteger(count) && count > 0 ? count : 0;
}

/** Relay `n` of database `name` (RELAY is bound: relayCount said so). */
function relayStub(env: Env, name: string, n: number): DurableObjectStub<ChangeRelay> {
  const namespace = env.RELAY as DurableObjectNamespace<ChangeRelay>;
  return namespace.get(namespace.idFromName(`${name}/${n}`));
}

/**
 * Takes the `token` query parameter out of a change stream's URL. Browsers
 * cannot set headers on an EventSource (SSE) or a WebSocket, so the change
 * endpoint (read-only: SSE, pull, change sockets) also takes its token
 * there; an Authorization header wins when both are sent. No other endpoint
 * does (URLs end up in logs and histories), and the parameter is never
 * forwarded, so the Durable Object neither sees nor keeps it.
 */
function takeQueryToken(url: URL): string | null {
  const token = url.searchParams.get(CHANGES_TOKEN_PARAMETER);
  if (token === null) return null;
  url.searchParams.delete(CHANGES_TOKEN_PARAMETER);
  return token;
}

/** The database named by a `<name>.<host>` address, if the host is one of ours. */
export function subdomainDatabase(hostname: string, baseHosts: string | undefined): string | null {
  const dot = hostname.indexOf(".");
  if (dot <= 0) return null;
  const parent = hostname.slice(dot + 1).toLowerCase();
  const bases = ["localhost", ...(baseHosts ?? "").split(",").map((h) => h.trim().toLowerCase())].filter((h) => h !== "");
  return bases.includes(parent) ? hostname.slice(0, dot).toLowerCase() : null;
}
