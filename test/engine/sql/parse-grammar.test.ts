// Table-driven grammar tests: representative inputs for each grammar item
// with the AST shape they must produce, plus literal values, parameter
// numbering, positions, and acceptance of a broad valid-statement list
// (cross-checked against sql.js: SQLite must not see a syntax error either).

import { describe, expect, test } from "vitest";
import type { Expr, Select, SelectCore, Statement } from "../../../src/engine/sql/ast.js";
import { parseExpression, parseStatement, parseStatementInfo } from "../../../src/engine/sql/parse.js";
import { IntegralReal } from "../../../src/engine/value/types.js";
import { isSyntaxMessage, sqlitePrepareError } from "./sqljs-oracle.js";
import { LIBSQL_ONLY, VALID } from "./valid-cases.js";

const col = (name: string) => ({ kind: "ColumnRef", schema: null, table: null, column: { name } });
const num = (value: number) => ({ kind: "NumberLiteral", value });
const str = (value: string) => ({ kind: "StringLiteral", value });

function core(sql: string): SelectCore {
  const s = parseStatement(sql) as Select;
  expect(s.kind).toBe("Select");
  expect(s.body.kind).toBe("SelectCore");
  return s.body as SelectCore;
}

describe("expressions", () => {
  const cases: [string, object][] = [
    ["1 + 2 * 3", { kind: "BinaryExpr", op: "+", left: num(1), right: { op: "*", left: num(2), right: num(3) } }],
    ["1 - 2 - 3", { op: "-", left: { op: "-", left: num(1), right: num(2) }, right: num(3) }],
    ["a OR b AND c", { op: "OR", left: col("a"), right: { op: "AND" } }],
    ["NOT a = b", { kind: "UnaryExpr", op: "NOT", operand: { op: "=", left: col("a"), right: col("b") } }],
    ["NOT a AND b", { op: "AND", left: { kind: "UnaryExpr", op: "NOT" }, right: col("b") }],
    ["-a * b", { op: "*", left: { kind: "UnaryExpr", op: "-", operand: col("a") } }],
    ["~a", { kind: "UnaryExpr", op: "~", operand: col("a") }],
    ["+a", { kind: "UnaryExpr", op: "+", operand: col("a") }],
    ["a < b = c", { op: "=", left: { op: "<" }, right: col("c") }],
    ["a == b", { op: "=" }],
    ["a <> b", { op: "!=" }],
    ["a & b | c << 1 >> 2", { op: ">>", left: { op: "<<", left: { op: "|", left: { op: "&" } } } }],
    ["a + b || c", { op: "+", right: { op: "||" } }],
    ["a -> '$.x' ->> 'y'", { op: "->>", left: { op: "->" } }],
    ["a % b / c", { op: "/", left: { op: "%" } }],
    ["a IS NULL", { kind: "BinaryExpr", op: "IS", right: { kind: "NullLiteral" } }],
    ["a IS NOT b", { op: "IS NOT" }],
    ["a IS DISTINCT FROM b", { op: "IS NOT" }],
    ["a IS NOT DISTINCT FROM b", { op: "IS" }],
    ["a ISNULL", { kind: "IsNullExpr", not: false, expr: col("a") }],
    ["a NOTNULL", { kind: "IsNullExpr", not: true }],
    ["a NOT NULL", { kind: "IsNullExpr", not: true }],
    ["a BETWEEN 1 AND 2", { kind: "BetweenExpr", not: false, expr: col("a"), low: num(1), high: num(2) }],
    ["a NOT BETWEEN 1 AND 2 AND b", { op: "AND", left: { kind: "BetweenExpr", not: true } }],
    ["a BETWEEN 1 = 1 AND 2", { kind: "BetweenExpr", low: { op: "=" }, high: num(2) }],
    ["a IN (1, 2)", { kind: "InListExpr", not: false, items: [num(1), num(2)] }],
    ["a NOT IN ()", { kind: "InListExpr", not: true, items: [] }],
    ["a IN (SELECT 1)", { kind: "InSelectExpr", select: { kind: "Select" } }],
    ["a IN main.t", { kind: "InTableExpr", schema: { name: "main" }, table: { name: "t" }, args: null }],
    ["a IN json_each('[1]')", { kind: "InTableExpr", table: { name: "json_each" }, args: [str("[1]")] }],
    ["a LIKE 'x' ESCAPE '!'", { kind: "LikeExpr", op: "LIKE", not: false, right: str("x"), escape: str("!") }],
    ["a NOT GLOB 'x'", { kind: "LikeExpr", op: "GLOB", not: true, escape: null }],
    ["a REGEXP 'x'", { kind: "LikeExpr", op: "REGEXP" }],
    ["a NOT MATCH 'x'", { kind: "LikeExpr", op: "MATCH", not: true }],
    ["a LIKE b < c", { kind: "LikeExpr", right: { op: "<" } }],
    ["CAST(a AS VARCHAR(10))", { kind: "CastExpr", expr: col("a"), type: { name: "VARCHAR", args: ["10"] } }],
    ["CAST(a AS DECIMAL(10, -2))", { type: { name: "DECIMAL", args: ["10", "-2"] } }],
    ["CAST(a AS UNSIGNED BIG INT)", { type: { name: "UNSIGNED BIG INT", args: [] } }],
    ["CAST(a AS)", { kind: "CastExpr", type: { name: "" } }],
    ["CASE a WHEN 1 THEN 'x' ELSE 'y' END", { kind: "CaseExpr", base: col("a"), whens: [{ when: num(1), then: str("x") }], else: str("y") }],
    ["CASE WHEN a THEN 1 WHEN b THEN 2 END", { kind: "CaseExpr", base: null, whens: [{}, {}], else: null }],
    ["a COLLATE nocase", { kind: "CollateExpr", expr: col("a"), collation: { name: "nocase" } }],
    ["-a COLLATE nocase", { kind: "CollateExpr", expr: { kind: "UnaryExpr" } }],
    ["a || b COLLATE x", { op: "||", right: { kind: "CollateExpr" } }],
    ["EXISTS (SELECT 1)", { kind: "ExistsExpr", select: { kind: "Select" } }],
    ["NOT EXISTS (SELECT 1)", { kind: "UnaryExpr", op: "NOT", operand: { kind: "ExistsExpr" } }],
    ["(SELECT 1)", { kind: "SubqueryExpr" }],
    ["(1, 2)", { kind: "RowValue", items: [num(1), num(2)] }],
    ["(1)", num(1)],
    ["RAISE(IGNORE)", { kind: "RaiseExpr", action: "IGNORE", message: null }],
    ["RAISE(ABORT, 'msg')", { kind: "RaiseExpr", action: "ABORT", message: str("msg") }],
    ["count(*)", { kind: "FunctionCall", name: { name: "count" }, star: true, args: [], distinct: false }],
    ["count(DISTINCT a)", { kind: "FunctionCall", distinct: true, args: [col("a")] }],
    ["group_concat(a, ',' ORDER BY b DESC)", { args: [col("a"), str(",")], orderBy: [{ expr: col("b"), direction: "DESC" }] }],
    ["sum(a) FILTER (WHERE a > 1)", { kind: "FunctionCall", filter: { op: ">" }, over: null }],
    ["sum(a) OVER w", { over: { kind: "Ident", name: "w" } }],
    [
      "sum(a) OVER (b PARTITION BY c ORDER BY d ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES)",
      {
        over: {
          kind: "WindowDef",
          base: { name: "b" },
          partitionBy: [col("c")],
          orderBy: [{ expr: col("d") }],
          frame: {
            unit: "ROWS",
            startBound: { type: "PRECEDING", offset: num(2) },
            endBound: { type: "UNBOUNDED FOLLOWING", offset: null },
            exclude: "TIES",
          },
        },
      },
    ],
    [
      "rank() OVER (RANGE UNBOUNDED PRECEDING)",
      { over: { base: null, frame: { unit: "RANGE", startBound: { type: "UNBOUNDED PRECEDING" }, endBound: { type: "CURRENT ROW" }, exclude: null } } },
    ],
    [
      "rank() OVER (GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE NO OTHERS)",
      { over: { frame: { unit: "GROUPS", startBound: { type: "CURRENT ROW" }, endBound: { type: "FOLLOWING" }, exclude: "NO OTHERS" } } },
    ],
    ["t.a", { kind: "ColumnRef", schema: null, table: { name: "t" }, column: { name: "a" } }],
    ["main.t.a", { kind: "ColumnRef", schema: { name: "main" }, table: { name: "t" }, column: { name: "a" } }],
    ['"a"', { kind: "ColumnRef", column: { name: "a", quote: "double" } }],
    ["[a b]", { column: { name: "a b", quote: "bracket" } }],
    ["`a``b`", { column: { name: "a`b", quote: "backtick" } }],
    ['"a""b"', { column: { name: 'a"b', quote: "double" } }],
    ["replace(a, 'x', 'y')", { kind: "FunctionCall", name: { name: "replace" } }],
    ["left(a)", { kind: "FunctionCall", name: { name: "left" } }],
    ["true", col("true")],
    ["CURRENT_TIMESTAMP", { kind: "CurrentTimeLiteral", which: "CURRENT_TIMESTAMP" }],
    ["NULL", { kind: "NullLiteral" }],
  ];
  test.each(cases)("%s", (sql, shape) => {
    expect(parseExpression(sql)).toMatchObject(shape);
  });
});

