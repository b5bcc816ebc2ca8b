// `npm run bench [name...]`: runs every bench/*.bench.ts (or the named ones) in
// turn. Each benchmark module exports `run(): Promise<void>` and prints its own
// table of figures, ours side by side with the peers measured in the same run.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

for (const file of files) {
  console.log(`\n## ${file.replace(/\.bench\.ts$/, "")}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run(): Promise<void> };
  await mod.run();
}
