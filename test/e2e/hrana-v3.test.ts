// End to end with Hrana 3 through @libsql/hrana-client (the protocol library
// under @libsql/client, installed with it): over HTTP it probes v3-protobuf,
// finds it served and speaks protobuf for pipelines and cursors; over
// WebSocket it negotiates hrana3-protobuf and uses cursors for batches.
import * as hrana from "@libsql/hrana-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "./worker-harness.js";

let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await worker?.dispose();
});

describe("Hrana 3 over HTTP with protobuf", () => {
  it("negotiates v3 protobuf and runs statements, batches, cursors and transactions", async () => {
    const client = hrana.openHttp(worker.databaseUrl("protobuf"), undefined, undefined, undefined, 3);
    try {
      expect(await client.getVersion()).toBe(3);
      const stream = client.openStream();
      stream.intMode = "bigint";
      await stream.run("CREATE TABLE p (i INTEGER, r REAL, t TEXT, b BLOB, n)");
      const insert = await stream.run(["INSERT INTO p VALUES (?, ?, ?, ?, ?)", [-9223372036854775808n, 1.5, "pb ✓", new Uint8Array([1, 2, 3]), null]]);
      expect(insert.affectedRowCount).toBe(1);
      expect(insert.lastInsertRowid).toBe(1n);
      const rows = await stream.query("SELECT i, r, t, b, n, 2.0 AS two FROM p");
      expect(rows.columnNames).toEqual(["i", "r", "t", "b", "n", "two"]);
      expect(rows.columnDecltypes).toEqual(["INTEGER", "REAL", "TEXT", "BLOB", undefined, undefined]);
      const row = rows.rows[0];
      expect([row[0], row[1], row[2], row[4], row[5]]).toEqual([-9223372036854775808n, 1.5, "pb ✓", null, 2]);
      expect(new Uint8Array(row[3] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));

      const batch = stream.batch(false);
      const ok = batch.step().query("SELECT count(*) FROM p");
      const badStep = batch.step();
      const bad = badStep.query("SELECT nope FROM p").then(
        () => "ran",
        (e: Error) => e.message,
      );
      const skipped = batch.step().condition(hrana.BatchCond.ok(badStep)).query("SELECT 1");
      const autocommit = batch.step().condition(hrana.BatchCond.isAutocommit(batch)).query("SELECT 'auto'");
      await batch.execute();
      expect((await ok)?.rows[0][0]).toBe(1n);
      expect(await bad).toMatch(/no such column/);
      expect(await skipped).toBeUndefined();
      expect((await autocommit)?.rows[0][0]).toBe("auto");

      // A batch with a cursor goes through v3-protobuf/cursor.
      const cursorBatch = stream.batch(true);
      const numbers = cursorBatch.step().query("SELECT i FROM p UNION ALL SELECT 7");
      await cursorBatch.execute();
      expect((await numbers)?.rows.map((r) => r[0])).toEqual([-9223372036854775808n, 7n]);

      await stream.run("BEGIN");
      expect(await stream.getAutocommit()).toBe(false);
      await stream.run("INSERT INTO p (t) VALUES ('rolled back')");
      await stream.run("ROLLBACK");
      expect(await stream.getAutocommit()).toBe(true);
      const described = await stream.describe("SELECT t FROM p WHERE i = :i");
      expect(described.paramNames).toEqual([":i"]);
      expect(described.isReadonly).toBe(true);
      expect((await stream.queryValue("SELECT count(*) FROM p")).value).toBe(1n);
      stream.close();
    } finally {
      client.close();
    }
  });
});

describe("Hrana 3 over WebSocket", () => {
  it("negotiates hrana3-protobuf and fetches batch results through a cursor", async () => {
    const client = hrana.openWs(worker.databaseUrl("ws-v3").replace(/^http/, "ws"), undefined, 3);
    try {
      expect(await client.getVersion()).toBe(3);
      const stream = client.openStream();
      await stream.run("CREATE TABLE c (v INTEGER)");
      await stream.run("INSERT INTO c VALUES (1), (2), (3)");
      const batch = stream.batch(true);
      const all = batch.step().query("SELECT v FROM c ORDER BY v");
      const failing = batch.step().query("SELECT nope").then(
        () => "ran",
        (e: Error) => e.message,
      );
      const sum = batch.step().query("SELECT sum(v) FROM c");
      await batch.execute();
      expect((await all)?.rows.map((r) => r[0])).toEqual([1, 2, 3]);
      expect(await failing).toMatch(/no such column/);
      expect((await sum)?.rows[0][0]).toBe(6);
      expect(await stream.getAutocommit()).toBe(true);
      stream.close();
    } finally {
      client.close();
    }
  });
});
