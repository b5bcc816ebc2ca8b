// Starts the real Worker (src/index.ts bundled with esbuild) in workerd through
// Miniflare on 127.0.0.1 and a free port, for end-to-end tests with real
// clients. Each call gets its own Miniflare, storage in memory, disposed after.
// Miniflare answers on its own entry worker, which proxies every request and
// WebSocket message to ours (and negotiates permessage-deflate with clients
// whatever our compatibility flags say); `directUrl` is a second socket that
// reaches our Worker without it, as the edge does in production. Several
// instances may run side by side, one workerd process each, and reach one
// another through external service bindings to their direct sockets.
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare, type V4ServiceDesignator } from "miniflare";
import { fileURLToPath } from "node:url";
import { childListeningOn } from "./listening-process.js";

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
  /** host:port of that socket, as an external service binding of another instance names it. */
  directAddress: string;
  /** The pid of this instance's workerd process (Linux only: found through /proc). */
  runtimePid(): number;
}

/** Bindings an instance has beyond the Worker's own (wrangler.toml's). */
export interface ExtraBindings {
  /** Binding name -> service, e.g. `{ external: { address: other.directAddress, http: {} } }` for another instance. */
  serviceBindings?: Record<string, V4ServiceDesignator>;
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
 * `extra`: bindings beyond the Worker's own, e.g. a second instance's route to a first.
 */
export async function startWorker(
  vars: Record<string, string> = {},
  onLog?: (log: RuntimeLog) => void,
  extra: ExtraBindings = {},
): Promise<MiniflareWorker> {
  const options = convertV4MiniflareOptions({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: "2026-10-01",
    compatibilityFlags: ["nodejs_compat", "no_web_socket_compression"],
    durableObjects: { DATABASE: { className: "DatabaseObject", useSQLite: true }, CATALOG: { className: "CatalogObject", useSQLite: true }, RELAY: { className: "ChangeRelay", useSQLite: true } },
    bindings: vars,
    serviceBindings: extra.serviceBindings,
    host: "127.0.0.1",
    port: 0,
  });
  const [worker] = options.workers;
  worker.dev = { ...worker.dev, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };
  const mf = new Miniflare({ ...options, telemetry: { enabled: false }, ...(onLog ? { handleStructuredLogs: onLog, verbose: true } : {}) });
  const ready = await mf.ready;
  const url = ready.origin;
  const direct = await mf.unsafeGetDirectURL();
  let runtimePid: number | undefined;
  return {
    url,
    directUrl: direct.origin,
    directAddress: direct.host,
    runtimePid: () => (runtimePid ??= childListeningOn(Number(direct.port))),
    databaseUrl: (name) => `${url}/db/${name}/`,
    dispose: () => mf.dispose(),
  };
}
