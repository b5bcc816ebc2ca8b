// Result checking: the three sort modes (strcmp order, rows compared column by
// column) and MD5 hashing of printed values.
import { describe, expect, it } from "vitest";
import { expectedHash, hashLine, hashValues, sortValues } from "./slt/result.js";

describe("sorting printed values", () => {
  it("nosort keeps the engine's order", () => {
    expect(sortValues(["3", "1", "2"], 1, "nosort")).toEqual(["3", "1", "2"]);
  });

  it("valuesort sorts every value on its own, as strings (strcmp), not as numbers", () => {
    expect(sortValues(["10", "9", "-1", "NULL", "1"], 2, "valuesort")).toEqual(["-1", "1", "10", "9", "NULL"]);
  });

  it("rowsort of a single column sorts like valuesort", () => {
    expect(sortValues(["b", "10", "9", "a"], 1, "rowsort")).toEqual(["10", "9", "a", "b"]);
  });

  it("rowsort compares rows column by column, which differs from comparing joined rows", () => {
    // Joined without a separator the rows would sort as "ab", "abc", "azz" instead.
    const values = ["ab", "c", "a", "zz", "a", "b"];
    expect(sortValues(values, 2, "rowsort")).toEqual(["a", "b", "a", "zz", "ab", "c"]);
  });

  it("orders by byte value: uppercase and '@' before lowercase, '(empty)' before digits", () => {
    expect(sortValues(["b", "B", "@", "1", "(empty)"], 1, "valuesort")).toEqual(["(empty)", "1", "@", "B", "b"]);
  });
});

describe("hashing", () => {
  it("hashes every value followed by a newline", () => {
    // md5("a\n") and md5("") are well-known digests.
    expect(hashValues(["a"])).toBe("60b725f10c9c85c70d97880dfe8191b3");
    expect(hashValues([])).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(hashValues(["a", "b"])).not.toBe(hashValues(["ab"]));
  });

  it("prints the hash line with the value count", () => {
    expect(hashLine(1, hashValues(["a"]))).toBe("1 values hashing to 60b725f10c9c85c70d97880dfe8191b3");
  });

  it("gives a label the same hash from an expected list of values or from its hash line", () => {
    const values = ["1", "2", "3"];
    expect(expectedHash({ kind: "values", values })).toBe(hashValues(values));
    expect(expectedHash({ kind: "hash", count: 3, md5: hashValues(values) })).toBe(hashValues(values));
  });

});
