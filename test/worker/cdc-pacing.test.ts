// Pacing of fan-out passes (paced-fanout.ts): after a pass, the next waits
// in proportion to the work it did, counted in sends and in subscribers
// looked at, so that many subscribers take a bounded share of the object's
// time; commits made meanwhile share the next pass. Fake timers stand in for
// the object's clock; the change log is a stand-in that reports one new
// transaction per read.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChangeBatch, ChangeLog } from "../../src/durable-object/cdc/change-log.js";
import { MIN_PASS_INTERVAL_MS, PACING_MS_PER_SEND, PACING_MS_PER_VISIT, PacedFanout, type PassSource } from "../../src/durable-object/cdc/paced-fanout.js";
import type { Subscriber } from "../../src/durable-object/cdc/subscriber.js";
import type { Filter } from "../../src/durable-object/cdc/subscription.js";
import type { TransactionRun } from "../../src/durable-object/cdc/transaction-run.js";

/** A log whose every read finds one transaction after the cursor (change_id cursor + 1), selected by every filter. */
function oneNewTransactionPerRead(): ChangeLog {
  const log: Pick<ChangeLog, "read"> = {
    read: (after: number): ChangeBatch => ({
      transactions: [{ changeId: after + 1, txnId: after + 1, time: 0, changes: [{ changeId: after + 1, operation: "insert", table: "t", id: 1, before: null, after: null }] }],
      scannedTo: after + 1,
      atEnd: true,
    }),
  };
  return log as ChangeLog; // FanoutPass only reads
}

/** A subscriber that takes everything (receives) or whose filter drops every change (idle). */
class StubSubscriber implements Subscriber {
  readonly filter: Filter;
  readonly filterKey: string;
  cursor = 0;
  live = true;
  closed = false;
  frames = 0;

  constructor(receives: boolean) {
    this.filter = { tables: receives ? null : ["elsewhere"], operations: ["insert", "update", "delete"] };
    this.filterKey = receives ? "all" : "elsewhere";
  }

  take(run: TransactionRun): number {
    this.frames++;
    return run.transactions.length;
  }

  advance(cursor: number): void {
    this.cursor = Math.max(this.cursor, cursor);
  }

  heartbeat(): void {}
  close(): void {
    this.closed = true;
  }
}

function pacedOver(subscribers: StubSubscriber[]): { fanout: PacedFanout; passes: () => number } {
  let passes = 0;
  const log = oneNewTransactionPerRead();
  const source: PassSource = { log, subscribers, current: () => true };
  const fanout = new PacedFanout(
    () => source,
    () => passes++,
  );
  return { fanout, passes: () => passes };
}

describe("paced fan-out passes", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a pass with a few sends is followed by the next after the minimum interval, the commits meanwhile sharing it", async () => {
    const subscriber = new StubSubscriber(true);
    const { fanout, passes } = pacedOver([subscriber]);
    fanout.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(passes()).toBe(1);
    for (let commit = 0; commit < 3; commit++) fanout.request();
    await vi.advanceTimersByTimeAsync(MIN_PASS_INTERVAL_MS - 1);
    expect(passes()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes()).toBe(2);
    expect(subscriber.frames).toBe(2);
  });

  it("after sends to 1000 subscribers the next pass waits 1000 sends' pacing, and commits meanwhile share it", async () => {
    const subscribers = Array.from({ length: 1000 }, () => new StubSubscriber(true));
    const { fanout, passes } = pacedOver(subscribers);
    fanout.request();
    await vi.advanceTimersByTimeAsync(100); // every slice of the pass
    expect(passes()).toBe(1);
    expect(subscribers.every((s) => s.frames === 1)).toBe(true);
    const wait = 1000 * (PACING_MS_PER_SEND + PACING_MS_PER_VISIT);
    for (let commit = 0; commit < 50; commit++) fanout.request();
    await vi.advanceTimersByTimeAsync(wait - 150);
    expect(passes()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(passes()).toBe(2);
    expect(subscribers.every((s) => s.frames === 2)).toBe(true);
  });

  it("subscribers whose filters drop everything space passes by their number, not one walk per commit", async () => {
    const idle = Array.from({ length: 1000 }, () => new StubSubscriber(false));
    const { fanout, passes } = pacedOver(idle);
    fanout.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(passes()).toBe(1);
    expect(idle.every((s) => s.cursor === 1 && s.frames === 0)).toBe(true);
    const wait = 1000 * PACING_MS_PER_VISIT;
    // Ten commits during the wait: one pass afterwards, not ten.
    for (let commit = 0; commit < 10; commit++) fanout.request();
    await vi.advanceTimersByTimeAsync(wait - 1);
    expect(passes()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes()).toBe(2);
    expect(idle.every((s) => s.cursor === 2)).toBe(true);
  });
});
