// Corpus parse test (select1.test select2.test select3.test select4.test select5.test evidence of the sqllogictest corpus): see corpus-check.ts.

import { expect, test } from "vitest";
import { checkCorpus } from "./corpus-check.js";
import { CORPUS_DIR } from "./slt-records.js";

test("every SQLite statement in the corpus (select1.test select2.test select3.test select4.test select5.test evidence) parses", async () => {
  const counts = await checkCorpus([`${CORPUS_DIR}/select1.test`, `${CORPUS_DIR}/select2.test`, `${CORPUS_DIR}/select3.test`, `${CORPUS_DIR}/select4.test`, `${CORPUS_DIR}/select5.test`, `${CORPUS_DIR}/evidence`]);
  console.log("corpus select1.test select2.test select3.test select4.test select5.test evidence:", counts);
  expect(counts.statements).toBeGreaterThan(0);
});
