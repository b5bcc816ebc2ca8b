// Randomized serial-model check of BEGIN CONCURRENT: N simulated clients
// (connections to one Database) run random interleavings of concurrent
// transactions — point and range reads, inserts with automatic and explicit
// rowids, updates, deletes, UNIQUE and PRIMARY KEY violations, savepoints,
// rollbacks — plus a plain connection's autocommit writes and BEGIN IMMEDIATE
// transactions (while it holds the write lock, a concurrent COMMIT must fail
// with SQLITE_BUSY and stay open; its own COMMIT must succeed). Every
// statement's result must equal what it returns run alone on the
// transaction's snapshot with its own writes (serial-model.ts); every COMMIT
// must commit, conflict or fail on UNIQUE exactly as the model says; after
// each commit attempt and at the end the table equals the model's committed
// state (the committed transactions' effects in commit order, nothing of the
// others) and integrity_check is ok.
//
// Seeded and reproducible: schedule i runs seed MVCC_SEED_BASE + i. CI runs
// DEFAULT_SCHEDULES; MVCC_SCHEDULES=<n> runs more, MVCC_SEED=<s> runs one.
import { describe, expect, it } from "vitest";
import type { Database } from "../../../src/engine/index.js";
import { SqliteError } from "../../../src/engine/index.js";
import { seededRandom } from "../../helpers/random.js";
import { coreOf, integrity, mvccDatabase } from "./mvcc-helpers.js";
import { ModelTransaction, SerialModel, tableRows, type CommitOutcome, type Row, type WriteResult } from "./serial-model.js";

const DEFAULT_SCHEDULES = 3000;
const SEED_BASE = 0x6d766363;
/** Schedules per Harness. */
const BATCH = 100;

/** The statements one client runs, prepared once per schedule. */
class Client {
  tx: ModelTransaction | null = null;
  readonly all;
  readonly aggregate;
  readonly byK;
  readonly insertAuto;
  readonly insertExplicit;
  readonly updateOne;
  readonly updateWhere;
  readonly deleteOne;
  readonly deleteByK;

  constructor(readonly db: Database) {
    this.all = db.prepare("SELECT id, k, v, length(body), substr(body, 1, 8) FROM t ORDER BY id").raw();
    this.aggregate = db.prepare("SELECT count(*), total(v) FROM t").raw();
    this.byK = db.prepare("SELECT id, v FROM t WHERE k = ?").raw();
    this.insertAuto = db.prepare("INSERT INTO t(k, v, body) VALUES (?, ?, ?)");
    this.insertExplicit = db.prepare("INSERT INTO t(id, k, v, body) VALUES (?, ?, ?, ?)");
    this.updateOne = db.prepare("UPDATE t SET k = ?, v = v + ?, body = ? WHERE id = ?");
    this.updateWhere = db.prepare("UPDATE t SET v = v + 1 WHERE v % 3 = ?");
    this.deleteOne = db.prepare("DELETE FROM t WHERE id = ?");
    this.deleteByK = db.prepare("DELETE FROM t WHERE k = ?");
  }
}

export interface Tally {
  schedules: number;
  transactions: number;
  committed: number;
  conflicts: number;
  uniqueFailures: number;
  rolledBack: number;
  busy: number;
  statements: number;
}

class Mismatch extends Error {}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Mismatch(`${what}: engine ${a}, model ${e}`);
}

/** Runs a write on the engine; its outcome (changes or constraint error code) must equal the model's. */
function write(run: () => { changes: number }, expected: WriteResult, what: string): void {
  let actual: WriteResult;
  try {
    actual = { ok: true, changes: run().changes };
  } catch (e) {
    if (!(e instanceof SqliteError)) throw e;
    actual = { ok: false, code: e.code as "SQLITE_CONSTRAINT_UNIQUE" };
  }
  same(actual, expected, what);
}

function commitOutcome(db: Database): CommitOutcome {
  try {
    db.exec("COMMIT");
    return "committed";
  } catch (e) {
    if (!(e instanceof SqliteError)) throw e;
    if (e.code === "SQLITE_BUSY_SNAPSHOT" && e.message.includes("conflict")) return "conflict";
    if (e.code === "SQLITE_CONSTRAINT_UNIQUE") return "unique";
    throw e;
  }
}

/**
 * One database and its prepared clients, reused by consecutive schedules
 * (creating them costs more than a schedule). Each schedule starts from an
 * empty table with no transaction open, so what it does depends on its seed
 * only; the page layout it starts from depends on the schedules before it.
 */
export class Harness {
  readonly db: Database;
  /** Reads the committed state between steps (never inside a transaction). */
  readonly observer: Client;
  /** Runs autocommit statements and BEGIN IMMEDIATE transactions. */
  readonly plain: Client;
  readonly clients: Client[];

