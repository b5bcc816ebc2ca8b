// The Worker's bindings and vars, as declared in wrangler.toml (vars and
// secrets are optional: without keys, auth is off for local use).
import type { DatabaseObject } from "../durable-object/database-object.js";
import type { LimitVars } from "../durable-object/limits.js";
import type { CatalogObject } from "../durable-object/catalog/catalog-object.js";

export interface Env extends LimitVars {
  DATABASE: DurableObjectNamespace<DatabaseObject>;
  /** The control-plane catalog (one instance); without it the /v1 management API answers 503. */
  CATALOG?: DurableObjectNamespace<CatalogObject>;
  /** Bearer token for the /v1 management API. */
  ADMIN_TOKEN?: string;
  /** Ed25519 public key(s) for EdDSA tokens: PEM (SPKI) or raw URL-safe base64, several separated by commas. */
  JWT_PUBLIC_KEY?: string;
  /** Shared secret for HS256 tokens. */
  JWT_SECRET?: string;
  /** Host names under which `<database>.<host>` addresses a database (comma-separated); `*.localhost` always works. */
  BASE_HOST?: string;
}