describe("literals", () => {
  const value = (sql: string) => (parseExpression(sql) as Expr & { value: unknown }).value;
  test("integers are canonical INTEGER values", () => {
    expect(parseExpression("42")).toMatchObject({ kind: "NumberLiteral", raw: "42", value: 42, isInteger: true });
    expect(value("9007199254740991")).toBe(9007199254740991);
    expect(value("9007199254740992")).toBe(9007199254740992n);
    expect(value("9223372036854775807")).toBe(9223372036854775807n);
  });
  test("integers beyond int64 are REAL", () => {
    expect(parseExpression("9223372036854775808")).toMatchObject({ value: 9223372036854775808, isInteger: false });
    expect(parseExpression("99999999999999999999999")).toMatchObject({ value: 1e23, isInteger: false });
  });
  test("hex literals are 64-bit two's complement", () => {
    expect(value("0x1F")).toBe(31);
    expect(value("0X00000000000000001F")).toBe(31);
    expect(value("0xFFFFFFFFFFFFFFFF")).toBe(-1);
    expect(value("0x7FFFFFFFFFFFFFFF")).toBe(9223372036854775807n);
    expect(value("0x8000000000000000")).toBe(-9223372036854775808n);
    expect(() => parseExpression("0x10000000000000000")).toThrow("hex literal too big: 0x10000000000000000");
  });
  test("reals keep REAL class, integral ones boxed", () => {
    expect(value("1.5")).toBe(1.5);
    expect(value(".5")).toBe(0.5);
    expect(value("1.")).toEqual(new IntegralReal(1));
    expect(value("1e5")).toEqual(new IntegralReal(100000));
    expect(value("2.5E-3")).toBe(0.0025);
    expect(value("1e999")).toBe(Infinity);
    expect(parseExpression("1e5")).toMatchObject({ raw: "1e5", isInteger: false });
  });
  test("digit separators (SQLite 3.46+) are accepted between digits", () => {
    expect(parseExpression("1_000")).toMatchObject({ raw: "1_000", value: 1000, isInteger: true });
    expect(value("0x1_F")).toBe(31);
    expect(value("1.5_5")).toBe(1.55);
    expect(value("1e1_0")).toEqual(new IntegralReal(1e10));
  });
  test("strings are unescaped, blobs decoded", () => {
    expect(value("'it''s'")).toBe("it's");
    expect(value("''")).toBe("");
    expect(value("x'00fF10'")).toEqual(new Uint8Array([0, 255, 16]));
    expect(value("X''")).toEqual(new Uint8Array([]));
  });
});

