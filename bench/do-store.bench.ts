// Durable Object page store cost: storage rows read and written (what DO SQL
// bills) and bytes written per commit, for typical commits, next to the same
// logical inserts on a plain ctx.storage.sql table.
//
// The page sets are those real SQLite (sql.js) changes for each transaction:
// the database image is diffed before and after, and the changed pages are
// replayed through DurableObjectPageStore inside workerd (Miniflare), at
// several page sizes. The Tessera pager writes SQLite's file format, so its
// commits touch comparable page sets.
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import initSqlJs from "sql.js";
import type { StorageCost } from "./do-store/counting-storage.js";
import type { BenchRequest, PageCommit } from "./do-store/protocol.js";

const PAGE_SIZES = [4096, 16384, 65536];
const PAYLOAD = "x".repeat(100);
const WORKLOAD: Array<{ name: string; rows: number }> = [
  { name: "preload 1000 rows", rows: 1000 },
  { name: "single-row insert", rows: 1 },
  { name: "10-row transaction", rows: 10 },
  { name: "bulk insert 10000 rows", rows: 10000 },
];

/** The page commits SQLite makes for WORKLOAD at `pageSize`, diffed from its file images. */
async function sqlitePageCommits(pageSize: number): Promise<PageCommit[]> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`PRAGMA page_size = ${pageSize}`);
  db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)");
  const commits: PageCommit[] = [];
  let previous = db.export();
  commits.push(diffImages(new Uint8Array(0), previous, pageSize));
  let nextId = 1;
  for (const { rows } of WORKLOAD) {
    db.run("BEGIN");
    const insert = db.prepare("INSERT INTO t (id, payload) VALUES (?, ?)");
    for (let i = 0; i < rows; i++, nextId++) insert.run([nextId, PAYLOAD]);
    insert.free();
    db.run("COMMIT");
    const image = db.export();
    commits.push(diffImages(previous, image, pageSize));
    previous = image;
  }
  db.close();
  return commits;
}

function diffImages(before: Uint8Array, after: Uint8Array, pageSize: number): PageCommit {
  const pages: Array<[number, string]> = [];
  const pageCount = after.length / pageSize;
  for (let pageNo = 1; pageNo <= pageCount; pageNo++) {
    const offset = (pageNo - 1) * pageSize;
    const page = after.subarray(offset, offset + pageSize);
    const old = before.subarray(offset, offset + pageSize);
    if (old.length !== pageSize || !page.every((byte, i) => byte === old[i])) {
      pages.push([pageNo, Buffer.from(page).toString("base64")]);
    }
  }
  return { pages, pageCount };
}

async function startWorker(): Promise<Miniflare> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./do-store/worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:*"],
    write: false,
  });
  // This Miniflare takes a list of workers; the converter accepts the familiar
  // single-worker (v4) options.
  const options = convertV4MiniflareOptions({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: "2026-10-01",
    durableObjects: { BENCH: { className: "BenchObject", useSQLite: true } },
  });
  return new Miniflare({ ...options, telemetry: { enabled: false } });
}

async function ask(mf: Miniflare, object: string, request: BenchRequest): Promise<StorageCost[]> {
  const response = await mf.dispatchFetch(`http://bench/?object=${object}`, {
    method: "POST",
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`bench worker: ${response.status} ${await response.text()}`);
  return (await response.json()) as StorageCost[];
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

export async function run(): Promise<void> {
  const mf = await startWorker();
  try {
    const plain = await ask(mf, "plain", { op: "plain", payload: PAYLOAD, transactions: WORKLOAD.map((w) => w.rows) });
    const header = ["commit", "plain table: rows", "plain: KiB bound"];
    const pageCommits: PageCommit[][] = [];
    const costs: StorageCost[][] = [];
    for (const pageSize of PAGE_SIZES) {
      const commits = await sqlitePageCommits(pageSize);
      pageCommits.push(commits);
      costs.push(await ask(mf, `replay-${pageSize}`, { op: "replay", pageSize, commits }));
      header.push(`${pageSize / 1024}K: pages`, "rows", "KiB");
    }
    const table = WORKLOAD.map(({ name }, i) => {
      const row = [name, String(plain[i].rowsWritten), kib(plain[i].bytesWritten)];
      // Index 0 of the page commits and costs is creating the schema.
      PAGE_SIZES.forEach((_, s) => {
        const cost = costs[s][i + 1];
        row.push(String(pageCommits[s][i + 1].pages.length), String(cost.rowsWritten), kib(cost.bytesWritten));
      });
      return row;
    });
    const readRow = ["read everything back", String(plain[plain.length - 1].rowsRead), "-"];
    PAGE_SIZES.forEach((_, s) => {
      const read = costs[s][costs[s].length - 1];
      readRow.push(String(pageCommits[s][pageCommits[s].length - 1].pageCount), String(read.rowsRead), "-");
    });
    table.push(readRow);
    console.log("rows = storage rows written (read, on the last line) as the runtime counts them; the store adds");
    console.log("one meta row when the page count changes and reads it once when opened");
    console.log(`${header.join(" | ")}\n${header.map(() => "---").join(" | ")}`);
    for (const row of table) console.log(row.join(" | "));
  } finally {
    await mf.dispose();
  }
}
