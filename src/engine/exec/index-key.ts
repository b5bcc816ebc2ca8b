// Index keys: the comparator that orders an index's entries (per-column
// collation and sort order, then the rowid), and building the key record
// of a table row for an index.
import type { IndexKeyComparator, RecordReader } from "../btree/index.js";
import type { Index } from "../schema/schema.js";
import { compareValues } from "../value/compare.js";
import { binaryCollation, type Collation } from "../value/collation.js";
import { collationByName } from "../plan/expr-type.js";

/**
 * Orders an index cell against a probe (a prefix of the key: index columns,
 * then the rowid for rowid tables). Equal prefixes compare 0, so a probe of
 * the index columns alone finds every entry with those values.
 */
export function indexComparator(index: Index): IndexKeyComparator {
  const colls: Collation[] = index.columns.map((c) => collationByName(c.collation));
  const desc: boolean[] = index.columns.map((c) => c.desc);
  const n = colls.length;
  return (cell: RecordReader, probe) => {
    const m = probe.length;
    for (let i = 0; i < m; i++) {
      const c = compareValues(cell.column(i), probe[i], i < n ? colls[i] : binaryCollation);
      if (c !== 0) return i < n && desc[i] ? -c : c;
    }
    return 0;
  };
}
