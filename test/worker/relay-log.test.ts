// A relay's in-memory change log: reads give what the database's capture
// table would (whole transactions, the cursor to go on from, whether the
// end was reached), fill-ins join at its start without gaps, and dropping
// keeps what is newer.
import { describe, expect, it } from "vitest";
import { RelayLog } from "../../src/durable-object/cdc/relay/relay-log.js";
import type { TransactionMessage } from "../../src/durable-object/cdc/subscription.js";

/** A transaction of `changes` inserts whose commit record is change_id `commit`. */
function transaction(commit: number, changes = 1): TransactionMessage {
  return {
    type: "transaction",
    change_id: commit,
    txn_id: commit,
    time: 1,
    changes: Array.from({ length: changes }, (_, i) => ({ change_id: commit - changes + i, op: "insert", table: "t", id: i, before: null, after: { v: i } })),
  };
}

const ids = (log: RelayLog, after: number, max = 100) => log.read(after, max).transactions.map((t) => t.changeId);

describe("RelayLog", () => {
  it("reads whole transactions after a cursor, up to about a page of changes, with the cursor to go on from", () => {
    const log = new RelayLog(10);
    log.append([transaction(12), transaction(16, 3), transaction(18)], 18);
    expect(log.size).toBe(5);
    expect(log.read(10, 1)).toMatchObject({ scannedTo: 12, atEnd: false });
    // A page never splits a transaction: the one of three changes comes whole.
    expect(log.read(12, 1)).toMatchObject({ scannedTo: 16, atEnd: false });
    expect(ids(log, 12, 1)).toEqual([16]);
    expect(log.read(16, 100)).toMatchObject({ scannedTo: 18, atEnd: true });
    const [only] = log.read(16, 100).transactions;
    expect(only).toEqual({ changeId: 18, txnId: 18, time: 1, changes: [{ changeId: 17, operation: "insert", table: "t", id: 0, before: null, after: { v: 0 } }] });
  });

  it("moves a reader at the end to the newest change it knows, and leaves one ahead of it where it is", () => {
    const log = new RelayLog(10);
    log.append([transaction(12)], 15);
    expect(log.read(12, 100)).toEqual({ transactions: [], scannedTo: 15, atEnd: true });
    expect(log.read(20, 100)).toEqual({ transactions: [], scannedTo: 20, atEnd: true });
    expect(() => log.read(9, 100)).toThrow("before the held changes");
  });

  it("ignores what it already holds, and takes a fill-in that joins its start", () => {
    const log = new RelayLog(20);
    log.append([transaction(22), transaction(24)], 24);
    log.append([transaction(24), transaction(26)], 26);
    expect(ids(log, 20)).toEqual([22, 24, 26]);
    expect(() => log.prepend([transaction(12)], 10, 12)).toThrow("gap");
    log.prepend([transaction(12), transaction(18), transaction(22)], 10, 22);
    expect(log.base).toBe(10);
    expect(ids(log, 10)).toEqual([12, 18, 22, 24, 26]);
    expect(log.size).toBe(5);
    // A fill-in from further on than the start changes nothing.
    log.prepend([transaction(18)], 14, 20);
    expect(ids(log, 10)).toEqual([12, 18, 22, 24, 26]);
  });

  it("drops through a change, keeping the newer ones, and says where to drop to keep some", () => {
    const log = new RelayLog(0);
    log.append([transaction(2), transaction(6, 3), transaction(8), transaction(10)], 10);
    expect(log.cutKeeping(2)).toBe(6);
    expect(log.cutKeeping(100)).toBe(0);
    log.dropThrough(6);
    expect(log.base).toBe(6);
    expect(log.size).toBe(2);
    expect(ids(log, 6)).toEqual([8, 10]);
    expect(() => log.read(5, 100)).toThrow();
    log.dropThrough(30);
    expect(log.base).toBe(10);
    expect(log.size).toBe(0);
  });
});