describe("bind parameters follow SQLite's numbering", () => {
  test("?, ?NNN and named parameters", () => {
    const info = parseStatementInfo("SELECT ?, ?5, ?, :a, @b, :a, $c, ?2, #d, $e::f(g)");
    const params: { name: string | null; index: number }[] = [];
    const walk = (e: Expr) => {
      if (e.kind === "Param") params.push({ name: e.name, index: e.index });
    };
    for (const c of (info.statement as Select).body.kind === "SelectCore" ? ((info.statement as Select).body as SelectCore).columns : []) {
      if (c.kind === "ResultExpr") walk(c.expr);
    }
    expect(params).toEqual([
      { name: null, index: 1 },
      { name: "?5", index: 5 },
      { name: null, index: 6 },
      { name: ":a", index: 7 },
      { name: "@b", index: 8 },
      { name: ":a", index: 7 },
      { name: "$c", index: 9 },
      { name: "?2", index: 2 },
      { name: "#d", index: 10 },
      { name: "$e::f(g)", index: 11 },
    ]);
    expect(info.parameters).toEqual({
      count: 11,
      names: [null, "?2", null, null, "?5", null, ":a", "@b", "$c", "#d", "$e::f(g)"],
    });
  });
});

describe("SELECT", () => {
  test("result columns, aliases and stars", () => {
    const c = core("SELECT *, t.*, a + 1, b AS x, c y, d 'z' FROM t");
    expect(c.columns).toMatchObject([
      { kind: "ResultStar" },
      { kind: "ResultTableStar", table: { name: "t" } },
      { kind: "ResultExpr", expr: { op: "+" }, alias: null },
      { kind: "ResultExpr", alias: { name: "x" } },
      { kind: "ResultExpr", alias: { name: "y" } },
      { kind: "ResultExpr", alias: { name: "z", quote: "single" } },
    ]);
  });
  test("DISTINCT / ALL", () => {
    expect(core("SELECT DISTINCT a FROM t").distinct).toBe("DISTINCT");
    expect(core("SELECT ALL a FROM t").distinct).toBe("ALL");
    expect(core("SELECT a FROM t").distinct).toBe(null);
  });
  test("WHERE, GROUP BY, HAVING, WINDOW", () => {
    const c = core("SELECT a FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 WINDOW w AS (PARTITION BY a), v AS (w)");
    expect(c).toMatchObject({
      where: { op: ">" },
      groupBy: [col("a"), col("b")],
      having: { op: ">" },
      windows: [{ name: { name: "w" }, window: { partitionBy: [col("a")] } }, { name: { name: "v" }, window: { base: { name: "w" } } }],
    });
  });
  test("ORDER BY and LIMIT forms", () => {
    expect(parseStatement("SELECT a FROM t ORDER BY a COLLATE nocase DESC NULLS LAST, b NULLS FIRST LIMIT 5 OFFSET 2")).toMatchObject({
      orderBy: [
        { expr: { kind: "CollateExpr" }, direction: "DESC", nulls: "LAST" },
        { expr: col("b"), direction: null, nulls: "FIRST" },
      ],
      limit: { limit: num(5), offset: num(2), commaForm: false },
    });
    expect(parseStatement("SELECT a FROM t LIMIT 2, 5")).toMatchObject({ limit: { limit: num(5), offset: num(2), commaForm: true } });
  });
  test("compounds are left-deep and carry ORDER BY on the whole", () => {
    const s = parseStatement("SELECT 1 UNION ALL SELECT 2 EXCEPT VALUES (3) INTERSECT SELECT 4 UNION SELECT 5 ORDER BY 1") as Select;
    expect(s.body).toMatchObject({
      kind: "CompoundSelect",
      op: "UNION",
      left: { op: "INTERSECT", left: { op: "EXCEPT", left: { op: "UNION ALL" }, right: { kind: "ValuesClause" } } },
      right: { kind: "SelectCore" },
    });
    expect(s.orderBy).toHaveLength(1);
  });
  test("VALUES", () => {
    expect(parseStatement("VALUES (1, 2), (3, 4)")).toMatchObject({ body: { kind: "ValuesClause", rows: [[num(1), num(2)], [num(3), num(4)]] } });
  });
  test("WITH RECURSIVE and MATERIALIZED hints", () => {
    expect(parseStatement("WITH RECURSIVE c(x, y) AS (SELECT 1, 2), d AS MATERIALIZED (SELECT 1), e AS NOT MATERIALIZED (SELECT 2) SELECT * FROM c")).toMatchObject({
      with: {
        recursive: true,
        ctes: [
          { name: { name: "c" }, columns: [{ name: "x" }, { name: "y" }], materialized: null },
          { name: { name: "d" }, columns: null, materialized: true },
          { name: { name: "e" }, materialized: false },
        ],
      },
    });
  });
  test("joins", () => {
    const c = core("SELECT * FROM t, u AS v JOIN w ON 1 LEFT OUTER JOIN x USING (a, b) NATURAL RIGHT JOIN y CROSS JOIN z FULL JOIN q ON 1");
    expect(c.from).toMatchObject({
      kind: "Join",
      type: "FULL",
      right: { name: { name: "q" } },
      on: num(1),
      left: {
        type: "CROSS",
        left: {
          type: "RIGHT",
          natural: true,
          left: {
            type: "LEFT",
            using: [{ name: "a" }, { name: "b" }],
            left: { type: "INNER", on: num(1), left: { type: ",", left: { name: { name: "t" } }, right: { alias: { name: "v" } } } },
          },
        },
      },
    });
  });
  test("table sources: schema, index hints, table-valued functions, subqueries, parenthesized joins", () => {
    const c = core("SELECT * FROM main.t INDEXED BY i, u NOT INDEXED, json_each('[1]') AS j, (SELECT 1) s, (a JOIN b), (c JOIN d) AS cd");
    const items: unknown[] = [];
    let f = c.from;
    while (f?.kind === "Join") {
      items.unshift(f.right);
      f = f.left;
    }
    items.unshift(f);
    expect(items).toMatchObject([
      { kind: "TableRef", schema: { name: "main" }, name: { name: "t" }, indexHint: { kind: "IndexedBy", name: { name: "i" } } },
      { kind: "TableRef", indexHint: { kind: "NotIndexed" } },
      { kind: "TableFunctionRef", name: { name: "json_each" }, args: [str("[1]")], alias: { name: "j" } },
      { kind: "SubqueryRef", alias: { name: "s" } },
      { kind: "Join", type: "INNER" },
      { kind: "SubqueryRef", alias: { name: "cd" }, select: { body: { columns: [{ kind: "ResultStar" }], from: { kind: "Join" } } } },
    ]);
  });
});

