// The /v1 management API, behind the admin credential: databases (create,
// list, get, delete), export and import of SQLite file images, change data
// capture settings (mode, retention), and minting tokens. The catalog Durable
// Object knows which databases exist; each database's own Durable Object
// answers for its size and bytes. Every error
// is JSON `{ message, code }`.
import { Hono, type Context } from "hono";
import { catalogStub, type CatalogObject } from "../../durable-object/catalog/catalog-object.js";
import type { DatabaseEntry } from "../../durable-object/catalog/catalog.js";
import { parseCaptureUpdate, type CaptureSettings } from "../../durable-object/cdc/capture-settings.js";
import { isValidDatabaseName } from "../database-name.js";
import { relaysOf } from "../database-route.js";
import type { Env } from "../env.js";
import { jsonError } from "../json-error.js";
import { authorizeAdmin } from "./admin-auth.js";
import { checkImage } from "./sqlite-image.js";
import { mintToken, parseTokenRequest } from "./tokens.js";

/** Largest import accepted: the image travels to the database object in one RPC call. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

type ManagementContext = Context<{ Bindings: Env; Variables: { catalog: DurableObjectStub<CatalogObject> } }>;

export const management = new Hono<{ Bindings: Env; Variables: { catalog: DurableObjectStub<CatalogObject> } }>();

management.use("*", async (c, next) => {
  const admin = authorizeAdmin(c.req.raw, c.env);
  if (!admin.ok) return jsonError(admin.status, admin.message, admin.code);
  const catalog = catalogStub(c.env);
  if (!catalog) return jsonError(503, "the management API needs the CATALOG Durable Object binding", "CATALOG_UNAVAILABLE");
  c.set("catalog", catalog);
  return next();
});

const databaseStub = (env: Env, name: string) => env.DATABASE.get(env.DATABASE.idFromName(name));

async function describe(env: Env, entry: DatabaseEntry): Promise<{ name: string; createdAt: string; sizeBytes: number }> {
  return { name: entry.name, createdAt: new Date(entry.createdAt).toISOString(), sizeBytes: await databaseStub(env, entry.name).sizeBytes() };
}

/** The catalog entry for the route's database, or the 400/404 response. */
async function knownDatabase(c: ManagementContext): Promise<DatabaseEntry | Response> {
  const name = c.req.param("name") ?? "";
  if (!isValidDatabaseName(name)) return invalidName();
  return (await c.var.catalog.get(name)) ?? jsonError(404, `no database named "${name}"`, "DATABASE_NOT_FOUND");
}

function invalidName(): Response {
  return jsonError(400, "invalid database name: 1-63 lowercase letters, digits or inner hyphens (v1, v2, v3... are reserved)", "INVALID_DATABASE_NAME");
}

async function jsonBody(c: ManagementContext): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

management.post("/databases", async (c) => {
  const body = await jsonBody(c);
  const name = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined;
  if (typeof name !== "string" || !isValidDatabaseName(name)) return invalidName();
  if (!(await c.var.catalog.create(name))) return jsonError(409, `a database named "${name}" already exists`, "DATABASE_EXISTS");
  const entry = await c.var.catalog.get(name);
  return c.json(await describe(c.env, entry!), 201);
});

management.get("/databases", async (c) => {
  const entries = await c.var.catalog.list();
  return c.json({ databases: await Promise.all(entries.map((entry) => describe(c.env, entry))) });
});

management.get("/databases/:name", async (c) => {
  const entry = await knownDatabase(c);
  return entry instanceof Response ? entry : c.json(await describe(c.env, entry));
});

management.delete("/databases/:name", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  await databaseStub(c.env, entry.name).destroy();
  await c.var.catalog.remove(entry.name);
  return c.json({ name: entry.name, deleted: true });
});

management.get("/databases/:name/export", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  const image = await databaseStub(c.env, entry.name).exportImage(entry.name);
  return new Response(image, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(image.length),
      "content-disposition": `attachment; filename="${entry.name}.sqlite"`,
    },
  });
});

management.post("/databases/:name/import", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  const tooLarge = () => jsonError(400, `the import exceeds the limit of ${MAX_IMPORT_BYTES} bytes`, "IMPORT_TOO_LARGE");
  if (Number(c.req.header("content-length") ?? 0) > MAX_IMPORT_BYTES) return tooLarge();
  const image = new Uint8Array(await c.req.arrayBuffer());
  if (image.length > MAX_IMPORT_BYTES) return tooLarge();
  const check = checkImage(image);
  if (!check.ok) return jsonError(400, `invalid import: ${check.message}`, "INVALID_IMPORT");
  await databaseStub(c.env, entry.name).importImage(image);
  return c.json({ name: entry.name, sizeBytes: image.length, pageSize: check.pageSize, pages: check.pageCount });
});

management.get("/databases/:name/settings", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  return c.json({ name: entry.name, settings: await databaseStub(c.env, entry.name).getSettings() });
});

management.put("/databases/:name/settings", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  const outcome = await databaseStub(c.env, entry.name).updateSettings(await jsonBody(c));
  if ("error" in outcome) return jsonError(400, `invalid settings: ${outcome.error}`, "INVALID_SETTINGS");
  return c.json({ name: entry.name, settings: outcome.settings });
});

management.get("/databases/:name/cdc", async (c) => {
  const entry = await knownDatabase(c);
  return entry instanceof Response ? entry : c.json(await withRelayedSubscribers(c.env, entry.name, databaseStub(c.env, entry.name).cdcSettings(entry.name)));
});

management.put("/databases/:name/cdc", async (c) => {
  const entry = await knownDatabase(c);
  if (entry instanceof Response) return entry;
  const update = parseCaptureUpdate(await jsonBody(c));
  if (typeof update === "string") return jsonError(400, update, "INVALID_CDC_SETTINGS");
  return c.json(await withRelayedSubscribers(c.env, entry.name, databaseStub(c.env, entry.name).configureCdc(entry.name, update)));
});

/** The database's capture settings, its subscribers counted with those its relays serve. */
async function withRelayedSubscribers(env: Env, name: string, pending: Promise<CaptureSettings>): Promise<CaptureSettings> {
  const [settings, ...relayed] = await Promise.all([pending, ...relaysOf(env, name).map((relay) => relay.subscriberCount())]);
  return { ...settings, subscribers: settings.subscribers + relayed.reduce((sum, n) => sum + n, 0) };
}

management.post("/tokens", async (c) => {
  if (!c.env.JWT_SECRET) return jsonError(400, "minting tokens needs JWT_SECRET to be configured", "JWT_SECRET_MISSING");
  const request = parseTokenRequest(await jsonBody(c));
  if (typeof request === "string") return jsonError(400, request, "INVALID_TOKEN_REQUEST");
  const { jwt, record } = await mintToken(request, c.env.JWT_SECRET, Date.now());
  await c.var.catalog.recordToken(record);
  return c.json(
    {
      token: jwt,
      id: record.id,
      database: record.database,
      access: record.access,
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
    },
    201,
  );
});

management.notFound((c) => jsonError(404, `not found: ${new URL(c.req.url).pathname}`, "NOT_FOUND"));

// Storage or RPC failures: a JSON answer that says the service, not the request, failed.
management.onError((e) => jsonError(503, `management request failed: ${e instanceof Error ? e.message : String(e)}`, "MANAGEMENT_UNAVAILABLE"));
