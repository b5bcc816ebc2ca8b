// A StoreFileSystem wrapper that simulates the process dying: the Nth mutating
// call (open that may create or truncate, write, fsync, truncate, unlink,
// directory sync) does not complete — a write may land half of its bytes — and
// every call after it throws too, as nothing runs after a crash. File
// descriptors it opened can be released afterwards, as the OS would.
import { nodeFileSystem, type OpenMode, type StoreFileSystem } from "../../../src/engine/pager/node-file-system.js";

export class SimulatedCrash extends Error {
  override name = "SimulatedCrash";
}

export interface CrashOptions {
  /** 1-based index of the mutating call that crashes; Infinity never crashes. */
  crashAt: number;
  /** When the crashing call is a write, first write this fraction of its bytes. */
  tornWriteFraction?: number;
  /** Throw once at `crashAt` and then keep working (a transient I/O error). */
  transient?: boolean;
}

export class CrashingFileSystem implements StoreFileSystem {
  mutatingCalls = 0;
  crashed = false;
  private readonly openFds = new Set<number>();

  constructor(
    private readonly options: CrashOptions,
    private readonly inner: StoreFileSystem = nodeFileSystem,
  ) {}

  /** Closes what the dead process left open. */
  releaseFds(): void {
    for (const fd of this.openFds) this.inner.close(fd);
    this.openFds.clear();
  }

  open(path: string, mode: OpenMode): number {
    if (mode !== "existing") this.mutation();
    else this.alive();
    const fd = this.inner.open(path, mode);
    this.openFds.add(fd);
    return fd;
  }
  close(fd: number): void {
    this.alive();
    this.openFds.delete(fd);
    this.inner.close(fd);
  }
  read(fd: number, buffer: Uint8Array, position: number): number {
    this.alive();
    return this.inner.read(fd, buffer, position);
  }
  write(fd: number, data: Uint8Array, position: number): void {
    this.mutation(() => {
      const torn = Math.floor(data.length * (this.options.tornWriteFraction ?? 0));
      if (torn > 0) this.inner.write(fd, data.subarray(0, torn), position);
    });
    this.inner.write(fd, data, position);
  }
  fsync(fd: number): void {
    this.mutation();
    this.inner.fsync(fd);
  }
  truncate(fd: number, length: number): void {
    this.mutation();
    this.inner.truncate(fd, length);
  }
  size(fd: number): number {
    this.alive();
    return this.inner.size(fd);
  }
  exists(path: string): boolean {
    this.alive();
    return this.inner.exists(path);
  }
  unlink(path: string): void {
    this.mutation();
    this.inner.unlink(path);
  }
  syncDirectory(dir: string): void {
    this.mutation();
    this.inner.syncDirectory(dir);
  }

  private alive(): void {
    if (this.crashed && !this.options.transient) throw new SimulatedCrash("process is dead");
  }

  private mutation(partialEffect?: () => void): void {
    this.alive();
    this.mutatingCalls++;
    if (this.mutatingCalls === this.options.crashAt) {
      this.crashed = true;
      partialEffect?.();
      throw new SimulatedCrash(`crash at mutating call ${this.mutatingCalls}`);
    }
  }
}