describe("INSERT / UPDATE / DELETE", () => {
  test("INSERT with columns, alias, upserts and RETURNING", () => {
    expect(
      parseStatement(
        "INSERT OR IGNORE INTO main.t AS x (a, b) VALUES (1, 2) ON CONFLICT (a COLLATE nocase DESC) WHERE a > 0 DO UPDATE SET b = excluded.b, (a, b) = (1, 2) WHERE b IS NULL ON CONFLICT DO NOTHING RETURNING *, a AS z",
      ),
    ).toMatchObject({
      kind: "Insert",
      verb: "INSERT",
      orConflict: "IGNORE",
      schema: { name: "main" },
      table: { name: "t" },
      alias: { name: "x" },
      columns: [{ name: "a" }, { name: "b" }],
      source: { kind: "Select", body: { kind: "ValuesClause" } },
      upserts: [
        {
          target: [{ expr: { kind: "CollateExpr" }, direction: "DESC" }],
          targetWhere: { op: ">" },
          doUpdate: {
            set: [
              { columns: [{ name: "b" }], parenthesized: false, value: { table: { name: "excluded" } } },
              { columns: [{ name: "a" }, { name: "b" }], parenthesized: true, value: { kind: "RowValue" } },
            ],
            where: { op: "IS" },
          },
        },
        { target: null, targetWhere: null, doUpdate: null },
      ],
      returning: [{ kind: "ResultStar" }, { kind: "ResultExpr", alias: { name: "z" } }],
    });
  });
  test("REPLACE, DEFAULT VALUES, INSERT ... SELECT", () => {
    expect(parseStatement("REPLACE INTO t VALUES (1)")).toMatchObject({ verb: "REPLACE", orConflict: null });
    expect(parseStatement("INSERT INTO t DEFAULT VALUES")).toMatchObject({ source: { kind: "DefaultValues" }, columns: null });
    expect(parseStatement("WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s")).toMatchObject({ with: { ctes: [{}] }, source: { body: { from: { name: { name: "s" } } } } });
    for (const action of ["ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE"]) {
      expect(parseStatement(`INSERT OR ${action} INTO t VALUES (1)`)).toMatchObject({ orConflict: action });
    }
  });
  test("UPDATE with FROM, ORDER BY / LIMIT, RETURNING", () => {
    expect(parseStatement("UPDATE OR FAIL t AS x INDEXED BY i SET a = 1, (b, c) = (SELECT 1, 2) FROM u WHERE x.a = u.a ORDER BY a LIMIT 1 RETURNING a")).toMatchObject({
      kind: "Update",
      orConflict: "FAIL",
      table: { name: { name: "t" }, alias: { name: "x" }, indexHint: { kind: "IndexedBy" } },
      set: [{ columns: [{ name: "a" }] }, { columns: [{ name: "b" }, { name: "c" }], value: { kind: "SubqueryExpr" } }],
      from: { name: { name: "u" } },
      where: { op: "=" },
      orderBy: [{ expr: col("a") }],
      limit: { limit: num(1) },
      returning: [{ expr: col("a") }],
    });
  });
  test("DELETE", () => {
    expect(parseStatement("DELETE FROM main.t NOT INDEXED WHERE a = 1 RETURNING a")).toMatchObject({
      kind: "Delete",
      table: { schema: { name: "main" }, name: { name: "t" }, alias: null, indexHint: { kind: "NotIndexed" } },
      where: { op: "=" },
      returning: [{}],
    });
  });
});

