// Worker entry: the Hono router handles every request; each database lives in
// its own DatabaseObject (a SQLite-backed Durable Object class); the one
// CatalogObject lists them for the management API; ChangeRelay objects serve
// the databases' change subscriptions over WebSocket.
import { app } from "./router/app.js";

export { DatabaseObject } from "./durable-object/database-object.js";
export { CatalogObject } from "./durable-object/catalog/catalog-object.js";
export { ChangeRelay } from "./durable-object/cdc/relay/change-relay.js";
export { app };
export default app;
