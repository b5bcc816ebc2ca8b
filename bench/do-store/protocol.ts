// Requests the do-store bench sends to its worker. Each answer is a JSON array
// of StorageCost: one per commit (or transaction), then one for reading
// everything back.

/** A page commit: [page number, base64 page bytes] pairs and the new page count. */
export interface PageCommit {
  pages: Array<[number, string]>;
  pageCount: number;
}

export type BenchRequest =
  | { op: "replay"; pageSize: number; commits: PageCommit[] }
  | { op: "plain"; payload: string; transactions: number[] };
