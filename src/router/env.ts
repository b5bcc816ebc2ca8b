// The Worker's bindings and vars, as declared in wrangler.toml (vars and
// secrets are optional: without keys, auth is off for local use).
import type { DatabaseObject } from "../durable-object/database-object.js";
import type { LimitVars } from "../durable-object/limits.js";
import type { CatalogObject } from "../durable-object/catalog/catalog-object.js";
import type { ChangeRelay } from "../durable-object/cdc/relay/change-relay.js";

export interface Env extends LimitVars {
  DATABASE: DurableObjectNamespace<DatabaseObject>;
  /** The control-plane catalog (one instance); without it the /v1 management API answers 503. */
  CATALOG?: DurableObjectNamespace<CatalogObject>;
  /** Change relays (cdc/relay/): they serve change subscriptions over WebSocket in place of the database's object. */
  RELAY?: DurableObjectNamespace<ChangeRelay>;
  /** Relays per database (default DEFAULT_RELAYS); "0": the database's object serves its change sockets itself. */
  CDC_RELAYS?: string;
  /** Where relays reach the databases when they run in another Worker (its router); by default the DATABASE namespace. */
  CDC_UPSTREAM?: Fetcher;
  /** Bearer token relays send through CDC_UPSTREAM (read access to the databases). */
  CDC_UPSTREAM_TOKEN?: string;
  /** Bearer token for the /v1 management API. */
  ADMIN_TOKEN?: string;
  /** Ed25519 public key(s) for EdDSA tokens: PEM (SPKI) or raw URL-safe base64, several separated by commas. */
  JWT_PUBLIC_KEY?: string;
  /** Shared secret for HS256 tokens. */
  JWT_SECRET?: string;
  /** Host names under which `<database>.<host>` addresses a database (comma-separated); `*.localhost` always works. */
  BASE_HOST?: string;
}
