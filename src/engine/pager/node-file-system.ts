// The filesystem calls the Node file store makes, behind a small interface so
// that tests can inject failures (a "crash" at the Nth write, fsync, truncate
// or unlink). Node-only: the default implementation uses node:fs.
import * as fs from "node:fs";

/** How `open` treats the file: must exist, create if missing, or create empty. */
export type OpenMode = "existing" | "create" | "truncate";

export interface StoreFileSystem {
  /** Opens `path` for reading and writing; returns a file descriptor. */
  open(path: string, mode: OpenMode): number;
  close(fd: number): void;
  /** Reads up to `buffer.length` bytes at `position`; returns the count read (short at end of file). */
  read(fd: number, buffer: Uint8Array, position: number): number;
  /** Writes all of `data` at `position`. */
  write(fd: number, data: Uint8Array, position: number): void;
  fsync(fd: number): void;
  /** Sets the file length (shrinks or zero-extends). */
  truncate(fd: number, length: number): void;
  size(fd: number): number;
  exists(path: string): boolean;
  unlink(path: string): void;
  /** Makes directory entries (file creation, deletion) in `dir` durable. */
  syncDirectory(dir: string): void;
}

const openFlags: Record<OpenMode, number> = {
  existing: fs.constants.O_RDWR,
  create: fs.constants.O_RDWR | fs.constants.O_CREAT,
  truncate: fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC,
};

/** The real filesystem through node:fs synchronous calls. */
export const nodeFileSystem: StoreFileSystem = {
  open: (path, mode) => fs.openSync(path, openFlags[mode], 0o644),
  close: (fd) => fs.closeSync(fd),
  read(fd, buffer, position) {
    let total = 0;
    while (total < buffer.length) {
      const n = fs.readSync(fd, buffer, total, buffer.length - total, position + total);
      if (n === 0) break;
      total += n;
    }
    return total;
  },
  write(fd, data, position) {
    let total = 0;
    while (total < data.length) {
      total += fs.writeSync(fd, data, total, data.length - total, position + total);
    }
  },
  fsync: (fd) => fs.fsyncSync(fd),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
  size: (fd) => fs.fstatSync(fd).size,
  exists: (path) => fs.existsSync(path),
  unlink: (path) => fs.unlinkSync(path),
  syncDirectory(dir) {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};
