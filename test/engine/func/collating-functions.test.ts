// The built-in functions that compare their arguments — multi-argument min()
// and max(), and nullif() — use the collation of the first argument that has
// one (an explicit COLLATE or a column's declared collation), as SQLite's
// NEEDCOLL functions do; checked against sql.js.
import { itMatchesSqlite } from "../executor/oracle.js";

const queries = [
  "SELECT max('a' COLLATE NOCASE, 'B'), min('a' COLLATE NOCASE, 'B'), max('a', 'B'), min('B', 'a' COLLATE NOCASE)",
  "SELECT max(nc, b), min(nc, b), max(b, nc), min(b, nc), max(b, nc COLLATE BINARY) FROM t",
  "SELECT nullif(nc, upper(nc)), nullif(b, upper(b)), nullif(upper(b), b COLLATE NOCASE) FROM t",
  "SELECT max(rt, 'x'), min(rt, 'x'), nullif(rt, 'x'), nullif('x', rt) FROM t",
  "SELECT max(1, 'a' COLLATE NOCASE, 2.5), min(x'00', 'a' COLLATE NOCASE, NULL)",
];

itMatchesSqlite(`
  CREATE TABLE t (nc TEXT COLLATE NOCASE, rt TEXT COLLATE RTRIM, b TEXT);
  INSERT INTO t VALUES ('a', 'x  ', 'B'), ('B', 'x', 'a'), ('c', 'Y', 'C'), (NULL, 'z', 'z');
`, queries);