describe("CREATE TABLE", () => {
  test("column constraints", () => {
    const s = parseStatement(
      "CREATE TEMP TABLE IF NOT EXISTS main.t (" +
        "a INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT, " +
        "b VARCHAR(10) NOT NULL ON CONFLICT FAIL UNIQUE CHECK (b <> '') DEFAULT 'x' COLLATE nocase, " +
        "c REFERENCES u(a) ON DELETE CASCADE ON UPDATE SET NULL MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED, " +
        "d GENERATED ALWAYS AS (a * 2) STORED, e AS (a + 1), f NULL)",
    );
    expect(s).toMatchObject({
      kind: "CreateTable",
      temp: true,
      ifNotExists: true,
      schema: { name: "main" },
      name: { name: "t" },
      columns: [
        {
          name: { name: "a" },
          type: { name: "INTEGER", args: [] },
          constraints: [{ kind: "PrimaryKeyColumnConstraint", name: { name: "pk" }, direction: "DESC", onConflict: "REPLACE", autoincrement: true }],
        },
        {
          type: { name: "VARCHAR", args: ["10"] },
          constraints: [
            { kind: "NotNullColumnConstraint", name: null, onConflict: "FAIL" },
            { kind: "UniqueColumnConstraint", onConflict: null },
            { kind: "CheckConstraint", expr: { op: "!=" } },
            { kind: "DefaultColumnConstraint", expr: str("x"), parenthesized: false },
            { kind: "CollateColumnConstraint", collation: { name: "nocase" } },
          ],
        },
        {
          type: null,
          constraints: [
            {
              kind: "ReferencesColumnConstraint",
              foreignKey: {
                table: { name: "u" },
                columns: [{ name: "a" }],
                onDelete: "CASCADE",
                onUpdate: "SET NULL",
                match: { name: "SIMPLE" },
                deferrable: { not: false, initially: "DEFERRED" },
              },
            },
          ],
        },
        { constraints: [{ kind: "GeneratedColumnConstraint", expr: { op: "*" }, storage: "STORED" }] },
        { constraints: [{ kind: "GeneratedColumnConstraint", storage: null }] },
        { constraints: [{ kind: "NullColumnConstraint" }] },
      ],
      withoutRowid: false,
      strict: false,
      asSelect: null,
    });
  });
  test("DEFAULT forms", () => {
    const s = parseStatement("CREATE TABLE t (a DEFAULT -1, b DEFAULT +2.5, c DEFAULT (1 + 2), d DEFAULT CURRENT_DATE, e DEFAULT abc, f DEFAULT x'01', g DEFAULT NULL)");
    const defaults = (s.kind === "CreateTable" ? s.columns : []).map((c) => c.constraints[0]);
    expect(defaults).toMatchObject([
      { expr: { kind: "UnaryExpr", op: "-", operand: num(1) }, parenthesized: false },
      { expr: { kind: "UnaryExpr", op: "+", operand: num(2.5) } },
      { expr: { op: "+" }, parenthesized: true },
      { expr: { kind: "CurrentTimeLiteral", which: "CURRENT_DATE" } },
      { expr: col("abc") },
      { expr: { kind: "BlobLiteral" } },
      { expr: { kind: "NullLiteral" } },
    ]);
  });
  test("table constraints and options", () => {
    expect(
      parseStatement(
        "CREATE TABLE t (a, b, c, CONSTRAINT pk PRIMARY KEY (a, b DESC) ON CONFLICT ABORT, UNIQUE (c COLLATE nocase) CHECK (a > 0) FOREIGN KEY (c) REFERENCES u (x) ON DELETE RESTRICT NOT DEFERRABLE) WITHOUT ROWID, STRICT",
      ),
    ).toMatchObject({
      constraints: [
        { kind: "PrimaryKeyTableConstraint", name: { name: "pk" }, columns: [{ expr: col("a") }, { direction: "DESC" }], onConflict: "ABORT", autoincrement: false },
        { kind: "UniqueTableConstraint", name: null, columns: [{ expr: { kind: "CollateExpr" } }] },
        { kind: "CheckConstraint", expr: { op: ">" } },
        { kind: "ForeignKeyTableConstraint", columns: [{ name: "c" }], foreignKey: { table: { name: "u" }, onDelete: "RESTRICT", deferrable: { not: true, initially: null } } },
      ],
      withoutRowid: true,
      strict: true,
    });
    expect(parseStatement("CREATE TABLE t (a INTEGER, PRIMARY KEY (a AUTOINCREMENT))")).toMatchObject({ constraints: [{ autoincrement: true }] });
  });
  test("AS SELECT", () => {
    expect(parseStatement("CREATE TABLE t AS SELECT 1 AS a")).toMatchObject({ columns: [], asSelect: { kind: "Select" } });
  });
});

