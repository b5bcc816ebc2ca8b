// Test helpers: a BINARY index comparator (SQLite's default ordering) and
// schema-row builders.
import type { IndexKeyComparator } from "../../../src/engine/btree/index.js";
import type { RecordReader } from "../../../src/engine/btree/record.js";
import { IntegralReal, type SqlValue } from "../../../src/engine/value/types.js";

function classRank(v: SqlValue): number {
  if (v === null) return 0;
  if (typeof v === "number" || typeof v === "bigint" || v instanceof IntegralReal) return 1;
  if (typeof v === "string") return 2;
  return 3;
}

const enc = new TextEncoder();

function bytesCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** UTF-8 byte order of two strings; UTF-16 unit order agrees with it below the surrogates. */
function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return bytesCompare(enc.encode(a.slice(i)), enc.encode(b.slice(i)));
  }
  return a.length - b.length;
}

/** SQLite's BINARY ordering of two values: NULL < numbers < text < blob. */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const ra = classRank(a);
  const rb = classRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1: {
      const x = a instanceof IntegralReal ? a.value : (a as number | bigint);
      const y = b instanceof IntegralReal ? b.value : (b as number | bigint);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 2:
      return compareText(a as string, b as string);
    default:
      return bytesCompare(a as Uint8Array, b as Uint8Array);
  }
}

/** Compares a key record with a (prefix) probe, column by column. */
export const binaryComparator: IndexKeyComparator = (cell: RecordReader, probe: readonly SqlValue[]) => {
  for (let i = 0; i < probe.length; i++) {
    const c = compareValues(cell.column(i), probe[i]);
    if (c !== 0) return c;
  }
  return 0;
};

export function compareRows(a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export { seededRandom as rng } from "../../helpers/random.js";
