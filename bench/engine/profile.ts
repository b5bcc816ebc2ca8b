// Profiles Tessera on workloads of the engine benchmark:
//   npx tsx bench/engine/profile.ts [runs] [name prefix...]
// loads the fixture once, untimed, then per chosen workload (all by default)
// records a V8 CPU profile of only that workload's runs (through
// node:inspector) and prints the functions with the most self and total
// time. Positions are mapped back to the TypeScript source through the
// source maps tsx registers, so file:line is the function's line in src/.
// PROFILE_DIR=<dir> also writes each raw .cpuprofile there.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session, type Profiler, type Runtime } from "node:inspector";
import { findSourceMap, type SourceMapping } from "node:module";
import { join } from "node:path";
import { loadFixture, orderRows } from "./data.js";
import { tessera } from "./engines.js";
import { workloads, type Workload } from "./workloads.js";

const [runsArg = "3", ...prefixes] = process.argv.slice(2);
const runs = Number(runsArg);
const orders = orderRows();
const chosen = workloads(orders).filter(
  (w) => prefixes.length === 0 || prefixes.some((p) => w.name.toLowerCase().startsWith(p.toLowerCase())),
);
const outDir = process.env.PROFILE_DIR;

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/** "name file:line" of a frame, the line taken from the TypeScript source when a source map knows it. */
function label(frame: Runtime.CallFrame): string {
  const entry = frame.url ? findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) : undefined;
  const line = entry && "originalLine" in entry ? (entry as SourceMapping).originalLine + 1 : frame.lineNumber + 1;
  const file = frame.url.replace(/^file:\/\/.*?\/(src|bench)\//, "$1/");
  return `${frame.functionName || "(anonymous)"} ${file}:${line}`;
}

/** Percent of samples per label: self (in the function itself) and total (with its callees, counted once per stack). */
function summarize(profile: Profiler.Profile): { self: Map<string, number>; total: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const walk = (node: Profiler.ProfileNode, onStack: Set<string>): number => {
    const key = label(node.callFrame);
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
  };
  walk(profile.nodes[0], new Set());
  return { self, total };
}

function top(m: Map<string, number>, samples: number, n: number): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((v / samples) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join("\n");
}

async function profileWorkload(session: Session, workload: Workload): Promise<void> {
  const db = fixture;
  workload.makeRun(tessera, db)();
  await post(session, "Profiler.start");
  for (let i = 0; i < runs; i++) workload.makeRun(tessera, db)();
  const { profile } = await post<{ profile: Profiler.Profile }>(session, "Profiler.stop");
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${workload.name.split(" ")[0].toLowerCase()}-${chosen.indexOf(workload)}.cpuprofile`), JSON.stringify(profile));
  }
  const samples = profile.samples?.length ?? 1;
  const { self, total } = summarize(profile);
  console.log(`\n### ${workload.name}: ${runs} runs, ${samples} samples\n\nself time:\n${top(self, samples, 25)}`);
  console.log(`\ntotal time:\n${top(total, samples, 35)}`);
}

const fixture = tessera.open();
loadFixture(fixture, orders);
const session = new Session();
session.connect();
await post(session, "Profiler.enable");
await post(session, "Profiler.setSamplingInterval", { interval: 100 });
for (const workload of chosen) await profileWorkload(session, workload);
fixture.close();