describe("other DDL", () => {
  const cases: [string, object][] = [
    [
      "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (a COLLATE nocase DESC, b + 1) WHERE a > 0",
      { kind: "CreateIndex", unique: true, ifNotExists: true, schema: { name: "main" }, name: { name: "i" }, table: { name: "t" }, columns: [{ direction: "DESC" }, { expr: { op: "+" } }], where: { op: ">" } },
    ],
    ["CREATE TEMP VIEW IF NOT EXISTS v (x, y) AS SELECT 1, 2", { kind: "CreateView", temp: true, ifNotExists: true, columns: [{ name: "x" }, { name: "y" }], select: { kind: "Select" } }],
    [
      "CREATE TRIGGER IF NOT EXISTS tr INSTEAD OF UPDATE OF a, b ON v FOR EACH ROW WHEN new.a > 0 BEGIN INSERT INTO t VALUES (new.a); UPDATE t SET a = 1; DELETE FROM t; SELECT RAISE(IGNORE); END",
      {
        kind: "CreateTrigger",
        ifNotExists: true,
        timing: "INSTEAD OF",
        event: "UPDATE",
        updateOf: [{ name: "a" }, { name: "b" }],
        table: { name: "v" },
        forEachRow: true,
        when: { op: ">" },
        body: [{ kind: "Insert" }, { kind: "Update" }, { kind: "Delete" }, { kind: "Select" }],
      },
    ],
    ["CREATE TEMP TRIGGER tr DELETE ON t BEGIN SELECT 1; END", { kind: "CreateTrigger", temp: true, timing: null, event: "DELETE", tableSchema: null, forEachRow: false, when: null }],
    ["CREATE TRIGGER main.tr AFTER INSERT ON main.t BEGIN SELECT 1; END", { schema: { name: "main" }, name: { name: "tr" }, tableSchema: { name: "main" }, table: { name: "t" } }],
    [
      "CREATE VIRTUAL TABLE IF NOT EXISTS v USING fts5(a, b UNINDEXED, tokenize = 'porter ascii', x(y, z))",
      { kind: "CreateVirtualTable", ifNotExists: true, module: { name: "fts5" }, args: ["a", "b UNINDEXED", "tokenize = 'porter ascii'", "x(y, z)"] },
    ],
    ["CREATE VIRTUAL TABLE v USING m", { args: [] }],
    ["ALTER TABLE main.t RENAME TO u", { kind: "AlterTable", schema: { name: "main" }, table: { name: "t" }, action: { kind: "RenameTable", newName: { name: "u" } } }],
    ["ALTER TABLE t RENAME COLUMN a TO b", { action: { kind: "RenameColumn", column: { name: "a" }, newName: { name: "b" } } }],
    ["ALTER TABLE t RENAME a TO b", { action: { kind: "RenameColumn" } }],
    ["ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'x'", { action: { kind: "AddColumn", column: { name: { name: "c" }, type: { name: "TEXT" } } } }],
    ["ALTER TABLE t DROP COLUMN c", { action: { kind: "DropColumn", column: { name: "c" } } }],
    ["ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0) ON CONFLICT FAIL", { action: { kind: "AddConstraint", constraint: { kind: "CheckConstraint", name: { name: "pos" }, expr: { op: ">" } } } }],
    ["ALTER TABLE t ADD CHECK (a > 0)", { action: { kind: "AddConstraint", constraint: { name: null } } }],
    ["ALTER TABLE t DROP CONSTRAINT pos", { action: { kind: "DropConstraint", name: { name: "pos" } } }],
    ["ALTER TABLE t ALTER COLUMN a SET NOT NULL ON CONFLICT IGNORE", { action: { kind: "AlterColumnNotNull", column: { name: "a" }, notNull: true, onConflict: "IGNORE" } }],
    ["ALTER TABLE t ALTER a DROP NOT NULL", { action: { kind: "AlterColumnNotNull", notNull: false, onConflict: null } }],
    ["DROP TABLE IF EXISTS main.t", { kind: "Drop", objectType: "TABLE", ifExists: true, schema: { name: "main" }, name: { name: "t" } }],
    ["DROP INDEX i", { objectType: "INDEX", ifExists: false }],
    ["DROP VIEW v", { objectType: "VIEW" }],
    ["DROP TRIGGER tr", { objectType: "TRIGGER" }],
  ];
  test.each(cases)("%s", (sql, shape) => {
    expect(parseStatement(sql)).toMatchObject(shape);
  });
});

