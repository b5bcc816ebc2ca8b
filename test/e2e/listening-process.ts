// Which child process of this one listens on a local TCP port, read from /proc
// (Linux only). Miniflare spawns one workerd per instance and does not say
// which; a benchmark running two instances finds each one's workerd by the
// socket it serves, to measure and prioritise them apart.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** TCP state LISTEN in /proc/net/tcp. */
const LISTEN = "0A";

/** Inodes of the sockets listening on `port`, IPv4 and IPv6. */
function listeningSockets(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue; // no IPv6 on this machine
    }
    // Lines after the header: "sl local_address rem_address st ... uid timeout inode ...", addresses as HEXADDR:HEXPORT.
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      if (parseInt(fields[1].split(":")[1], 16) === port) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The parent of process `pid`, or null if it is gone. */
function parentOf(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name is in parentheses and may hold spaces; the state and the parent follow it.
    return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function holdsSocket(pid: number, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to look at
  }
  return fds.some((fd) => {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      return match !== null && inodes.has(match[1]);
    } catch {
      return false; // closed since listed
    }
  });
}

/** The pid of the child process of this one that listens on `port` on this machine. */
export function childListeningOn(port: number): number {
  const inodes = listeningSockets(port);
  if (inodes.size === 0) throw new Error(`nothing listens on port ${port}`);
  const children = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => parentOf(pid) === process.pid);
  const found = children.find((pid) => holdsSocket(pid, inodes));
  if (found === undefined) throw new Error(`no child process of this one listens on port ${port}`);
  return found;
}
