// Lowers a whole process's scheduling priority (Linux). On Linux a nice value
// belongs to a thread, and setpriority on a pid (as `renice -p` does) changes
// only the thread with that id; so every thread is set, and the threads the
// process starts later inherit it from their (already lowered) creators.
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** The lowest priority: what the benchmarks give work that in production runs on other machines. */
export const LOWEST_PRIORITY = 19;

/** Sets every thread of process `pid` to the lowest priority. */
export function lowestPriority(pid: number): void {
  for (const threadId of readdirSync(`/proc/${pid}/task`)) setPriority(Number(threadId), LOWEST_PRIORITY);
}
