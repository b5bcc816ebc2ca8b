// Wraps a Durable Object's storage so that the Nth sql.exec call, once armed,
// fails — by throwing, or by a caller-supplied action such as aborting the
// object (a real crash of the Durable Object in the middle of a commit's
// transaction, which the runtime then never commits).
import type { DurableObjectPageStorage } from "../../../src/durable-object/do-page-store.js";

export class InjectedFailure extends Error {
  override name = "InjectedFailure";
}

export class FailingStorage implements DurableObjectPageStorage {
  /** sql.exec calls counted since `arm`. */
  execCalls = 0;
  private failAt = Infinity;
  readonly sql: Pick<SqlStorage, "exec">;

  /** `fail` runs at the failing call; if it returns, InjectedFailure is thrown. */
  constructor(
    private readonly inner: DurableObjectStorage,
    fail: () => void = () => {},
  ) {
    this.sql = {
      exec: (query, ...bindings) => {
        this.execCalls++;
        if (this.execCalls === this.failAt) {
          fail();
          throw new InjectedFailure(`failure at sql.exec call ${this.execCalls}`);
        }
        return inner.sql.exec(query, ...bindings);
      },
    };
  }

  /** Counts exec calls from now on and fails the `failAt`-th (Infinity: never). */
  arm(failAt: number): void {
    this.execCalls = 0;
    this.failAt = failAt;
  }

  transactionSync<T>(closure: () => T): T {
    return this.inner.transactionSync(closure);
  }
}
