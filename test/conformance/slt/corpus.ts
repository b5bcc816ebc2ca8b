// Where things live: the repository root, and the sqllogictest corpus in
// shared/sqllogictest beside the repository (as in CI and the work tree) or $SLT_CORPUS.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function corpusDir(): string {
  return process.env.SLT_CORPUS ?? resolve(repoRoot, "../shared/sqllogictest");
}