  constructor() {
    const { db, conns } = mvccDatabase("CREATE TABLE t(id INTEGER PRIMARY KEY, k INT UNIQUE, v INT, body TEXT)", MAX_CLIENTS + 1);
    this.db = db;
    this.observer = new Client(db);
    this.plain = new Client(conns[0]);
    this.clients = conns.slice(1).map((c) => new Client(c));
  }
}

const MAX_CLIENTS = 5;
/** Values of the UNIQUE column k: few enough that transactions collide on them. */
const K_RANGE = 20;

/** One schedule on `harness`: clients, steps and values all drawn from `seed`. */
export function runSchedule(harness: Harness, seed: number, tally: Tally): void {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const newK = () => (random() < 0.2 ? null : 1 + int(K_RANGE));
  // Mostly short bodies; some long enough to overflow a page, so rows move pages and trees split.
  // A random prefix tells bodies of equal length apart.
  const newBody = () => String(int(1e6)).padEnd(random() < 0.9 ? 8 + int(40) : 1000 + int(4000), "b");

  const { db, plain, observer } = harness;
  const clients = harness.clients.slice(0, 2 + int(MAX_CLIENTS - 1));
  plain.db.exec("DELETE FROM t");
  const model = new SerialModel();
  const initial = plain.insertExplicit;
  for (let id = 1; id <= 6 + int(10); id++) {
    const row: Row = { k: newK(), v: int(100), body: newBody() };
    write(() => initial.run(id, row.k, row.v, row.body), model.autocommit((view) => view.insert(id, row)), "initial insert");
  }

  const checkCommitted = (what: string) => {
    same(observer.all.all(), tableRows(model.state), `${what}: committed table`);
  };

  const finish = (client: Client, how: "commit" | "rollback", what: string) => {
    const tx = client.tx!;
    if (how === "commit" && client !== plain && plain.tx !== null && tx.wroteAny) {
      // The plain transaction holds the write lock: COMMIT fails with SQLITE_BUSY and the transaction stays open.
      let code: unknown = null;
      try {
        client.db.exec("COMMIT");
      } catch (e) {
        code = e instanceof SqliteError ? e.code : e;
      }
      same([code, client.db.inConcurrentTransaction], ["SQLITE_BUSY", true], `${what}: COMMIT while the lock is held`);
      tally.busy++;
      return;
    }
    client.tx = null;
    if (how === "rollback") {
      client.db.exec("ROLLBACK");
      tally.rolledBack++;
    } else {
      const expected = model.commit(tx);
      same(commitOutcome(client.db), expected, `${what}: COMMIT outcome`);
      if (expected === "committed") tally.committed++;
      else if (expected === "conflict") tally.conflicts++;
      else tally.uniqueFailures++;
    }
    if (client.db.inTransaction) throw new Mismatch(`${what}: transaction still open after ${how}`);
    checkCommitted(what);
  };

  /** One statement of client `c` inside its transaction, checked against the model on its view. */
  const step = (c: Client, what: string) => {
    const tx = c.tx!;
    const view = tx.view;
    const r = random();
    tally.statements++;
    if (r >= 0.28 && r < 0.88) tx.wroteAny = true;
    if (r < 0.12) same(c.all.all(), tableRows(view.rows), `${what}: full scan`);
    else if (r < 0.2) same(c.aggregate.all(), [view.aggregate()], `${what}: aggregate`);
    else if (r < 0.28) {
      const k = 1 + int(K_RANGE);
      same(c.byK.all(k), view.byK(k), `${what}: lookup k=${k}`);
    } else if (r < 0.42) {
      const row: Row = { k: newK(), v: int(100), body: newBody() };
      const failure = view.autoInsertError(row);
      if (failure) {
        write(() => c.insertAuto.run(row.k, row.v, row.body), failure, `${what}: auto insert`);
        return;
      }
      const id = Number(c.insertAuto.run(row.k, row.v, row.body).lastInsertRowid);
      // An automatic rowid is past every row the transaction sees, and no other open transaction inserted it.
      if (id <= view.maxId()) throw new Mismatch(`${what}: automatic rowid ${id} is not past ${view.maxId()}`);
      for (const other of [plain, ...clients]) {
        if (other !== c && other.tx?.inserted(id)) throw new Mismatch(`${what}: automatic rowid ${id} also inserted by another open transaction`);
      }
      same(view.insert(id, row), { ok: true, changes: 1 }, `${what}: auto insert in model`);
    } else if (r < 0.52) {
      const id = 1 + int(24);
      const row: Row = { k: newK(), v: int(100), body: newBody() };
      write(() => c.insertExplicit.run(id, row.k, row.v, row.body), view.insert(id, row), `${what}: insert id=${id}`);
    } else if (r < 0.7) {
      const id = 1 + int(Math.max(view.maxId(), 1));
      const k = newK();
      const dv = 1 + int(9);
      const body = newBody();
      write(() => c.updateOne.run(k, dv, body, id), view.updateOne(id, k, dv, body), `${what}: update id=${id}`);
    } else if (r < 0.76) {
      const mod = int(3);
      write(() => c.updateWhere.run(mod), view.updateWhere(mod), `${what}: update v%3=${mod}`);
    } else if (r < 0.84) {
      const id = 1 + int(Math.max(view.maxId(), 1));
      write(() => c.deleteOne.run(id), view.deleteOne(id), `${what}: delete id=${id}`);
    } else if (r < 0.88) {
      const k = 1 + int(K_RANGE);
      write(() => c.deleteByK.run(k), view.deleteByK(k), `${what}: delete k=${k}`);
    } else if (r < 0.92) {
      if (tx.savepoint === null) {
        c.db.exec("SAVEPOINT sp");
        tx.savepoint = view.copy();
      } else if (random() < 0.6) {
        c.db.exec("ROLLBACK TO sp");
        tx.view = tx.savepoint.copy();
      } else {
        c.db.exec("RELEASE sp");
        tx.savepoint = null;
      }
    } else if (r < 0.985) finish(c, "commit", what);
    else finish(c, "rollback", what);
  };

  /** An autocommit write from the plain connection, while concurrent transactions are open. */
  const autocommit = (what: string) => {
    tally.statements++;
    const id = 1 + int(Math.max(model.state.size + 4, 1));
    if (random() < 0.5) {
      const dv = 1 + int(9);
      const k = newK();
      const body = newBody();
      write(() => plain.updateOne.run(k, dv, body, id), model.autocommit((view) => view.updateOne(id, k, dv, body)), `${what}: autocommit update id=${id}`);
    } else {
      write(() => plain.deleteOne.run(id), model.autocommit((view) => view.deleteOne(id)), `${what}: autocommit delete id=${id}`);
    }
    checkCommitted(what);
  };

  const steps = 12 + int(36);
  for (let s = 0; s < steps; s++) {
    const what = `seed ${seed} step ${s}`;
    if (plain.tx ? random() < 0.3 : random() < 0.06) {
      if (plain.tx) {
        if (random() < 0.3) finish(plain, random() < 0.85 ? "commit" : "rollback", what);
        else step(plain, what);
      } else if (random() < 0.7) autocommit(what);
      else {
        plain.db.exec("BEGIN IMMEDIATE");
        plain.tx = model.begin();
        tally.transactions++;
      }
      continue;
    }
    const c = pick(clients);
    if (c.tx === null) {
      c.db.exec("BEGIN CONCURRENT");
      c.tx = model.begin();
      tally.transactions++;
    } else step(c, what);
  }
  // The plain transaction first, so that the others' commits find the lock free.
  for (const c of [plain, ...clients]) if (c.tx) finish(c, random() < 0.8 ? "commit" : "rollback", `seed ${seed} end`);

  checkCommitted(`seed ${seed} final`);
  if (integrity(db) !== "ok") throw new Mismatch(`seed ${seed}: integrity_check ${integrity(db)}`);
  const core = coreOf(db);
  // Nothing of the ended transactions stays behind.
  same([core.concurrency.openCount, core.concurrency.history.size, core.btree.pager.retainedBytes], [0, 0, 0], `seed ${seed}: leftover MVCC state`);
  tally.schedules++;
}

