// The order in which SQLite walks one of its name hash tables (src/hash.c),
// for output that SQLite produces in that order (PRAGMA table_list). New
// entries go to the front of the table's list, or just before the others
// of their bucket; the list is rebuilt bucket by bucket whenever the table
// grows, so the order depends on the names and the order they were added.

const utf8 = new TextEncoder();

/** SQLite's strHash over the UTF-8 bytes, without the bit (0x20) that tells ASCII case apart. */
function strHash(name: string): number {
  let h = 0;
  for (const byte of utf8.encode(name)) h = Math.imul((h + (byte & 0xdf)) >>> 0, 0x9e3779b1) >>> 0;
  return h;
}

/**
 * SQLite caps a hash table's bucket array at SQLITE_MALLOC_SOFT_LIMIT (1024)
 * bytes: 64 buckets of 16 bytes on 64-bit builds. A 32-bit build such as
 * sql.js gets 128, so from 31 names on its order differs from native SQLite's.
 */
const MAX_BUCKETS = 64;

interface Entry {
  name: string;
  hash: number;
}

/** SQLite's Hash after inserting the names in order: its bucket heads and the list it iterates. */
class SqliteHash {
  private list: Entry[] = [];
  private buckets: { count: number; chain: Entry | null }[] = [];

  insert(name: string): void {
    const entry: Entry = { name, hash: strHash(name) };
    const count = this.list.length + 1;
    if (count >= 5 && count > 2 * this.buckets.length) this.rehash(count * 3);
    this.place(entry);
  }

  names(): string[] {
    return this.list.map((e) => e.name);
  }

  private place(entry: Entry): void {
    let head: Entry | null = null;
    if (this.buckets.length > 0) {
      const bucket = this.buckets[entry.hash % this.buckets.length];
      head = bucket.count > 0 ? bucket.chain : null;
      bucket.count++;
      bucket.chain = entry;
    }
    const at = head ? this.list.indexOf(head) : 0;
    this.list.splice(at, 0, entry);
  }

  private rehash(wanted: number): void {
    const size = Math.min(wanted, MAX_BUCKETS);
    if (size === this.buckets.length) return;
    const old = this.list;
    this.list = [];
    this.buckets = Array.from({ length: size }, () => ({ count: 0, chain: null }));
    for (const entry of old) this.place(entry);
  }
}

/** The names, added in the order given, in the order SQLite's hash table lists them. */
export function sqliteHashOrder(names: readonly string[]): string[] {
  const hash = new SqliteHash();
  for (const name of names) hash.insert(name);
  return hash.names();
}
