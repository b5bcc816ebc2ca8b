// The Hono application: routes requests to the router's own handlers or to the
// Durable Object that owns the named database. Stateless.
import { Hono } from "hono";
import { isValidDatabaseName } from "./database-name.js";
import type { Env } from "./env.js";

export const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ status: "ok", service: "tessera" }));

app.all("/db/:name/*", async (c) => {
  const name = c.req.param("name");
  if (!isValidDatabaseName(name)) {
    return c.json(
      {
        error: "invalid database name",
        message: "a database name is 1-63 lowercase letters, digits or inner hyphens",
      },
      400,
    );
  }
  const stub = c.env.DATABASE.get(c.env.DATABASE.idFromName(name));
  return stub.fetch(c.req.raw);
});

app.notFound((c) => c.json({ error: "not found", path: new URL(c.req.url).pathname }, 404));
