// The control-plane catalog Durable Object: one instance for the service
// (idFromName(CATALOG_INSTANCE)), holding the Catalog on our engine over the
// DurableObjectPageStore. Called by RPC from the management routes and from
// database objects registering on first use. DO-only.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../router/env.js";
import { DurableObjectPageStore } from "../do-page-store.js";
import { Catalog, type DatabaseEntry, type TokenRecord } from "./catalog.js";

export const CATALOG_INSTANCE = "catalog";

export class CatalogObject extends DurableObject<Env> {
  private catalogInstance: Catalog | undefined;

  private get catalog(): Catalog {
    this.catalogInstance ??= new Catalog(new DurableObjectPageStore(this.ctx.storage));
    return this.catalogInstance;
  }

  create(name: string): boolean {
    return this.catalog.create(name, Date.now());
  }

  register(name: string): void {
    this.catalog.register(name, Date.now());
  }

  get(name: string): DatabaseEntry | null {
    return this.catalog.get(name);
  }

  list(): DatabaseEntry[] {
    return this.catalog.list();
  }

  remove(name: string): boolean {
    return this.catalog.remove(name);
  }

  recordToken(token: TokenRecord): void {
    this.catalog.recordToken(token);
  }

  schemaVersion(): number {
    return this.catalog.schemaVersion();
  }
}

/** The catalog's stub, or null when the Worker has no CATALOG binding. */
export function catalogStub(env: Env): DurableObjectStub<CatalogObject> | null {
  return env.CATALOG ? env.CATALOG.get(env.CATALOG.idFromName(CATALOG_INSTANCE)) : null;
}
