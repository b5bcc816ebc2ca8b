// The Worker's bindings, as declared in wrangler.toml.
import type { DatabaseObject } from "../durable-object/database-object.js";

export interface Env {
  DATABASE: DurableObjectNamespace<DatabaseObject>;
}