describe("transactions and utility statements", () => {
  const cases: [string, object][] = [
    ["BEGIN", { kind: "Begin", mode: null, readonly: false }],
    ["BEGIN DEFERRED TRANSACTION", { mode: "DEFERRED" }],
    ["BEGIN IMMEDIATE", { mode: "IMMEDIATE" }],
    ["BEGIN EXCLUSIVE TRANSACTION", { mode: "EXCLUSIVE" }],
    ["BEGIN CONCURRENT", { mode: "CONCURRENT" }],
    ["BEGIN TRANSACTION READONLY", { mode: null, readonly: true }],
    ["BEGIN READONLY", { readonly: true }],
    ["BEGIN TRANSACTION tx", { readonly: false }],
    ["COMMIT", { kind: "Commit" }],
    ["END TRANSACTION", { kind: "Commit" }],
    ["ROLLBACK", { kind: "Rollback", savepoint: null }],
    ["ROLLBACK TRANSACTION TO SAVEPOINT sp", { kind: "Rollback", savepoint: { name: "sp" } }],
    ["ROLLBACK TO sp", { savepoint: { name: "sp" } }],
    ["SAVEPOINT sp", { kind: "Savepoint", name: { name: "sp" } }],
    ["RELEASE SAVEPOINT sp", { kind: "Release", name: { name: "sp" } }],
    ["RELEASE sp", { kind: "Release", name: { name: "sp" } }],
    ["PRAGMA foreign_keys", { kind: "Pragma", schema: null, name: { name: "foreign_keys" }, value: null }],
    ["PRAGMA main.cache_size = -2000", { schema: { name: "main" }, value: { kind: "UnaryExpr", op: "-", operand: num(2000) } }],
    ["PRAGMA journal_mode = WAL", { value: { kind: "Ident", name: "WAL" } }],
    ["PRAGMA foreign_keys = ON", { value: { kind: "Ident", name: "ON" } }],
    ["PRAGMA journal_mode = DELETE", { value: { kind: "Ident", name: "DELETE" } }],
    ["PRAGMA secure_delete = FULL", { value: { kind: "Ident", name: "FULL" } }],
    ["PRAGMA table_info('t')", { value: str("t") }],
    ["PRAGMA user_version(+7)", { value: { kind: "UnaryExpr", op: "+" } }],
    ["ATTACH DATABASE 'f.db' AS aux KEY 'k'", { kind: "Attach", file: str("f.db"), schema: col("aux"), key: str("k") }],
    ["ATTACH 'f.db' AS 'aux'", { kind: "Attach", schema: str("aux"), key: null }],
    ["DETACH DATABASE aux", { kind: "Detach", schema: col("aux") }],
    ["ANALYZE", { kind: "Analyze", schema: null, name: null }],
    ["ANALYZE main.t", { kind: "Analyze", schema: { name: "main" }, name: { name: "t" } }],
    ["VACUUM", { kind: "Vacuum", schema: null, into: null }],
    ["VACUUM main INTO 'b.db'", { kind: "Vacuum", schema: { name: "main" }, into: str("b.db") }],
    ["REINDEX nocase", { kind: "Reindex", schema: null, name: { name: "nocase" } }],
    ["EXPLAIN SELECT 1", { kind: "Explain", queryPlan: false, statement: { kind: "Select" } }],
    ["EXPLAIN QUERY PLAN DELETE FROM t", { kind: "Explain", queryPlan: true, statement: { kind: "Delete" } }],
  ];
  test.each(cases)("%s", (sql, shape) => {
    expect(parseStatement(sql)).toMatchObject(shape);
  });
});

