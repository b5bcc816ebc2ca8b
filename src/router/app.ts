// The Hono application: CORS, the service's own endpoints (/health, /version),
// and routing to the Durable Object that owns the named database, addressed
// as /db/<name>/... or by subdomain <name>.<host>, and the /v1 management
// API. Stateless.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { forwardToDatabase, subdomainDatabase, TRAILING_SLASH_MESSAGE } from "./database-route.js";
import { isProtocolSegment } from "./database-name.js";
import type { Env } from "./env.js";
import { jsonError } from "./json-error.js";
import { management } from "./management/routes.js";

export const SERVICE_VERSION = "0.1.0";

export const app = new Hono<{ Bindings: Env }>();

app.use(
  "*",
  cors({
    origin: "*",
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["authorization", "content-type", "x-turso-encryption-key", "last-event-id"],
    maxAge: 86400,
  }),
);

// <name>.<host>/<endpoint>: the whole path is the endpoint.
app.use("*", async (c, next) => {
  const name = subdomainDatabase(new URL(c.req.url).hostname, c.env.BASE_HOST);
  if (name === null) return next();
  return forwardToDatabase(c, name, c.req.path.replace(/^\/+/, ""));
});

// Management (admin credential): databases, export/import, tokens.
app.route("/v1", management);

app.get("/health", (c) => c.json({ status: "ok", service: "tessera" }));

app.get("/version", (c) => c.json({ service: "tessera", version: SERVICE_VERSION, hrana: { http: ["v2", "v3"] } }));

// Without the slash: a WebSocket is fine (it connects to exactly this URL); HTTP clients would resolve endpoints wrongly.
app.all("/db/:name", (c) =>
  c.req.header("upgrade")?.toLowerCase() === "websocket"
    ? forwardToDatabase(c, c.req.param("name"), "")
    : jsonError(400, TRAILING_SLASH_MESSAGE, "TRAILING_SLASH_REQUIRED"),
);

app.all("/db/:name/*", async (c) => {
  const name = c.req.param("name");
  const endpoint = c.req.path.slice(`/db/${name}/`.length);
  // `/db/v2/pipeline` is what a client sends for `/db/<name>` without the slash.
  if (isProtocolSegment(name)) return jsonError(400, TRAILING_SLASH_MESSAGE, "TRAILING_SLASH_REQUIRED");
  return forwardToDatabase(c, name, endpoint);
});

app.notFound((c) => jsonError(404, `not found: ${new URL(c.req.url).pathname}`, "NOT_FOUND"));

app.onError((e) => jsonError(500, e instanceof Error ? e.message : String(e), "INTERNAL"));
