// Corpus parse test (index of the sqllogictest corpus): see corpus-check.ts.

import { expect, test } from "vitest";
import { checkCorpus } from "./corpus-check.js";
import { CORPUS_DIR } from "./slt-records.js";

test("every SQLite statement in the corpus (index) parses", async () => {
  const counts = await checkCorpus([`${CORPUS_DIR}/index`]);
  console.log("corpus index:", counts);
  expect(counts.statements).toBeGreaterThan(0);
});
