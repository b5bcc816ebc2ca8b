// BtreeDatabase: a SQLite database file over a Pager — opening (validating the
// header, or initializing an empty store), read and write transactions, header
// fields, and serialization to a standard file image.

import { SqliteError } from "../errors.js";
import { MemoryPageStore } from "../pager/memory-page-store.js";
import type { PageStore } from "../pager/page-store.js";
import { Pager, type PagerOptions } from "../pager/pager.js";
import { HDR, newDatabaseHeader, validateHeader, type HeaderField } from "./format.js";
import { ReadTransaction, WriteTransaction } from "./transaction.js";
import { readU32 } from "./varint.js";

/** Root page of sqlite_schema. */
export const SCHEMA_ROOT = 1;

export class BtreeDatabase {
  readonly pager: Pager;
  /** Usable bytes per page (page size minus reserved bytes). */
  readonly usable: number;

  private constructor(pager: Pager, usable: number) {
    this.pager = pager;
    this.usable = usable;
  }

  /**
   * Opens the database in `store`; an empty store gets a fresh one-page
   * database (committed immediately). Throws SQLITE_NOTADB for a store that
   * does not hold a SQLite database.
   */
  static open(store: PageStore, options: PagerOptions = {}): BtreeDatabase {
    const pager = new Pager(store, options);
    if (store.pageCount() === 0) {
      const db = new BtreeDatabase(pager, pager.pageSize);
      const ws = pager.beginWrite();
      ws.setPageCount(1);
      const tx = new WriteTransaction(ws, db.usable, newDatabaseHeader(pager.pageSize));
      tx.initializeSchemaRoot();
      tx.commit();
      return db;
    }
    let page1: Uint8Array;
    try {
      page1 = store.readPage(1);
    } catch {
      throw new SqliteError("file is not a database", "SQLITE_NOTADB");
    }
    return new BtreeDatabase(pager, validateHeader(page1, pager.pageSize));
  }

  /** Opens a copy of a database file image (e.g. from sql.js `db.export()`). */
  static fromImage(image: Uint8Array, options: PagerOptions = {}): BtreeDatabase {
    if (image.length === 0) throw new SqliteError("file is not a database", "SQLITE_NOTADB");
    return BtreeDatabase.open(MemoryPageStore.fromImage(image), options);
  }

  get pageSize(): number {
    return this.pager.pageSize;
  }

  /** Pins the latest committed state. */
  beginRead(): ReadTransaction {
    const snap = this.pager.beginRead();
    return new ReadTransaction(snap, this.usable, () => snap.end(), snap);
  }

  /** A private write transaction based on the latest state, or on the state `base` reads. */
  beginWrite(base?: ReadTransaction): WriteTransaction {
    const ws = this.pager.beginWrite(base?.snapshot);
    return new WriteTransaction(ws, this.usable);
  }

  /** A header field of the latest committed state. */
  getHeader(field: HeaderField): number {
    const snap = this.pager.beginRead();
    try {
      return readU32(snap.readPage(1), HDR[field]);
    } finally {
      snap.end();
    }
  }

  /** The file format write version of the latest committed state (FORMAT_MVCC in MVCC journal mode). */
  formatVersion(): number {
    // Read straight from the latest state: it is asked at every write's start, and needs no snapshot pinned.
    return this.pager.readAt(1, this.pager.latestSeq)[18];
  }

  /** The latest committed state as a SQLite database file image. */
  serialize(): Uint8Array {
    return this.pager.serialize();
  }

  close(): void {
    this.pager.store.close();
  }
}
