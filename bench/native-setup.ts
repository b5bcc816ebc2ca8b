// `npm run bench:native`: builds better-sqlite3 into .bench-native/ for the
// engine benchmark. Where no prebuilt addon can be downloaded it compiles from
// source, and then it must compile against the headers of the Node that will
// load it (npm's own Node may be older): the node@22 package ships them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NATIVE_DIR } from "./engine/better-sqlite3.js";

const VERSION = "12.11.1";
const headers = fileURLToPath(new URL(`../node_modules/node/node_modules/node-${process.platform}-${process.arch}/`, import.meta.url));

mkdirSync(NATIVE_DIR, { recursive: true });
if (!existsSync(`${NATIVE_DIR}package.json`)) writeFileSync(`${NATIVE_DIR}package.json`, JSON.stringify({ name: "tessera-bench-native", private: true }));
const args = ["install", "--no-audit", "--no-fund", "--no-save", `better-sqlite3@${VERSION}`];
if (existsSync(`${headers}include/node/node.h`)) args.push(`--nodedir=${headers}`);
const result = spawnSync("npm", args, { cwd: NATIVE_DIR, stdio: "inherit" });
process.exit(result.status ?? 1);
