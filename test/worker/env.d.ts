// Types of the Worker under test, as seen from tests running inside workerd.
declare namespace Cloudflare {
  interface Env {
    DATABASE: DurableObjectNamespace<import("../../src/durable-object/database-object.js").DatabaseObject>;
    CATALOG: DurableObjectNamespace<import("../../src/durable-object/catalog/catalog-object.js").CatalogObject>;
    RELAY: DurableObjectNamespace<import("../../src/durable-object/cdc/relay/change-relay.js").ChangeRelay>;
  }
  interface Exports {
    default: Fetcher;
  }
}
