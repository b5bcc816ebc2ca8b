// Runs scripts in a worker thread so that a script whose statement never
// returns can still be stopped: past its hard time limit the worker is
// terminated (losing that file's counts, which then show as one failure) and
// a fresh worker takes the next file. The in-process runner can only stop
// between records.
import { Worker } from "node:worker_threads";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./corpus.js";
import { collectSltFiles } from "./files.js";
import type { FileWorkerData } from "./file-worker.js";
import { addCounts, emptyCounts, type SltFileResult, type SltRunOptions, type SltSummary } from "./runner.js";

export interface IsolatedRunOptions extends SltRunOptions {
  /** Required here: the soft limit, checked between records. */
  timeoutPerFileMs: number;
  /** When the worker is killed; default twice the soft limit plus 5 s. */
  hardTimeoutPerFileMs?: number;
}

/** The worker is TypeScript: it runs with tsx's loader whatever started this process. */
const TSX_LOADER = pathToFileURL(resolve(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const WORKER_SCRIPT = new URL("./file-worker.ts", import.meta.url);

type Outcome = { kind: "result"; result: SltFileResult } | { kind: "timeout" } | { kind: "crash"; error: string };

class FileWorker {
  private readonly worker: Worker;
  private pending: ((outcome: Outcome) => void) | undefined;
  readonly ready: Promise<void>;

  constructor(data: FileWorkerData) {
    this.worker = new Worker(WORKER_SCRIPT, { workerData: data, execArgv: ["--import", TSX_LOADER] });
    let started: () => void = () => {};
    let failedToStart: (e: Error) => void = () => {};
    this.ready = new Promise((resolveReady, rejectReady) => {
      started = resolveReady;
      failedToStart = rejectReady;
    });
    this.worker.on("message", (message: SltFileResult | "ready") => {
      if (message === "ready") started();
      else this.settle({ kind: "result", result: message });
    });
    this.worker.on("error", (e) => {
      failedToStart(e);
      this.settle({ kind: "crash", error: e.message });
    });
    this.worker.on("exit", (code) => this.settle({ kind: "crash", error: `worker exited with code ${code}` }));
  }

  private settle(outcome: Outcome): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(outcome);
  }

  run(path: string, limitMs: number): Promise<Outcome> {
    return new Promise((resolveOutcome) => {
      const timer = setTimeout(() => this.settle({ kind: "timeout" }), limitMs);
      this.pending = (outcome) => {
        clearTimeout(timer);
        resolveOutcome(outcome);
      };
      this.worker.postMessage(path);
    });
  }

  async stop(): Promise<void> {
    this.pending = undefined;
    await this.worker.terminate();
  }
}

function lostFile(path: string, message: string): SltFileResult {
  return {
    path,
    run: 1,
    passed: 0,
    failed: 1,
    skipped: 0,
    durationMs: 0,
    halted: false,
    timedOut: true,
    failures: [{ line: 0, sql: "", message }],
  };
}

/** Like runSltFiles, for the engine named `engineName`, with a hard time limit per file. */
export async function runSltFilesIsolated(engineName: string, paths: readonly string[], options: IsolatedRunOptions): Promise<SltSummary> {
  const started = performance.now();
  const { onFile, hardTimeoutPerFileMs, ...workerOptions } = options;
  const hardLimitMs = hardTimeoutPerFileMs ?? options.timeoutPerFileMs * 2 + 5000;
  const files: SltFileResult[] = [];
  const total = emptyCounts();
  let worker: FileWorker | undefined;
  try {
    for (const path of collectSltFiles(paths)) {
      if (worker === undefined) {
        worker = new FileWorker({ engine: engineName, options: workerOptions });
        await worker.ready;
      }
      const fileStarted = performance.now();
      const outcome = await worker.run(path, hardLimitMs);
      let result: SltFileResult;
      if (outcome.kind === "result") {
        result = outcome.result;
      } else {
        await worker.stop();
        worker = undefined;
        const why = outcome.kind === "timeout" ? `still running after ${hardLimitMs / 1000} s, stopped` : outcome.error;
        result = { ...lostFile(path, `${why}; this file's counts are lost`), durationMs: performance.now() - fileStarted };
      }
      files.push(result);
      addCounts(total, result);
      onFile?.(result);
    }
  } finally {
    await worker?.stop();
  }
  return { files, total, durationMs: performance.now() - started };
}
