// Public surface of the pager layer.
//
// Invariants (see pager.ts for the full model):
// - Published page buffers are immutable; a Snapshot sees exactly one commit.
// - WriteSets are private and isolated; commit succeeds only on the latest base
//   (else StaleWriteSetError / { ok: false }) and is one atomic PageStore.commit.
// - The cache holds at most its capacity of latest pages; superseded versions
//   live only while a pinned snapshot can read them.
export type { PageStore } from "./page-store.js";
export { MemoryPageStore, checkSqliteHeader, headerPageSize, SQLITE_MAGIC } from "./memory-page-store.js";
export {
  Pager,
  Snapshot,
  WriteSet,
  StaleWriteSetError,
  type CommitResult,
  type PageReader,
  type PagerOptions,
  type PagerStats,
} from "./pager.js";
