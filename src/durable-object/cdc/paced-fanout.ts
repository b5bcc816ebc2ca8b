// When fan-out passes run, so that pushing changes to many subscribers takes
// a bounded share of the Durable Object's time and writes run in between:
// - a pass starts after the request that asked for it (a macrotask: the
//   writer's response does not wait), once for every request settling
//   meanwhile;
// - it is delivered in slices of about PASS_SLICE sends, each a macrotask
//   of its own, so a request arriving mid-pass waits for one slice, not the
//   whole pass (subscribers that receive nothing cost no slices);
// - after a pass that made n sends, the next waits n x PACING_MS_PER_SEND.
//   Sends are counted, not timed: inside workerd the clocks do not advance
//   while code runs. Commits made during the wait go out together in the
//   next pass, one frame per subscriber for them all. With a few
//   subscribers the wait is under a millisecond, so delivery stays
//   immediate.
import type { ChangeLog } from "./change-log.js";
import { FanoutPass } from "./fanout.js";
import type { Subscriber } from "./subscriber.js";

/**
 * A send (and the ack it brings back) costs the object ~0.1-0.2 ms (measured
 * under Miniflare with 1000 subscribers); waiting 1 ms after each keeps
 * fan-out to a small share of its time. With 1000 subscribers a pass is then
 * followed by a ~1 s wait.
 */
export const PACING_MS_PER_SEND = 1;
/** Sends per slice of a pass (~3 ms of the object's time), taken in chunks of as many subscribers. */
export const PASS_SLICE = 32;

/** What a pass works on, taken when it starts. */
export interface PassSource {
  log: ChangeLog;
  subscribers: Subscriber[];
  /** Whether `log` still reads the database's changes (not closed, replaced or dropped): else the pass stops. */
  current(): boolean;
}

export class PacedFanout {
  private scheduled = false;
  private running = false;
  /** A pass was asked for since the current one started. */
  private requested = false;
  /** When the next pass may start (ms since epoch). */
  private nextAt = 0;

  constructor(
    /** What the next pass works on; null when there is nothing to do. */
    private readonly begin: () => PassSource | null,
    /** Called after each pass. */
    private readonly ended: () => void,
  ) {}

  /** New changes may have committed: a pass will deliver them. */
  request(): void {
    this.requested = true;
    if (!this.scheduled && !this.running) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    setTimeout(() => this.run(), Math.max(0, this.nextAt - Date.now()));
  }

  private run(): void {
    this.scheduled = false;
    this.requested = false;
    const source = this.begin();
    if (source === null) return;
    this.running = true;
    const pass = new FanoutPass(source.log);
    let sends = 0;
    const { subscribers } = source;
    const slice = (from: number): void => {
      // The first slice runs as the pass begins; later ones check that the database was not closed or changed meanwhile.
      if (from > 0 && !source.current()) return this.finish(sends);
      let next = from;
      try {
        for (let sent = 0; sent < PASS_SLICE && next < subscribers.length; next += PASS_SLICE) {
          const made = pass.deliver(subscribers.slice(next, next + PASS_SLICE));
          sent += made;
          sends += made;
        }
      } catch (e) {
        // Not wedged by a failure: later commits still get passes.
        this.finish(sends);
        throw e;
      }
      if (next < subscribers.length) setTimeout(() => slice(next), 0);
      else this.finish(sends);
    };
    slice(0);
  }

  private finish(sends: number): void {
    this.running = false;
    this.nextAt = Date.now() + sends * PACING_MS_PER_SEND;
    this.ended();
    if (this.requested) this.schedule();
  }
}
