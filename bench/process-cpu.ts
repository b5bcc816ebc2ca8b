// CPU time of a process and all its threads, read from /proc (Linux). The CDC
// benchmark charges the service's own work (workerd's) per write with it,
// apart from the writer's and the subscribers', which on a small machine
// share the cores with it and so move its wall-clock rates.
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  parent: number;
  name: string;
  /** User and system CPU time, in clock ticks. */
  ticks: number;
}

function stat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // gone since the directory was listed
  }
  // The name is in parentheses and may hold spaces; the fields after it are space-separated from field 3 on.
  const nameEnd = text.lastIndexOf(")");
  const fields = text.slice(nameEnd + 2).split(" ");
  return { pid, parent: Number(fields[1]), name: text.slice(text.indexOf("(") + 1, nameEnd), ticks: Number(fields[11]) + Number(fields[12]) };
}

export class ProcessCpu {
  private constructor(private readonly pid: number) {}

  /** The process called `name` among this process's descendants. */
  static descendantNamed(name: string): ProcessCpu {
    const processes = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map((entry) => stat(Number(entry)))
      .filter((s): s is ProcStat => s !== null);
    const descendants = new Set([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of processes) {
        if (descendants.has(p.parent) && !descendants.has(p.pid)) {
          descendants.add(p.pid);
          grew = true;
        }
      }
    }
    const found = processes.find((p) => p.name === name && descendants.has(p.pid));
    if (!found) throw new Error(`no process called ${name} under this one`);
    return new ProcessCpu(found.pid);
  }

  /** CPU time it has used so far, ms. */
  ms(): number {
    const s = stat(this.pid);
    if (s === null) throw new Error(`process ${this.pid} has exited`);
    return (s.ticks * 1000) / TICKS_PER_SECOND;
  }
}
