// An in-memory StoreFileSystem that models what survives a power failure:
// file data is durable only once fsync'd, and directory entries (creations,
// deletions) only once their directory is synced. `afterPowerLoss` builds the
// disk a reboot could find: the durable state plus an arbitrary (seeded)
// choice of the operations not yet made durable, applied in order, a chosen
// write possibly torn. This is harsher than a process crash, where every
// completed write survives in the OS cache.
import { dirname } from "node:path";
import type { OpenMode, StoreFileSystem } from "../../../src/engine/pager/node-file-system.js";

type DataOp = { kind: "write"; data: Uint8Array; position: number } | { kind: "truncate"; length: number };

class Inode {
  constructor(
    public current: Uint8Array,
    public synced: Uint8Array,
    public pending: DataOp[] = [],
  ) {}
}

type NameOp = { kind: "link"; path: string; inode: Inode } | { kind: "unlink"; path: string };

function applyData(bytes: Uint8Array, op: DataOp): Uint8Array {
  if (op.kind === "truncate") {
    const next = new Uint8Array(op.length);
    next.set(bytes.subarray(0, op.length));
    return next;
  }
  const end = op.position + op.data.length;
  const next = end > bytes.length ? new Uint8Array(end) : bytes.slice();
  if (end > bytes.length) next.set(bytes);
  next.set(op.data, op.position);
  return next;
}

function applyName(names: Map<string, Inode>, op: NameOp): void {
  if (op.kind === "link") names.set(op.path, op.inode);
  else names.delete(op.path);
}

export class SimulatedDisk implements StoreFileSystem {
  private names = new Map<string, Inode>();
  private durableNames = new Map<string, Inode>();
  private pendingNames: NameOp[] = [];
  private fds = new Map<number, Inode>();
  private nextFd = 3;

  /** The disk after a power failure now, choosing lost operations with `random`. */
  afterPowerLoss(random: () => number): SimulatedDisk {
    const survivors = new Map<Inode, Inode>();
    const survivorOf = (inode: Inode): Inode => {
      let survivor = survivors.get(inode);
      if (!survivor) {
        let bytes = inode.synced;
        for (const op of inode.pending) {
          const fate = random();
          if (fate < 0.4) continue; // lost
          if (fate < 0.5 && op.kind === "write") {
            const torn = Math.floor(op.data.length * random());
            bytes = applyData(bytes, { ...op, data: op.data.subarray(0, torn) });
          } else {
            bytes = applyData(bytes, op);
          }
        }
        survivor = new Inode(bytes, bytes);
        survivors.set(inode, survivor);
      }
      return survivor;
    };
    const names = new Map(this.durableNames);
    for (const op of this.pendingNames) if (random() < 0.5) applyName(names, op);
    const disk = new SimulatedDisk();
    for (const [path, inode] of names) disk.names.set(path, survivorOf(inode));
    disk.durableNames = new Map(disk.names);
    return disk;
  }

  fileBytes(path: string): Uint8Array | undefined {
    return this.names.get(path)?.current;
  }

  open(path: string, mode: OpenMode): number {
    let inode = this.names.get(path);
    if (!inode) {
      if (mode === "existing") throw new Error(`ENOENT: ${path}`);
      inode = new Inode(new Uint8Array(0), new Uint8Array(0));
      this.link(path, inode);
    } else if (mode === "truncate") {
      this.dataOp(inode, { kind: "truncate", length: 0 });
    }
    const fd = this.nextFd++;
    this.fds.set(fd, inode);
    return fd;
  }
  close(fd: number): void {
    this.fds.delete(fd);
  }
  read(fd: number, buffer: Uint8Array, position: number): number {
    const bytes = this.inode(fd).current.subarray(position, position + buffer.length);
    buffer.set(bytes);
    return bytes.length;
  }
  write(fd: number, data: Uint8Array, position: number): void {
    this.dataOp(this.inode(fd), { kind: "write", data: data.slice(), position });
  }
  fsync(fd: number): void {
    const inode = this.inode(fd);
    inode.synced = inode.current;
    inode.pending = [];
  }
  truncate(fd: number, length: number): void {
    this.dataOp(this.inode(fd), { kind: "truncate", length });
  }
  size(fd: number): number {
    return this.inode(fd).current.length;
  }
  exists(path: string): boolean {
    return this.names.has(path);
  }
  unlink(path: string): void {
    if (!this.names.has(path)) throw new Error(`ENOENT: ${path}`);
    this.nameOp({ kind: "unlink", path });
  }
  syncDirectory(dir: string): void {
    const stillPending: NameOp[] = [];
    for (const op of this.pendingNames) {
      if (dirname(op.path) === dir) applyName(this.durableNames, op);
      else stillPending.push(op);
    }
    this.pendingNames = stillPending;
  }

  private inode(fd: number): Inode {
    const inode = this.fds.get(fd);
    if (!inode) throw new Error(`EBADF: ${fd}`);
    return inode;
  }
  private dataOp(inode: Inode, op: DataOp): void {
    inode.current = applyData(inode.current, op);
    inode.pending.push(op);
  }
  private link(path: string, inode: Inode): void {
    this.nameOp({ kind: "link", path, inode });
  }
  private nameOp(op: NameOp): void {
    applyName(this.names, op);
    this.pendingNames.push(op);
  }
}
