// A PageStore over a MemoryPageStore whose Nth call (readPage, pageCount or
// commit), once armed, fails: a store I/O error in the middle of a commit.
// The memory store underneath keeps what was committed before the failure,
// so a Database reopened on it shows what survived.
import { MemoryPageStore, SqliteError, type PageStore } from "../../../src/engine/index.js";

export class FailingPageStore implements PageStore {
  /** Calls counted since `arm`. */
  calls = 0;
  private failAt = Infinity;

  constructor(readonly inner: MemoryPageStore = new MemoryPageStore()) {}

  /** Counts calls from now on and fails the `failAt`-th (Infinity: never). */
  arm(failAt: number): void {
    this.calls = 0;
    this.failAt = failAt;
  }

  get pageSize(): number | undefined {
    return this.inner.pageSize;
  }

  pageCount(): number {
    this.call("pageCount");
    return this.inner.pageCount();
  }

  readPage(pageNo: number): Uint8Array {
    this.call(`readPage(${pageNo})`);
    return this.inner.readPage(pageNo);
  }

  commit(pages: ReadonlyMap<number, Uint8Array>, pageCount: number, pageSize: number): void {
    this.call("commit");
    this.inner.commit(pages, pageCount, pageSize);
  }

  close(): void {}

  private call(what: string): void {
    this.calls++;
    if (this.calls === this.failAt) throw new SqliteError(`disk I/O error: injected failure at store call ${this.calls} (${what})`, "SQLITE_IOERR");
  }
}
