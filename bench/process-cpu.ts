// CPU time of a process and all its threads, read from /proc (Linux). The CDC
// benchmark charges the service's own work (workerd's) per write with it,
// apart from the writer's and the subscribers', which on a small machine
// share the cores with it and so move its wall-clock rates.
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User and system CPU time of process `pid`, in clock ticks, or null if it is gone. */
function ticks(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The name is in parentheses and may hold spaces; the fields after it are space-separated from field 3 on.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export class ProcessCpu {
  constructor(private readonly pid: number) {}

  /** CPU time it has used so far, ms. */
  ms(): number {
    const used = ticks(this.pid);
    if (used === null) throw new Error(`process ${this.pid} has exited`);
    return (used * 1000) / TICKS_PER_SECOND;
  }
}
