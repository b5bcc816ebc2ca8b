// ntile(N) through the executor, against sql.js: N comes from the partition's
// first row (later rows' arguments are ignored), converted as
// sqlite3_value_int64 does (2.5 and '2' are 2; NULL, 'x', 0.5 and negatives
// are errors).
import { itMatchesSqlite } from "../executor/oracle.js";

const queries = [
  "SELECT k, ntile(g) OVER (ORDER BY k) FROM t",
  "SELECT k, ntile(g) OVER (ORDER BY k DESC) FROM t",
  "SELECT k, ntile(g) OVER (PARTITION BY p ORDER BY k) FROM t",
  "SELECT k, ntile(2.5) OVER (ORDER BY k) FROM t",
  "SELECT k, ntile('3') OVER (ORDER BY k) FROM t",
  "SELECT k, ntile(9223372036854775807) OVER (ORDER BY k) FROM t",
  "SELECT k, ntile(NULL) OVER (ORDER BY k) FROM t",
  "SELECT k, ntile('x') OVER (ORDER BY k) FROM t",
  "SELECT k, ntile(0.5) OVER (ORDER BY k) FROM t",
  "SELECT k, ntile(-1) OVER (ORDER BY k) FROM t",
];

itMatchesSqlite(`
  CREATE TABLE t (k TEXT, g INTEGER, p INTEGER);
  INSERT INTO t VALUES ('a', 1, 1), ('b', 1, 1), ('c', 2, 1), ('d', 3, 2), ('e', 1, 2), ('f', 2, 2), ('g', 4, 2);
`, queries);