function envInt(name: string): number | null {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? null : Number(raw);
}

const single = envInt("MVCC_SEED");
const count = single !== null ? 1 : (envInt("MVCC_SCHEDULES") ?? DEFAULT_SCHEDULES);

describe("BEGIN CONCURRENT against a serial model", () => {
  // Local runs with MVCC_SCHEDULES in the thousands take minutes.
  it("runs seeded random schedules whose every statement and commit matches the model", { timeout: Math.max(120_000, count * 200) }, () => {
    const tally: Tally = { schedules: 0, transactions: 0, committed: 0, conflicts: 0, uniqueFailures: 0, rolledBack: 0, busy: 0, statements: 0 };
    const started = Date.now();
    // A batch of schedules shares one Harness; MVCC_SEED replays its batch up to that seed.
    const first = single !== null ? single - ((single - SEED_BASE) % BATCH) : SEED_BASE;
    const last = single ?? SEED_BASE + count - 1;
    let harness: Harness | null = null;
    for (let seed = first; seed <= last; seed++) {
      if ((seed - SEED_BASE) % BATCH === 0 || harness === null) {
        harness?.db.close();
        harness = new Harness();
      }
      runSchedule(harness, seed, tally);
    }
    harness?.db.close();
    console.log(`MVCC serial-model check: ${JSON.stringify(tally)} in ${Date.now() - started} ms`);
    expect(tally.schedules).toBe(last - first + 1);
    // The schedules exercise every outcome, not only the easy one.
    if (count >= 100) {
      expect(tally.committed).toBeGreaterThan(count);
      expect(tally.conflicts).toBeGreaterThan(count / 10);
      expect(tally.uniqueFailures).toBeGreaterThan(0);
      expect(tally.busy).toBeGreaterThan(0);
    }
  });
});
