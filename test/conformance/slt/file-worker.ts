// The worker-thread side of isolated runs (isolated.ts): opens the engine
// named in workerData, then runs each script path it is sent and posts back
// the file's result.
import { parentPort, workerData } from "node:worker_threads";
import { createEngine } from "./engines.js";
import { runSltFile, type SltRunOptions } from "./runner.js";

export interface FileWorkerData {
  engine: string;
  /** Everything but onFile, which cannot cross threads. */
  options: Omit<SltRunOptions, "onFile">;
}

const port = parentPort;
if (port === null) throw new Error("file-worker.ts must run in a worker thread");
const { engine: engineName, options } = workerData as FileWorkerData;
const engine = await createEngine(engineName);
port.on("message", (path: string) => port.postMessage(runSltFile(engine, path, options)));
port.postMessage("ready");
