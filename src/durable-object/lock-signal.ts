// Busy waiting without blocking: a writer that got SQLITE_BUSY awaits this
// signal, which fires whenever a request on the database finished (and so may
// have released the write lock), or after a short poll interval.

const POLL_MS = 100;

export class LockSignal {
  private waiters: { since: number; wake: () => void }[] = [];

  /** `onNotify` hears every notify too (a request settled: it may have committed). */
  constructor(private readonly onNotify: () => void = () => undefined) {}

  /**
   * Wakes every waiter, longest-waiting first: the first to retry takes the
   * lock, so writers are served in the order they started waiting.
   */
  notify(): void {
    const waiters = this.waiters.sort((a, b) => a.since - b.since);
    this.waiters = [];
    for (const w of waiters) w.wake();
    this.onNotify();
  }

  /** Resolves at the next notify(), or after min(ms, poll interval); `since` is when this writer began waiting. */
  wait(ms: number, since: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, Math.max(0, Math.min(ms, POLL_MS)));
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push({ since, wake });
    });
  }
}
