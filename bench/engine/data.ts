// The benchmark's data set, the same for every engine: users (10k rows),
// orders (100k rows, each pointing at a user, with an index on amount) and
// big (1M rows in 1k groups). Values come from fixed arithmetic, not a random
// source, so every run and every engine sees identical tables.
import type { BindValue } from "../../src/engine/index.js";
import type { BenchDatabase } from "./engines.js";

export const USERS = 10_000;
export const ORDERS = 100_000;
export const BIG = 1_000_000;
export const GROUPS = 1_000;

export const CREATE_ORDERS = "CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER, amount INTEGER, note TEXT)";
export const INSERT_ORDER = "INSERT INTO orders(id, user_id, amount, note) VALUES (?, ?, ?, ?)";

/** Order i (1-based): amount is a permutation of 0..ORDERS-1, so an amount range of n values holds n rows. */
export function orderRows(): BindValue[][] {
  return Array.from({ length: ORDERS }, (_, k) => {
    const i = k + 1;
    return [i, 1 + ((i * 13) % USERS), (i * 7919) % ORDERS, `order ${i}`];
  });
}

/** Rowids 1..n in a fixed shuffled order, so point lookups do not walk the tree in order. */
export function shuffledIds(n: number): number[] {
  return shuffled(Array.from({ length: n }, (_, i) => i + 1));
}

/** `items` shuffled in place by a fixed-seed generator (the same order every run), and returned. */
export function shuffled<T>(items: T[]): T[] {
  let s = 12345;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function insertAll(db: BenchDatabase, sql: string, count: number, row: (i: number) => BindValue[]): void {
  const stmt = db.prepare(sql);
  db.exec("BEGIN");
  for (let i = 1; i <= count; i++) stmt.run(row(i));
  db.exec("COMMIT");
  stmt.free();
}

/** Creates and fills users, orders (with orders_amount) and big. */
export function loadFixture(db: BenchDatabase, orders: BindValue[][]): void {
  db.exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, score INTEGER)");
  insertAll(db, "INSERT INTO users(id, name, score) VALUES (?, ?, ?)", USERS, (i) => [i, `user ${i}`, (i * 31) % 100]);
  db.exec(CREATE_ORDERS);
  insertAll(db, INSERT_ORDER, ORDERS, (i) => orders[i - 1]);
  db.exec("CREATE INDEX orders_amount ON orders(amount)");
  db.exec("CREATE TABLE big(id INTEGER PRIMARY KEY, g INTEGER, v INTEGER)");
  insertAll(db, "INSERT INTO big(id, g, v) VALUES (?, ?, ?)", BIG, (i) => [i, (i * 7) % GROUPS, (i * 31) % 10007]);
}
