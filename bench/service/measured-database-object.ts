// DatabaseObject as the benchmark runs it: the production class, unchanged,
// handed a view of its Durable Object state whose storage.sql totals the rows
// the runtime counts (CountingStorage, as the page-store benchmark uses), so
// that the benchmark can report the storage rows our engine costs per
// operation next to the peer's. Everything else passes through to the real
// state (methods bound to it: native methods refuse another `this`).
import { DatabaseObject } from "../../src/durable-object/database-object.js";
import type { Env } from "../../src/router/env.js";
import { CountingStorage, type StorageCost } from "../do-store/counting-storage.js";

function passThrough<T extends object>(target: T, replaced: Partial<Record<PropertyKey, unknown>>): T {
  return new Proxy(target, {
    get(inner, property) {
      if (property in replaced) return replaced[property];
      const value: unknown = Reflect.get(inner, property);
      return typeof value === "function" ? value.bind(inner) : value;
    },
  });
}

export class MeasuredDatabaseObject extends DatabaseObject {
  private readonly counter: CountingStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.counter = new CountingStorage(ctx.storage);
    // The runtime's base class accepts only the real state, so the view replaces it afterwards.
    Object.defineProperty(this, "ctx", { value: passThrough(ctx, { storage: passThrough(ctx.storage, { sql: this.counter.sql }) }) });
  }

  /** Storage rows read and written (and statements run) since the last call. */
  takeStorageCost(): StorageCost {
    return this.counter.take();
  }
}
