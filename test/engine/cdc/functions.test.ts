// Turso's CDC decoding functions: table_columns_json_array and
// bin_record_json_object, on their own and over the CDC table.
import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../../src/engine/btree/index.js";
import { decodeChangeRecord } from "../../../src/engine/cdc/functions.js";
import { Database, IntegralReal } from "../../../src/engine/index.js";
import { blobToHex } from "../../../src/engine/value/text.js";

function scalar(db: Database, sql: string): unknown {
  return db.prepare(sql).pluck().get();
}

describe("table_columns_json_array", () => {
  it("lists the columns of a table as they are now (Turso's test_cdc_table_columns)", () => {
    const db = new Database();
    db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b, c UNIQUE)");
    expect(scalar(db, "SELECT table_columns_json_array('t')")).toBe('["a","b","c"]');
    db.exec("ALTER TABLE t DROP COLUMN b");
    expect(scalar(db, "SELECT table_columns_json_array('t')")).toBe('["a","c"]');
  });

  it("escapes names as JSON strings and finds tables case-insensitively", () => {
    const db = new Database();
    db.exec('CREATE TABLE "Odd" ("say ""hi""", [a\\b])');
    expect(scalar(db, "SELECT table_columns_json_array('odd')")).toBe('["say \\"hi\\"","a\\\\b"]');
  });

  it("fails as Turso does for a missing table or a non-text argument", () => {
    const db = new Database();
    expect(() => scalar(db, "SELECT table_columns_json_array('nope')")).toThrow("table_columns_json_array: table nope doesn't exists");
    expect(() => scalar(db, "SELECT table_columns_json_array(1)")).toThrow("table_columns_json_array: function argument must be of type TEXT");
    expect(() => scalar(db, "SELECT table_columns_json_array()")).toThrow(/wrong number of arguments/);
  });
});

describe("bin_record_json_object", () => {
  it("decodes a record against column names (Turso's test_cdc_bin_record)", () => {
    const db = new Database();
    const hex = blobToHex(encodeRecord([null, 1, 1.61803, "hello"]));
    expect(scalar(db, `SELECT bin_record_json_object('["a","b","c","d"]', X'${hex}')`)).toBe('{"a":null,"b":1,"c":1.61803,"d":"hello"}');
  });

  it("keeps integral reals as reals, big integers exact, and ignores extra record columns", () => {
    const db = new Database();
    const hex = blobToHex(encodeRecord([new IntegralReal(2), 9007199254740993n, "x\n\"y\"", 5]));
    expect(scalar(db, `SELECT bin_record_json_object('["r","big","s"]', X'${hex}')`)).toBe('{"r":2.0,"big":9007199254740993,"s":"x\\n\\"y\\""}');
  });

  it("returns NULL for a NULL record and fails as Turso does on bad input", () => {
    const db = new Database();
    expect(scalar(db, `SELECT bin_record_json_object('["a"]', NULL)`)).toBeNull();
    expect(() => scalar(db, `SELECT bin_record_json_object('["a"]', 'x')`)).toThrow("bin_record_json_object: function arguments must be of type TEXT and BLOB correspondingly");
    const one = blobToHex(encodeRecord([1]));
    expect(() => scalar(db, `SELECT bin_record_json_object('["a","b"]', X'${one}')`)).toThrow(/fewer columns than specified/);
    const blob = blobToHex(encodeRecord([new Uint8Array([1])]));
    expect(() => scalar(db, `SELECT bin_record_json_object('["a"]', X'${blob}')`)).toThrow("bin_record_json_object: BLOB values stored in binary record is not supported");
    expect(() => scalar(db, `SELECT bin_record_json_object('not json', X'${one}')`)).toThrow(/JSON array of column names/);
  });

  it("decodes the CDC table's images with the table's columns", () => {
    const db = new Database();
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER)");
    db.exec("PRAGMA capture_data_changes_conn('full')");
    db.exec("INSERT INTO users (id, name, age) VALUES (101, 'alice', 30)");
    db.exec("UPDATE users SET name = 'bob', age = 31 WHERE id = 101");
    db.exec("DELETE FROM users WHERE id = 101");
    const rows = db
      .prepare(
        "SELECT change_type, bin_record_json_object(table_columns_json_array(table_name), before), bin_record_json_object(table_columns_json_array(table_name), after) FROM turso_cdc WHERE table_name = 'users' ORDER BY change_id",
      )
      .raw()
      .all();
    expect(rows).toEqual([
      [1, null, '{"id":101,"name":"alice","age":30}'],
      [0, '{"id":101,"name":"alice","age":30}', '{"id":101,"name":"bob","age":31}'],
      [-1, '{"id":101,"name":"bob","age":31}', null],
    ]);
  });
});

describe("decodeChangeRecord", () => {
  it("decodes BLOBs too, and reads missing columns as NULL", () => {
    expect(decodeChangeRecord(["a", "b", "c"], encodeRecord([new Uint8Array([7]), "t"]))).toEqual({ a: new Uint8Array([7]), b: "t", c: null });
  });
});
