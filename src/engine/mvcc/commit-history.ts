// The table keys each recent commit wrote, kept while some BEGIN CONCURRENT
// transaction began before that commit: a concurrent commit conflicts when a
// key it wrote is in any commit made after its snapshot.
//
// Invariant: while a concurrent transaction based on seq B is open, every
// commit with seq > B is in the history (commits record themselves whenever a
// concurrent transaction is open; entries are dropped only when no open
// concurrent transaction is older than them).
import type { RowKey, WrittenKeys } from "./row-writes.js";

interface CommitRecord {
  seq: number;
  /** "all" for a commit whose keys were not tracked: it conflicts with every transaction older than it. */
  keys: WrittenKeys | "all";
}

/** Why a commit conflicts: a key another commit wrote after the snapshot, or a later commit whose keys are unknown. */
export type Conflict = { kind: "row"; tree: number; row: RowKey } | { kind: "untracked" };

export class CommitHistory {
  private records: CommitRecord[] = [];

  get size(): number {
    return this.records.length;
  }

  record(seq: number, keys: WrittenKeys | "all"): void {
    this.records.push({ seq, keys });
  }

  /** The first key of `mine` written by a commit after `baseSeq`, or null. */
  conflict(baseSeq: number, mine: WrittenKeys): Conflict | null {
    for (const rec of this.records) {
      if (rec.seq <= baseSeq) continue;
      if (rec.keys === "all") return { kind: "untracked" };
      for (const [tree, rows] of mine) {
        const theirs = rec.keys.get(tree);
        if (theirs === undefined) continue;
        const [small, large] = rows.size <= theirs.size ? [rows, theirs] : [theirs, rows];
        for (const row of small) if (large.has(row)) return { kind: "row", tree, row };
      }
    }
    return null;
  }

  /** Drops commits no open transaction can conflict with (all when `oldestBase` is null). */
  prune(oldestBase: number | null): void {
    if (oldestBase === null) this.records = [];
    else if (this.records.length > 0 && this.records[0].seq <= oldestBase) this.records = this.records.filter((r) => r.seq > oldestBase);
  }
}
