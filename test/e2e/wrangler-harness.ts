// Starts the real `wrangler dev` (node_modules/.bin/wrangler, local mode) on
// 127.0.0.1 and a free port, for end-to-end tests and benchmarks that must
// meet the Worker as `npm run dev` serves it. Each start gets its own
// persistence directory and inspector port (several may run on one machine),
// waits until the Worker answers, and is always stopped by dispose() (or when
// this process exits): wrangler and its workerd children run in their own
// process group, which is signalled as a whole.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningWorker } from "./worker-harness.js";

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const WRANGLER = join(PROJECT, "node_modules", ".bin", "wrangler");
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 5_000;

export interface WranglerOptions {
  /** Wrangler config file, relative to the project (default: wrangler.toml). */
  config?: string;
  /** Worker variables (`--var NAME:VALUE`). */
  vars?: Record<string, string>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port assigned"))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Signals wrangler's whole process group (it was spawned detached, as the
 * group's leader), workerd children included even when wrangler is gone.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited before serving:\n${output()}`);
    try {
      const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${url} within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

export async function startWranglerDev(options: WranglerOptions = {}): Promise<RunningWorker> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), "tessera-wrangler-"));
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persistTo];
  args.push("--show-interactive-dev-session=false", "--log-level", "warn");
  if (options.config) args.push("--config", options.config);
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  const child = spawn(WRANGLER, args, {
    cwd: PROJECT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // node_modules/.bin first: wrangler's `#!/usr/bin/env node` then finds the project's Node (22), not an older system one.
    env: {
      ...process.env,
      PATH: `${join(PROJECT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_SEND_METRICS: "false",
    },
  });
  let log = "";
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const killOnExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", killOnExit);

  const dispose = async () => {
    process.removeListener("exit", killOnExit);
    signalGroup(child, "SIGTERM");
    const stopped = await Promise.race([exited(child).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS))]);
    if (!stopped) {
      signalGroup(child, "SIGKILL");
      await exited(child);
    }
    rmSync(persistTo, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(url, child, () => log);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { url, databaseUrl: (name) => `${url}/db/${name}/`, dispose };
}
