// Busy waiting without blocking: a writer that got SQLITE_BUSY awaits this
// signal, which fires whenever a request on the database finished (and so may
// have released the write lock), or after a short poll interval.

const POLL_MS = 100;

export class LockSignal {
  private waiters: (() => void)[] = [];

  /** Wakes every waiter; they retry and wait again if still locked out. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify(), or after min(ms, poll interval). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, Math.max(0, Math.min(ms, POLL_MS)));
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(wake);
    });
  }
}
