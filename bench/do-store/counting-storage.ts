// Wraps a Durable Object's storage to total the rows the runtime bills
// (SqlStorageCursor.rowsRead / rowsWritten) over every sql.exec it passes on,
// plus the blob bytes bound as parameters (bytes written).
import type { DurableObjectPageStorage } from "../../src/durable-object/do-page-store.js";

export interface StorageCost {
  rowsRead: number;
  rowsWritten: number;
  bytesWritten: number;
  statements: number;
}

export class CountingStorage implements DurableObjectPageStorage {
  private cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  private bytesWritten = 0;
  readonly sql: Pick<SqlStorage, "exec">;

  constructor(private readonly inner: DurableObjectStorage) {
    this.sql = {
      exec: <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) => {
        for (const value of bindings) {
          if (ArrayBuffer.isView(value)) this.bytesWritten += value.byteLength;
          else if (typeof value === "string") this.bytesWritten += value.length;
        }
        const cursor = inner.sql.exec<T>(query, ...bindings);
        this.cursors.push(cursor);
        return cursor;
      },
    };
  }

  transactionSync<T>(closure: () => T): T {
    return this.inner.transactionSync(closure);
  }

  /** Totals since the last call (read once the cursors have been consumed). */
  take(): StorageCost {
    const cost: StorageCost = { rowsRead: 0, rowsWritten: 0, bytesWritten: this.bytesWritten, statements: this.cursors.length };
    for (const cursor of this.cursors) {
      cost.rowsRead += cursor.rowsRead;
      cost.rowsWritten += cursor.rowsWritten;
    }
    this.cursors = [];
    this.bytesWritten = 0;
    return cost;
  }
}
