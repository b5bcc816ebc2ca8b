// When fan-out passes run, so that pushing changes to many subscribers takes
// a bounded share of the Durable Object's time and writes run in between:
// - a pass starts after the request that asked for it (a macrotask: the
//   writer's response does not wait), once for every request settling
//   meanwhile;
// - it is delivered in slices of about PASS_SLICE sends, each a macrotask
//   of its own, so a request arriving mid-pass waits for one slice, not the
//   whole pass (subscribers that receive nothing cost no slices);
// - after a pass that made n sends and looked at m subscribers, the next
//   waits n x PACING_MS_PER_SEND + m x PACING_MS_PER_VISIT, and at least
//   MIN_PASS_INTERVAL_MS. Work is
//   counted, not timed: inside workerd the clocks do not advance while code
//   runs. Commits made during the wait go out together in the next pass,
//   one frame per subscriber for them all. With a few subscribers the wait
//   is the minimum, so delivery takes at most ~10 ms; subscribers whose
//   filters drop everything still cost a look each, so a thousand of them
//   space passes by 20 ms instead of making every commit walk them all.
import type { ChangeSource } from "./change-log.js";
import { FanoutPass, type PassWork } from "./fanout.js";
import type { Subscriber } from "./subscriber.js";

/**
 * A send (and the ack it brings back) costs workerd ~45 us of CPU with
 * frames of a few hundred transactions (measured with 1000 subscribers on
 * workerd's own socket: at 0.25 ms per send the CPU per write doubled, at
 * 1 ms it stays within noise of none); waiting 1 ms after each keeps fan-out
 * to ~5% of the object's time. With 1000 subscribers a pass is then followed
 * by a ~1 s wait.
 */
export const PACING_MS_PER_SEND = 1;
/**
 * Looking at a subscriber that receives nothing costs ~0.5 us (measured:
 * 1000 such subscribers added ~0.5 ms of workerd CPU per write when every
 * commit had a pass); waiting 20 us after each keeps that to a few percent.
 */
export const PACING_MS_PER_VISIT = 0.02;
/**
 * Passes start at least this far apart, so that a few subscribers (or the
 * relays) receiving every change get the commits of up to 10 ms in one
 * frame instead of one pass per commit: a pass has a fixed cost (looking up
 * the capture table, reading it, scheduling). With one receiving subscriber
 * at ~400-500 writes/s it took workerd's CPU per write from 1.03-1.24x of
 * none (four runs) to 0.98 and 1.09x (two runs): within this machine's
 * noise either way, and it adds up to 10 ms of latency.
 */
export const MIN_PASS_INTERVAL_MS = 10;
/** Sends per slice of a pass (~3 ms of the object's time), taken in chunks of as many subscribers. */
export const PASS_SLICE = 32;

/** What a pass works on, taken when it starts. */
export interface PassSource {
  log: ChangeSource;
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
    const work: PassWork = { sends: 0, visits: 0 };
    const { subscribers } = source;
    const slice = (from: number): void => {
      // The first slice runs as the pass begins; later ones check that the database was not closed or changed meanwhile.
      if (from > 0 && !source.current()) return this.finish(work);
      let next = from;
      try {
        for (let sent = 0; sent < PASS_SLICE && next < subscribers.length; next += PASS_SLICE) {
          const made = pass.deliver(subscribers.slice(next, next + PASS_SLICE));
          sent += made.sends;
          work.sends += made.sends;
          work.visits += made.visits;
        }
      } catch (e) {
        // Not wedged by a failure: later commits still get passes.
        this.finish(work);
        throw e;
      }
      if (next < subscribers.length) setTimeout(() => slice(next), 0);
      else this.finish(work);
    };
    slice(0);
  }

  private finish({ sends, visits }: PassWork): void {
    this.running = false;
    this.nextAt = Date.now() + Math.max(MIN_PASS_INTERVAL_MS, sends * PACING_MS_PER_SEND + visits * PACING_MS_PER_VISIT);
    this.ended();
    if (this.requested) this.schedule();
  }
}
