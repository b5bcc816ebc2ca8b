// Finds the scripts to run: files as given, folders searched recursively for
// *.test files, in a stable (sorted) order without duplicates.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

function testsUnder(dir: string, into: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) testsUnder(path, into);
    else if (entry.isFile() && entry.name.endsWith(".test")) into.push(path);
  }
}

/** Absolute paths of the scripts under `paths`; throws for a path that does not exist. */
export function collectSltFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const given of paths) {
    const path = resolve(given);
    if (statSync(path).isDirectory()) testsUnder(path, found);
    else found.push(path);
  }
  return [...new Set(found)];
}
