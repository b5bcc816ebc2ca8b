// Opening non-SQLite or damaged images fails with SqliteError (NOTADB or
// CORRUPT), never with another exception or a hang.
import { describe, expect, it } from "vitest";
import initSqlJs from "sql.js";
import { BtreeDatabase, checkIntegrity, decodeRecord, schemaTrees } from "../../../src/engine/btree/index.js";
import { SqliteError } from "../../../src/engine/errors.js";
import { BtreePage, newCellInfo, parseCell } from "../../../src/engine/btree/page.js";
import { rng } from "./helpers.js";

async function sampleImage(): Promise<Uint8Array> {
  const SQL = await initSqlJs();
  const s = new SQL.Database();
  s.run("PRAGMA page_size=512");
  s.run("CREATE TABLE t(a, b)");
  s.run("CREATE INDEX ti ON t(b)");
  for (let i = 0; i < 300; i++) s.run("INSERT INTO t VALUES (?, ?)", [i, "x".repeat(i * 7)]);
  s.run("DELETE FROM t WHERE a % 5 = 0");
  const image = s.export();
  s.close();
  return image;
}

/** Reads everything reachable; returns the error code or "ok". */
function readAll(image: Uint8Array): string {
  try {
    const db = BtreeDatabase.fromImage(image);
    const rt = db.beginRead();
    for (const tree of schemaTrees(rt)) {
      if (tree.kind === "table") {
        const c = rt.openTable(tree.root);
        for (let ok = c.first(); ok; ok = c.next()) decodeRecord(c.payload());
      } else {
        const c = rt.openIndex(tree.root, () => 0);
        for (let ok = c.last(); ok; ok = c.prev()) decodeRecord(c.key());
      }
    }
    checkIntegrity(rt);
    rt.end();
    return "ok";
  } catch (e) {
    if (!(e instanceof SqliteError)) throw e;
    return e.code;
  }
}

describe("corrupt and foreign images", () => {
  it("rejects non-database bytes with SQLITE_NOTADB", () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(50), new TextEncoder().encode("hello world".repeat(100)), new Uint8Array(4096).fill(0xff)]) {
      expect(() => BtreeDatabase.fromImage(bytes)).toThrowError(expect.objectContaining({ code: "SQLITE_NOTADB", message: "file is not a database" }));
    }
  });

  it("rejects a header with a bad page size or payload fractions", async () => {
    const good = await sampleImage();
    const badSize = good.slice();
    badSize[16] = 0x03; // 768: not a power of two
    expect(readAll(badSize)).toBe("SQLITE_NOTADB");
    const badFraction = good.slice();
    badFraction[21] = 63;
    expect(readAll(badFraction)).toBe("SQLITE_NOTADB");
  });

  it("detects broken overflow chains: cycles in the checker, dangling pointers when reading", async () => {
    const image = await sampleImage();
    const pageSize = 512;
    // Find the first overflow page of the largest row (rowid 299) by walking the leaves.
    let overflow = 0;
    for (let p = 2; p <= image.length / pageSize && overflow === 0; p++) {
      const page = image.subarray((p - 1) * pageSize, p * pageSize);
      if (page[0] !== 0x0d) continue;
      const leaf = BtreePage.parse(p, page, pageSize);
      for (let i = 0; i < leaf.cellCount; i++) {
        if (leaf.rowidAt(i) !== 299) continue;
        overflow = parseCell(leaf.type, page, leaf.cellOffset(i), pageSize, newCellInfo()).overflowPage;
      }
    }
    expect(overflow).toBeGreaterThan(1);
    const setNext = (next: number) => {
      const broken = image.slice();
      const off = (overflow - 1) * pageSize;
      broken.set([(next >>> 24) & 255, (next >>> 16) & 255, (next >>> 8) & 255, next & 255], off);
      return broken;
    };
    const cyclic = BtreeDatabase.fromImage(setNext(overflow));
    const rt = cyclic.beginRead();
    expect(checkIntegrity(rt).errors.some((e) => e.includes("used twice"))).toBe(true);
    rt.end();
    expect(readAll(setNext(1_000_000))).toBe("SQLITE_CORRUPT");
  });

  it("never crashes or hangs on randomly damaged images", async () => {
    const image = await sampleImage();
    const random = rng(99);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 150; round++) {
      const damaged = image.slice();
      const flips = 1 + Math.floor(random() * 40);
      for (let k = 0; k < flips; k++) {
        // Mostly hit structure (page headers and cell pointers), sometimes anywhere.
        const page = Math.floor(random() * (image.length / 512));
        const off = random() < 0.7 ? page * 512 + (page === 0 ? 100 : 0) + Math.floor(random() * 24) : Math.floor(random() * image.length);
        damaged[off] = Math.floor(random() * 256);
      }
      const outcome = readAll(damaged);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get("SQLITE_CORRUPT") ?? 0).toBeGreaterThan(0);
    for (const code of outcomes.keys()) expect(["ok", "SQLITE_CORRUPT", "SQLITE_NOTADB"]).toContain(code);
  });
});
