// What a subscriber asked for (tables, operations, where to start, its
// window) from URL query parameters or a first JSON message, and the wire
// messages it receives: one per committed transaction, holding only the
// changes its filter selects. Filters only narrow: a subscription sees at
// most the database its token opens.
import { CloseCode, SubscriptionClosed } from "./close-codes.js";
import { OPERATIONS, type CapturedChange, type CapturedTransaction, type JsonValue, type Operation, type UndecodedRecords } from "./change-log.js";

/** Most change ids in flight (sent, not acknowledged) by default, and the most a subscriber may ask for. */
export const DEFAULT_WINDOW = 1000;
export const MAX_WINDOW = 10_000;
/** Most tables one filter may name. */
const MAX_TABLES = 100;

export interface Filter {
  /** Tables to include (lowercase); null for all. */
  tables: string[] | null;
  operations: Operation[];
}

export interface SubscriptionRequest {
  filter: Filter;
  /** Replay the retained changes after this change_id; null to start at the newest (live only). */
  since: number | null;
  window: number;
}

/** The fields a request may carry, from a query string or a JSON message (values as strings, lists or numbers). */
type RawFields = Record<string, unknown>;

function refuse(message: string): never {
  throw new SubscriptionClosed(CloseCode.BAD_REQUEST, message, "CDC_BAD_SUBSCRIPTION");
}

function list(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null || value === "") return null;
  const items = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value : refuse(`"${field}" must be a comma-separated list or an array of strings`);
  return items.map((item) => {
    if (typeof item !== "string" || item.trim() === "") refuse(`"${field}" must name non-empty strings`);
    return item.trim();
  });
}

function changeId(value: unknown, field: string): number | null {
  if (value === undefined || value === null || value === "") return null;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) refuse(`"${field}" must be a change_id: a non-negative integer`);
  return n;
}

/** Parses a subscription from its fields; `resumeFrom` (SSE Last-Event-ID) takes precedence over `since`. */
export function parseSubscription(fields: RawFields, resumeFrom: string | null = null): SubscriptionRequest {
  const known = new Set(["tables", "operations", "since", "window", "type", "token"]);
  for (const key of Object.keys(fields)) if (!known.has(key)) refuse(`unknown subscription field "${key}"; use tables, operations, since, window`);
  // Table names compare case-insensitively, as SQL identifiers do.
  const tables = list(fields.tables, "tables")?.map((t) => t.toLowerCase()) ?? null;
  if (tables !== null && tables.length > MAX_TABLES) refuse(`"tables" names at most ${MAX_TABLES} tables`);
  const operations = list(fields.operations, "operations") ?? [...OPERATIONS];
  for (const op of operations) if (!OPERATIONS.includes(op as Operation)) refuse(`unknown operation "${op}"; operations are ${OPERATIONS.join(", ")}`);
  const window = changeId(fields.window, "window") ?? DEFAULT_WINDOW;
  if (window < 1 || window > MAX_WINDOW) refuse(`"window" must be between 1 and ${MAX_WINDOW}`);
  const since = changeId(resumeFrom ?? fields.since, resumeFrom !== null ? "Last-Event-ID" : "since");
  return { filter: { tables, operations: [...new Set(operations as Operation[])] }, since, window };
}

export function fieldsOfQuery(params: URLSearchParams): RawFields {
  const fields: RawFields = {};
  for (const [key, value] of params) {
    if (key in fields) refuse(`"${key}" is given twice`);
    fields[key] = value;
  }
  return fields;
}

function selects(filter: Filter, change: CapturedChange): boolean {
  return filter.operations.includes(change.operation) && (filter.tables === null || filter.tables.includes(change.table.toLowerCase()));
}

/** The filter as a key: subscribers with equal keys receive byte-identical messages (encoded once). */
export function filterKey(filter: Filter): string {
  return JSON.stringify([filter.tables === null ? null : [...filter.tables].sort(), [...filter.operations].sort()]);
}

export interface ChangeMessage {
  change_id: number;
  op: Operation;
  table: string;
  id: JsonValue;
  before: JsonValue;
  after: JsonValue;
  /** Full mode, updates only: { column: new value } for the columns the update set. */
  updates?: JsonValue;
  undecoded?: UndecodedRecords;
}

export interface TransactionMessage {
  type: "transaction";
  /** The transaction's last change_id (its commit record): acknowledge it, and resume with since=<it>. */
  change_id: number;
  txn_id: number;
  time: number;
  changes: ChangeMessage[];
}

/** The transaction as `filter` sees it, or null when none of its changes pass. */
export function project(transaction: CapturedTransaction, filter: Filter): TransactionMessage | null {
  const changes = transaction.changes.filter((c) => selects(filter, c));
  if (changes.length === 0) return null;
  return {
    type: "transaction",
    change_id: transaction.changeId,
    txn_id: transaction.txnId,
    time: transaction.time,
    changes: changes.map((c) => ({
      change_id: c.changeId,
      op: c.operation,
      table: c.table,
      id: c.id,
      before: c.before,
      after: c.after,
      ...(c.updates !== undefined ? { updates: c.updates } : {}),
      ...(c.undecoded ? { undecoded: c.undecoded } : {}),
    })),
  };
}
