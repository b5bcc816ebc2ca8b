// The built-in functions that compare their arguments — multi-argument min()
// and max(), and nullif() — use the collation of the first argument that has
// one (an explicit COLLATE or a column's declared collation), as SQLite's
// NEEDCOLL functions do; checked against sql.js.
import { afterAll, expect, it } from "vitest";
import { Oracle, show } from "../executor/oracle.js";

const oracle = new Oracle();
oracle.setup(`
  CREATE TABLE t (nc TEXT COLLATE NOCASE, rt TEXT COLLATE RTRIM, b TEXT);
  INSERT INTO t VALUES ('a', 'x  ', 'B'), ('B', 'x', 'a'), ('c', 'Y', 'C'), (NULL, 'z', 'z');
`);
afterAll(() => oracle.close());

const queries = [
  "SELECT max('a' COLLATE NOCASE, 'B'), min('a' COLLATE NOCASE, 'B'), max('a', 'B'), min('B', 'a' COLLATE NOCASE)",
  "SELECT max(nc, b), min(nc, b), max(b, nc), min(b, nc), max(b, nc COLLATE BINARY) FROM t",
  "SELECT nullif(nc, upper(nc)), nullif(b, upper(b)), nullif(upper(b), b COLLATE NOCASE) FROM t",
  "SELECT max(rt, 'x'), min(rt, 'x'), nullif(rt, 'x'), nullif('x', rt) FROM t",
  "SELECT max(1, 'a' COLLATE NOCASE, 2.5), min(x'00', 'a' COLLATE NOCASE, NULL)",
];

for (const sql of queries) {
  it(sql, () => {
    const { sqlite, tessera } = oracle.run(sql);
    expect("error" in sqlite).toBe(false);
    expect(show(tessera)).toBe(show(sqlite));
  });
}
