// Requests the do-store bench sends to its worker, and its answers.
import type { StorageCost } from "./counting-storage.js";

/** A page commit: [page number, base64 page bytes] pairs and the new page count. */
export interface PageCommit {
  pages: Array<[number, string]>;
  pageCount: number;
}

export type BenchRequest =
  /** Replay page commits through DurableObjectPageStore. */
  | { op: "replay"; pageSize: number; commits: PageCommit[] }
  /** Insert rows, one transaction per entry of `transactions`, on a plain ctx.storage.sql table. */
  | { op: "plain"; payload: string; transactions: number[] }
  /** The same inserts through Tessera's B-tree and pager on DurableObjectPageStore. */
  | { op: "engine"; pageSize: number; payload: string; transactions: number[] };

export interface BenchResponse {
  /** Creating the schema (or the first page commit), then one entry per commit. */
  commits: StorageCost[];
  /** Reading everything back from a cold start. */
  scan: StorageCost;
  /** One point lookup by rowid from a cold start (not measured for "replay"). */
  lookup: StorageCost | null;
}
