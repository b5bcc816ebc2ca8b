// Profiles Tessera on one workload of the engine benchmark:
//   npx tsx bench/engine/profile.ts <workload name prefix> [runs] [out.cpuprofile]
// loads the fixture untimed, then records a V8 CPU profile of only the
// workload's runs (through node:inspector) and prints the functions with the
// most self time and the most total time, with file:line.
import { writeFileSync } from "node:fs";
import { Session, type Profiler } from "node:inspector";
import { loadFixture, orderRows } from "./data.js";
import { tessera } from "./engines.js";
import { workloads } from "./workloads.js";

const [prefix = "", runsArg = "3", out] = process.argv.slice(2);
const workload = workloads(orderRows()).find((w) => w.name.toLowerCase().startsWith(prefix.toLowerCase()));
if (!workload) throw new Error(`no workload starts with "${prefix}"`);

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

const db = tessera.open();
loadFixture(db, orderRows());
workload.makeRun(tessera, db)();

const session = new Session();
session.connect();
await post(session, "Profiler.enable");
await post(session, "Profiler.setSamplingInterval", { interval: 100 });
await post(session, "Profiler.start");
for (let i = 0; i < Number(runsArg); i++) workload.makeRun(tessera, db)();
const { profile } = await post<{ profile: Profiler.Profile }>(session, "Profiler.stop");
if (out) writeFileSync(out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const totalSamples = profile.samples?.length ?? 1;
const self = new Map<string, number>();
const total = new Map<string, number>();
const label = (n: Profiler.ProfileNode) => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/.*?\/(src|bench)\//, "$1/");
  return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
};
/** Adds each node's samples to its own entry and, once per distinct frame on the stack, to every caller's total. */
function walk(node: Profiler.ProfileNode, onStack: Set<string>): number {
  const key = label(node);
  let hits = node.hitCount ?? 0;
  self.set(key, (self.get(key) ?? 0) + hits);
  const fresh = !onStack.has(key);
  if (fresh) onStack.add(key);
  for (const child of node.children ?? []) hits += walk(byId.get(child) as Profiler.ProfileNode, onStack);
  if (fresh) {
    onStack.delete(key);
    total.set(key, (total.get(key) ?? 0) + hits);
  }
  return hits;
}
walk(profile.nodes[0], new Set());

const top = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / totalSamples) * 100).toFixed(1).padStart(5)}%  ${k}`);
console.log(`${workload.name}: ${runsArg} runs, ${totalSamples} samples\n\nself time:\n${top(self, 25).join("\n")}`);
console.log(`\ntotal time:\n${top(total, 30).join("\n")}`);
db.close();
