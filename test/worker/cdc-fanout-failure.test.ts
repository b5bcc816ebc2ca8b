// A fan-out pass over subscribers one of which fails (its delivery throws,
// as a transport refusing a send would): that one is closed with the
// resumable 1011 and reported, and the subscribers after it get every
// change, in this pass and the next ones. Driven directly (FanoutPass over
// an engine database's change log), with subscribers that record what they
// are given: no real transport can be made to fail on demand.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Database } from "../../src/engine/index.js";
import { ChangeLog, OPERATIONS } from "../../src/durable-object/cdc/change-log.js";
import { CloseCode } from "../../src/durable-object/cdc/close-codes.js";
import { DELIVERY_FAILED_REASON, FanoutPass } from "../../src/durable-object/cdc/fanout.js";
import type { Subscriber } from "../../src/durable-object/cdc/subscriber.js";
import { filterKey, type Filter } from "../../src/durable-object/cdc/subscription.js";
import type { TransactionRun } from "../../src/durable-object/cdc/transaction-run.js";

class RecordingSubscriber implements Subscriber {
  readonly filter: Filter = { tables: null, operations: [...OPERATIONS] };
  readonly filterKey = filterKey(this.filter);
  live = false;
  closed = false;
  closedWith: { code: number; reason: string } | null = null;
  /** change_id of each transaction taken, in order. */
  readonly received: number[] = [];

  constructor(
    public cursor: number,
    private readonly failing = false,
  ) {}

  take(run: TransactionRun): number {
    if (this.failing) throw new Error("the transport refused the send");
    this.received.push(...run.transactions.map((t) => t.changeId));
    return run.transactions.length;
  }

  advance(cursor: number, caughtUp: boolean): void {
    this.cursor = Math.max(this.cursor, cursor);
    if (caughtUp) this.live = true;
  }

  heartbeat(): void {}

  close(code: number, reason: string): void {
    this.closed = true;
    this.closedWith = { code, reason };
  }
}

afterEach(() => vi.restoreAllMocks());

describe("a subscriber whose delivery fails", () => {
  it("is closed with 1011 and reported, and does not hold back the subscribers after it", () => {
    const db = new Database();
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("CREATE TABLE t (v)");
    const log = new ChangeLog(db.connect(), "turso_cdc");
    const start = log.range().latest;
    const reported = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const [before, failing, after] = [new RecordingSubscriber(start), new RecordingSubscriber(start, true), new RecordingSubscriber(start)];
    db.exec("INSERT INTO t VALUES (1)");
    const first = log.range().latest;

    expect(new FanoutPass(log).deliver([before, failing, after]).sends).toBe(2);
    expect([before.received, after.received]).toEqual([[first], [first]]);
    expect(failing.closedWith).toEqual({ code: CloseCode.DELIVERY_FAILED, reason: DELIVERY_FAILED_REASON });
    expect(failing.cursor).toBe(start);
    expect(reported).toHaveBeenCalledTimes(1);

    db.exec("INSERT INTO t VALUES (2)");
    const second = log.range().latest;
    expect(new FanoutPass(log).deliver([before, failing, after]).sends).toBe(2);
    expect([before.received, after.received]).toEqual([
      [first, second],
      [first, second],
    ]);
    expect(reported).toHaveBeenCalledTimes(1);
  });
});
