// Starts the real Worker (src/index.ts bundled with esbuild) in workerd through
// Miniflare on 127.0.0.1 and a free port, for end-to-end tests with real
// clients. Each call gets its own Miniflare, storage in memory, disposed after.
// Miniflare answers on its own entry worker, which proxies every request and
// WebSocket message to ours (and negotiates permessage-deflate with clients
// whatever our compatibility flags say); `directUrl` is a second socket that
// reaches our Worker without it, as the edge does in production.
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";

export interface RunningWorker {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** A database URL as clients need it, with the trailing slash. */
  databaseUrl(name: string): string;
  dispose(): Promise<void>;
}

/** The Worker under Miniflare, which also listens on a socket of its own. */
export interface MiniflareWorker extends RunningWorker {
  /** Base URL of the socket that bypasses Miniflare's entry worker, e.g. http://127.0.0.1:41235. */
  directUrl: string;
}

let bundled: Promise<string> | undefined;

function bundleWorker(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL("../../src/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    write: false,
  }).then((result) => result.outputFiles[0].text);
  return bundled;
}

/** A line the runtime logged (console output, uncaught errors), as Miniflare's structured logs give it. */
export interface RuntimeLog {
  level: string;
  message: string;
}

/**
 * `onLog`: receives what the runtime logs instead of Miniflare printing it, for
 * tests that assert nothing went wrong. workerd is then verbose: only so does
 * it log uncaught exceptions (level "info", "uncaught exception; ..."), with
 * runtime notes such as WebSocket disconnects at the same level.
 */
export async function startWorker(vars: Record<string, string> = {}, onLog?: (log: RuntimeLog) => void): Promise<MiniflareWorker> {
  const options = convertV4MiniflareOptions({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: "2026-10-01",
    compatibilityFlags: ["nodejs_compat", "no_web_socket_compression"],
    durableObjects: { DATABASE: { className: "DatabaseObject", useSQLite: true }, CATALOG: { className: "CatalogObject", useSQLite: true }, RELAY: { className: "ChangeRelay", useSQLite: true } },
    bindings: vars,
    host: "127.0.0.1",
    port: 0,
  });
  const [worker] = options.workers;
  worker.dev = { ...worker.dev, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };
  const mf = new Miniflare({ ...options, telemetry: { enabled: false }, ...(onLog ? { handleStructuredLogs: onLog, verbose: true } : {}) });
  const ready = await mf.ready;
  const url = ready.origin;
  const directUrl = (await mf.unsafeGetDirectURL()).origin;
  return {
    url,
    directUrl,
    databaseUrl: (name) => `${url}/db/${name}/`,
    dispose: () => mf.dispose(),
  };
}
