// Per-database settings the service keeps beside the pages (in the Durable
// Object's key-value storage) and applies to every connection it opens:
// which plain BEGINs run as BEGIN CONCURRENT. The management API reads and
// changes them (GET/PUT /v1/databases/<name>/settings).
import { CONCURRENT_TRANSACTIONS_SETTINGS, type ConcurrentTransactionsSetting } from "../engine/index.js";

export interface DatabaseSettings {
  /**
   * "off": only BEGIN CONCURRENT is concurrent. "deferred": BEGIN and BEGIN
   * DEFERRED run as BEGIN CONCURRENT. "all": BEGIN IMMEDIATE and EXCLUSIVE
   * too (what @libsql/client's transaction("write") and batch send), so its
   * users get concurrent writers without code changes.
   */
  concurrentTransactions: ConcurrentTransactionsSetting;
}

export const DEFAULT_SETTINGS: DatabaseSettings = { concurrentTransactions: "off" };

const KEY = "tessera:settings";

/** Synchronous key-value storage (the Durable Object's `ctx.storage.kv`). */
export interface SettingsStorage {
  get(key: string): unknown;
  put(key: string, value: unknown): void;
}

export function loadSettings(kv: SettingsStorage): DatabaseSettings {
  const stored = kv.get(KEY);
  return { ...DEFAULT_SETTINGS, ...(typeof stored === "object" && stored !== null ? (stored as Partial<DatabaseSettings>) : {}) };
}

export function saveSettings(kv: SettingsStorage, settings: DatabaseSettings): void {
  kv.put(KEY, settings);
}

/** Applies a JSON patch to `current`; a string describing the problem when the patch is invalid. */
export function patchSettings(current: DatabaseSettings, patch: unknown): DatabaseSettings | string {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return "the body must be a JSON object of settings";
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (key !== "concurrentTransactions") return `unknown setting "${key}" (settings: concurrentTransactions)`;
    if (typeof value !== "string" || !CONCURRENT_TRANSACTIONS_SETTINGS.includes(value as ConcurrentTransactionsSetting)) {
      return `concurrentTransactions must be one of ${CONCURRENT_TRANSACTIONS_SETTINGS.map((s) => `"${s}"`).join(", ")}`;
    }
    next.concurrentTransactions = value as ConcurrentTransactionsSetting;
  }
  return next;
}
