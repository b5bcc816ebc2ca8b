// What the change messages carry, inside workerd: full mode's `updates`,
// integers beyond 2^53 with their exact digits, WITHOUT ROWID rows named by
// their PRIMARY KEY, generated columns in the row objects, BLOB values, and
// the raw records (updates too) of changes that no longer decode.
// Read through the pull API (the same objects WebSocket frames and SSE
// events carry) and, for the exact digits, as the raw JSON text.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { captured, subscribe, type FeedMessage } from "./cdc-helpers.js";
import { HOST, run } from "./hrana-helpers.js";

/** The text of a pull page of every retained change of table `t`, and that page parsed. */
async function pull(db: string): Promise<{ text: string; changes: NonNullable<FeedMessage["changes"]> }> {
  const res = await exports.default.fetch(`${HOST}/db/${db}/changes?since=0&limit=1000&tables=t`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const page = JSON.parse(text) as { transactions: FeedMessage[] };
  return { text, changes: page.transactions.flatMap((t) => t.changes ?? []) };
}

describe("change messages", () => {
  it("full mode: an update carries the columns it set, with their new values", async () => {
    await captured("cdc-msg-updates", "CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b REAL, c)");
    await run("cdc-msg-updates", "INSERT INTO t VALUES (1, 'x', 1.5, 7)", "UPDATE t SET a = 'y', c = 7 WHERE k = 1", "DELETE FROM t");
    const { changes } = await pull("cdc-msg-updates");
    expect(changes.map((c) => [c.op, "updates" in c ? (c as { updates: unknown }).updates : "absent"])).toEqual([
      ["insert", "absent"],
      ["update", { a: "y", c: 7 }],
      ["delete", "absent"],
    ]);
  });

  it("other modes send no updates", async () => {
    await run("cdc-msg-after", "PRAGMA capture_data_changes_conn('after')", "CREATE TABLE t (k INTEGER PRIMARY KEY, a)", "INSERT INTO t VALUES (1, 'x')", "UPDATE t SET a = 'y'");
    const { changes } = await pull("cdc-msg-after");
    expect(changes[1]).toMatchObject({ op: "update", before: null, after: { k: 1, a: "y" } });
    expect(changes[1]).not.toHaveProperty("updates");
  });

  it("writes integers beyond 2^53 with their exact digits, in ids, images and updates, and infinities as 9e999", async () => {
    await captured("cdc-msg-big", "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)");
    await run("cdc-msg-big", "INSERT INTO t VALUES (9007199254740993, -9223372036854775808)", "UPDATE t SET v = 9223372036854775807", "INSERT INTO t VALUES (2, -1e999)");
    const { text } = await pull("cdc-msg-big");
    expect(text).toContain('"id":9007199254740993,"before":null,"after":{"k":9007199254740993,"v":-9223372036854775808}');
    expect(text).toContain('"before":{"k":9007199254740993,"v":-9223372036854775808},"after":{"k":9007199254740993,"v":9223372036854775807},"updates":{"v":9223372036854775807}');
    // Infinite reals as SQLite's JSON writes them.
    expect(text).toContain('"after":{"k":2,"v":-9e999}');
  });

  it("names WITHOUT ROWID rows by their key: its value, or an object of the key columns when composite", async () => {
    await captured("cdc-msg-wr", "CREATE TABLE t (a INTEGER, b TEXT, v, PRIMARY KEY (b, a)) WITHOUT ROWID", "CREATE TABLE one (k TEXT PRIMARY KEY, v) WITHOUT ROWID");
    await run("cdc-msg-wr", "INSERT INTO t VALUES (1, 'p', 'v')", "UPDATE t SET b = 'q'", "INSERT INTO one VALUES ('x', 1)");
    const { changes } = await pull("cdc-msg-wr");
    expect(changes.map((c) => [c.op, c.id, c.before, c.after])).toEqual([
      ["insert", { b: "p", a: 1 }, null, { a: 1, b: "p", v: "v" }],
      ["delete", { b: "p", a: 1 }, { a: 1, b: "p", v: "v" }, null],
      ["insert", { b: "q", a: 1 }, null, { a: 1, b: "q", v: "v" }],
    ]);
    const feed = await subscribe("cdc-msg-wr", "since=0&tables=one");
    expect((await feed.transaction()).changes?.map((c) => [c.id, c.after])).toEqual([["x", { k: "x", v: 1 }]]);
    feed.close();
  });

  it("row objects hold generated columns (VIRTUAL and STORED) and BLOBs as base64", async () => {
    await captured("cdc-msg-gen", "CREATE TABLE t (id INTEGER PRIMARY KEY, a, v AS (a * 2) VIRTUAL, b BLOB, s AS (a + 1) STORED)");
    await run("cdc-msg-gen", "INSERT INTO t (id, a, b) VALUES (1, 10, x'00ff')");
    const { changes } = await pull("cdc-msg-gen");
    expect(changes.map((c) => c.after)).toEqual([{ id: 1, a: 10, v: 20, b: { base64: "AP8=" }, s: 11 }]);
  });

  it("sends a record that does not decode as it is, without stopping the stream", async () => {
    await captured("cdc-msg-bad", "CREATE TABLE t (k INTEGER PRIMARY KEY, v)");
    await run(
      "cdc-msg-bad",
      "INSERT INTO turso_cdc (change_id, change_time, change_txn_id, change_type, table_name, id, before, after) VALUES (1000, 0, 1000, 1, 't', 1, NULL, x'05ff')",
      "INSERT INTO turso_cdc (change_id, change_time, change_txn_id, change_type) VALUES (1001, 0, 1000, 2)",
      "INSERT INTO t VALUES (2, 'fine')",
    );
    const { changes } = await pull("cdc-msg-bad");
    expect(changes.map((c) => [c.id, c.before, c.after, c.undecoded])).toEqual([
      [1, null, null, { before: null, after: "Bf8=" }],
      [2, null, { k: 2, v: "fine" }, undefined],
    ]);
  });

  it("sends the raw records of a dropped table's changes, full mode's updates record too, on a replay", async () => {
    await captured("cdc-msg-dropped", "CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b)");
    await run("cdc-msg-dropped", "INSERT INTO t VALUES (1, 'x', 2)", "UPDATE t SET a = 'y' WHERE k = 1");
    const [records] = await run("cdc-msg-dropped", "SELECT hex(before), hex(after), hex(updates) FROM turso_cdc WHERE table_name = 't' ORDER BY change_id");
    const hex = records.rows.map((row) => row.map((cell) => (cell as { value: string }).value));
    expect(hex[1].every((h) => h !== "")).toBe(true);
    await run("cdc-msg-dropped", "DROP TABLE t");
    const feed = await subscribe("cdc-msg-dropped", "since=0&tables=t");
    const changes = [...((await feed.transaction()).changes ?? []), ...((await feed.transaction()).changes ?? [])];
    feed.close();
    const hexOf = (base64: string | null | undefined) => (typeof base64 === "string" ? [...atob(base64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("").toUpperCase() : "");
    expect(changes.map((c) => [c.op, c.id, c.before, c.after, "updates" in c])).toEqual([
      ["insert", 1, null, null, false],
      ["update", 1, null, null, false],
    ]);
    expect(changes.map(({ undecoded }) => [hexOf(undecoded?.before), hexOf(undecoded?.after), hexOf(undecoded?.updates)])).toEqual(hex);
    expect(changes[0].undecoded).not.toHaveProperty("updates");
  });
});
