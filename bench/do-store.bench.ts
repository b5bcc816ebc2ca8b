// Durable Object page store cost: storage rows read and written (what DO SQL
// bills) and bytes written per commit, for typical commits, next to the same
// logical inserts on a plain ctx.storage.sql table, at several page sizes,
// inside workerd (Miniflare). Two sources of page commits: Tessera's own
// B-tree and pager on DurableObjectPageStore, and, for comparison, the page
// sets real SQLite (sql.js) changes for the same transactions (its database
// image diffed before and after each), replayed through the store.
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import initSqlJs from "sql.js";
import type { BenchRequest, BenchResponse, PageCommit } from "./do-store/protocol.js";

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

async function ask(mf: Miniflare, object: string, request: BenchRequest): Promise<BenchResponse> {
  const response = await mf.dispatchFetch(`http://bench/?object=${object}`, {
    method: "POST",
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`bench worker: ${response.status} ${await response.text()}`);
  return (await response.json()) as BenchResponse;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function printTable(title: string, header: string[], rows: string[][]): void {
  console.log(`\n${title}\n`);
  console.log(`${header.join(" | ")}\n${header.map(() => "---").join(" | ")}`);
  for (const row of rows) console.log(row.join(" | "));
}

/** Rows for the workload commits (index 0 of `commits` is the schema), a cold scan and a cold lookup. */
function costRows(plain: BenchResponse, measured: BenchResponse[], pagesOf?: (s: number, i: number) => number): string[][] {
  const rows = WORKLOAD.map(({ name }, i) => {
    const row = [name, String(plain.commits[i + 1].rowsWritten), kib(plain.commits[i + 1].bytesWritten)];
    measured.forEach((response, s) => {
      const cost = response.commits[i + 1];
      if (pagesOf) row.push(String(pagesOf(s, i + 1)));
      row.push(String(cost.rowsWritten), kib(cost.bytesWritten));
    });
    return row;
  });
  const blank = pagesOf ? ["-"] : [];
  rows.push(["cold full scan (rows read)", String(plain.scan.rowsRead), "-", ...measured.flatMap((r) => [...blank, String(r.scan.rowsRead), "-"])]);
  if (measured.every((r) => r.lookup)) {
    rows.push(["cold point lookup (rows read)", String(plain.lookup!.rowsRead), "-", ...measured.flatMap((r) => [...blank, String(r.lookup!.rowsRead), "-"])]);
  }
  return rows;
}

export async function run(): Promise<void> {
  const mf = await startWorker();
  try {
    const transactions = WORKLOAD.map((w) => w.rows);
    const plain = await ask(mf, "plain", { op: "plain", payload: PAYLOAD, transactions });
    const sizes = PAGE_SIZES.map((size) => `${size / 1024}K`);

    const engine: BenchResponse[] = [];
    for (const pageSize of PAGE_SIZES) {
      engine.push(await ask(mf, `engine-${pageSize}`, { op: "engine", pageSize, payload: PAYLOAD, transactions }));
    }
    printTable(
      "Tessera B-tree + pager on DurableObjectPageStore vs a plain ctx.storage.sql table (storage rows as the runtime counts them)",
      ["commit", "plain: rows", "plain: KiB", ...sizes.flatMap((s) => [`${s} pages: rows`, "KiB"])],
      costRows(plain, engine),
    );

    const pageCommits: PageCommit[][] = [];
    const replayed: BenchResponse[] = [];
    for (const pageSize of PAGE_SIZES) {
      const commits = await sqlitePageCommits(pageSize);
      pageCommits.push(commits);
      replayed.push(await ask(mf, `replay-${pageSize}`, { op: "replay", pageSize, commits }));
    }
    printTable(
      "The page sets real SQLite (sql.js) changes for the same commits, replayed through DurableObjectPageStore",
      ["commit", "plain: rows", "plain: KiB", ...sizes.flatMap((s) => [`${s}: pages`, "rows", "KiB"])],
      costRows(plain, replayed, (s, i) => pageCommits[s][i].pages.length),
    );
    console.log("\n(the store writes one row per changed page, plus its meta row when the page count changes)");
  } finally {
    await mf.dispose();
  }
}