describe("keywords as identifiers (SQLite's fallback list)", () => {
  test.each(["key", "offset", "action", "replace", "temp", "rowid", "first", "range", "window", "filter", "over", "if", "do", "end"])("%s as a column name", (kw) => {
    const s = parseStatement(`CREATE TABLE t (${kw} INT)`);
    expect(s).toMatchObject({ columns: [{ name: { name: kw } }] });
    expect(parseStatement(`SELECT ${kw} FROM t`)).toMatchObject({ body: { columns: [{ expr: col(kw) }] } });
  });
  test("join keywords are table names but not bare aliases", () => {
    expect(parseStatement("SELECT * FROM left")).toMatchObject({ body: { from: { name: { name: "left" } } } });
    expect(parseStatement("SELECT * FROM t LEFT JOIN u")).toMatchObject({ body: { from: { kind: "Join", type: "LEFT" } } });
  });
  test("WINDOW is an alias unless a window definition follows", () => {
    expect(parseStatement("SELECT a FROM t window")).toMatchObject({ body: { from: { alias: { name: "window" } } } });
    expect(parseStatement("SELECT a FROM t window w AS (ORDER BY a)")).toMatchObject({ body: { from: { alias: null }, windows: [{}] } });
  });
});

describe("positions", () => {
  test("every statement spans its text without the trailing semicolon", () => {
    const sql = "  CREATE TABLE t (a INT, b TEXT DEFAULT (1 + 2)) ;  ";
    const info = parseStatementInfo(sql);
    expect(info.text).toBe("CREATE TABLE t (a INT, b TEXT DEFAULT (1 + 2))");
    expect(sql.slice(info.statement.start, info.statement.end)).toBe(info.text);
  });
  test("result column expressions slice to SQLite's column names", () => {
    const sql = "SELECT a+1, (a) + 1 ,  count( * ) , - 5 FROM t";
    const c = core(sql);
    const names = c.columns.map((r) => (r.kind === "ResultExpr" ? sql.slice(r.expr.start, r.expr.end) : ""));
    expect(names).toEqual(["a+1", "(a) + 1", "count( * )", "- 5"]);
  });
  test("nested nodes carry exact spans", () => {
    const sql = "SELECT x FROM t WHERE a BETWEEN 1 AND 2";
    const where = core(sql).where!;
    expect(sql.slice(where.start, where.end)).toBe("a BETWEEN 1 AND 2");
    const ct = parseStatement("CREATE TABLE t (a VARCHAR(10) NOT NULL)") as Statement & { kind: "CreateTable" };
    const type = ct.columns[0].type!;
    expect("CREATE TABLE t (a VARCHAR(10) NOT NULL)".slice(type.start, type.end)).toBe("VARCHAR(10)");
  });
});

describe("valid statements: accepted by SQLite and by us", () => {
  test.each(VALID)("%s", async (sql) => {
    const sqliteError = await sqlitePrepareError(sql);
    if (sqliteError !== null) expect(isSyntaxMessage(sqliteError)).toBe(false);
    expect(() => parseStatement(sql)).not.toThrow();
  });
  test.each(LIBSQL_ONLY)("libSQL extension: %s", (sql) => {
    expect(parseStatement(sql).kind).toBe("Begin");
  });
});
