// Prints the engine benchmark's figures as Markdown tables: per workload the
// time and rate of each engine, Tessera's throughput relative to each peer,
// and Tessera's target with whether it is met.
import type { Timing } from "./measure.js";
import type { Target, Workload } from "./workloads.js";

export interface Row {
  workload: Workload;
  /** One timing per engine, in the order of `engines`. */
  timings: Timing[];
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en");
const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const rate = (rows: number, ms: number) => (rows / ms) * 1000;

function targetText(t: Target | undefined): string {
  if (!t) return "—";
  return "minRowsPerSecond" in t ? `≥ ${fmtInt(t.minRowsPerSecond)}/s` : `≤ ${t.maxMs} ms`;
}

function meets(t: Target | undefined, rows: number, ms: number): string {
  if (!t) return "";
  const ok = "minRowsPerSecond" in t ? rate(rows, ms) >= t.minRowsPerSecond : ms <= t.maxMs;
  return ok ? "yes" : "no";
}

function table(engines: string[], rows: Row[], pick: (t: Timing) => number): void {
  const peers = engines.slice(1);
  console.log(
    `| workload | ${engines.join(" | ")} | ${peers.map((p) => `tessera ÷ ${p}`).join(" | ")} | tessera target | met |`,
  );
  console.log(`|---|${engines.map(() => "---:").join("|")}|${peers.map(() => "---:").join("|")}|---:|:---:|`);
  for (const { workload, timings } of rows) {
    const ms = timings.map(pick);
    const cells = ms.map((m) => `${fmtMs(m)} ms · ${fmtInt(rate(workload.rows, m))}/s`);
    const ratios = ms.slice(1).map((m) => `${(m / ms[0]).toFixed(2)}x`);
    console.log(
      `| ${workload.name} | ${cells.join(" | ")} | ${ratios.join(" | ")} | ${targetText(workload.target)} | ${meets(workload.target, workload.rows, ms[0])} |`,
    );
  }
}

/** `engines[0]` is Tessera; ratios are Tessera's throughput over each peer's (above 1: Tessera is faster). */
export function printReport(engines: string[], rows: Row[]): void {
  console.log("Median process CPU time per run (the machine is shared; see the wall-clock table below), rows/s derived from it.\n");
  table(engines, rows, (t) => t.cpuMs);
  console.log("\nThe same runs, median wall-clock time:\n");
  table(engines, rows, (t) => t.wallMs);
}
