// How B-tree code reaches pages: TreeReader for any consistent state (a
// snapshot or a write transaction), TreeWriter for a write transaction.

import type { BtreePage } from "./page.js";
import type { RowOp } from "./transaction-log.js";

export interface TreeReader {
  readonly pageSize: number;
  /** Page size minus the reserved bytes at the end of each page. */
  readonly usable: number;
  readonly pageCount: number;
  /** The B-tree page `pageNo` (a mutable page if changed in this transaction). */
  page(pageNo: number): BtreePage;
  /** Raw bytes of a non-B-tree page (overflow, freelist). */
  raw(pageNo: number): Uint8Array;
}

export interface TreeWriter extends TreeReader {
  /** Page `pageNo` made mutable and private to the transaction. */
  writable(pageNo: number): BtreePage;
  /** A new empty mutable B-tree page of `type` (from the freelist, else at the end of the file). */
  newPage(type: number): BtreePage;
  /**
   * Lays changed page `pageNo` out into the transaction's pages now rather
   * than at commit, dropping its per-cell buffers: for a page the change
   * is done with (a leaf a bulk append left behind), so a large transaction
   * does not keep one buffer per row alive. It is parsed again if read.
   */
  settle(pageNo: number): void;
  /** Allocates a page for raw content (overflow). */
  allocatePage(): number;
  writeRaw(pageNo: number, data: Uint8Array): void;
  /** Returns a page to the freelist. */
  freePage(pageNo: number): void;
  /** Called before tree `root` changes: every other registered cursor on it saves its position. */
  beforeMutation(root: number, except: SavableCursor | null): void;
  registerCursor(cursor: SavableCursor): void;
  /** Where row writes are logged, or null when nobody tracks them. */
  readonly rowOps: RowOp[] | null;
  /** Table row writes are logged without their records (see WriteTransaction.trackRowOps). */
  readonly rowOpsKeysOnly: boolean;
  unregisterCursor(cursor: SavableCursor): void;
}

export function isWriter(ctx: TreeReader): ctx is TreeWriter {
  return (ctx as TreeWriter).writable !== undefined;
}

/** A cursor that can remember its position as a key and find it again after the tree changed. */
export interface SavableCursor {
  readonly root: number;
  savePosition(): void;
}
