// The serial model the randomized MVCC test checks the engine against: plain
// JS maps for the committed state of one table t(id INTEGER PRIMARY KEY,
// k INT UNIQUE, v INT, body TEXT), and for each open transaction a private
// copy of its snapshot with its own writes applied. It says what every
// statement must return when run alone on that snapshot, and what COMMIT
// must do: conflict when a row it wrote was written by a commit after its
// snapshot, fail on UNIQUE when its rows collide with rows committed since,
// otherwise apply exactly its rows on top of the latest state. Plain
// transactions' commits count like any other (their written rows are tracked
// in MVCC mode, whenever they began).
export interface Row {
  k: number | null;
  v: number;
  body: string;
}

export type State = Map<number, Row>;

export type CommitOutcome = "committed" | "conflict" | "unique";

/** A statement's effect on a view: its rows changed and which ids it wrote, or a constraint error. */
export type WriteResult = { ok: true; changes: number } | { ok: false; code: "SQLITE_CONSTRAINT_UNIQUE" | "SQLITE_CONSTRAINT_PRIMARYKEY" };

function sorted(state: State): [number, Row][] {
  return [...state.entries()].sort((a, b) => a[0] - b[0]);
}

/** Rows as the engine returns `SELECT id, k, v, length(body), substr(body, 1, 8) FROM t ORDER BY id`. */
export function tableRows(state: State): [number, number | null, number, number, string][] {
  return sorted(state).map(([id, r]) => [id, r.k, r.v, r.body.length, r.body.slice(0, 8)]);
}

/** A set of rows one transaction (or autocommit statement) sees and writes. */
export class View {
  constructor(
    readonly rows: State,
    /** Ids this transaction inserted, updated or deleted (its write set). */
    readonly written: Set<number> = new Set(),
  ) {}

  copy(): View {
    return new View(new Map(this.rows), new Set(this.written));
  }

  private kTaken(k: number | null, except: number): boolean {
    if (k === null) return false;
    for (const [id, r] of this.rows) if (id !== except && r.k === k) return true;
    return false;
  }

  maxId(): number {
    let max = 0;
    for (const id of this.rows.keys()) if (id > max) max = id;
    return max;
  }

  insert(id: number, row: Row): WriteResult {
    if (this.rows.has(id)) return { ok: false, code: "SQLITE_CONSTRAINT_PRIMARYKEY" };
    if (this.kTaken(row.k, id)) return { ok: false, code: "SQLITE_CONSTRAINT_UNIQUE" };
    this.rows.set(id, row);
    this.written.add(id);
    return { ok: true, changes: 1 };
  }

  /** Whether an insert of `row` with an automatic rowid fails (and with which error). */
  autoInsertError(row: Row): WriteResult | null {
    return this.kTaken(row.k, -1) ? { ok: false, code: "SQLITE_CONSTRAINT_UNIQUE" } : null;
  }

  /** UPDATE t SET k = ?, v = v + ?, body = ? WHERE id = ? */
  updateOne(id: number, k: number | null, dv: number, body: string): WriteResult {
    const r = this.rows.get(id);
    if (!r) return { ok: true, changes: 0 };
    if (this.kTaken(k, id)) return { ok: false, code: "SQLITE_CONSTRAINT_UNIQUE" };
    this.rows.set(id, { k, v: r.v + dv, body });
    this.written.add(id);
    return { ok: true, changes: 1 };
  }

  /** UPDATE t SET v = v + 1 WHERE v % 3 = ? */
  updateWhere(mod: number): WriteResult {
    let changes = 0;
    for (const [id, r] of this.rows) {
      if (((r.v % 3) + 3) % 3 !== mod) continue;
      this.rows.set(id, { ...r, v: r.v + 1 });
      this.written.add(id);
      changes++;
    }
    return { ok: true, changes };
  }

  /** DELETE FROM t WHERE k = ? */
  deleteByK(k: number): WriteResult {
    for (const [id, r] of this.rows) {
      if (r.k !== k) continue;
      this.rows.delete(id);
      this.written.add(id);
      return { ok: true, changes: 1 };
    }
    return { ok: true, changes: 0 };
  }

  /** DELETE FROM t WHERE id = ? */
  deleteOne(id: number): WriteResult {
    if (!this.rows.delete(id)) return { ok: true, changes: 0 };
    this.written.add(id);
    return { ok: true, changes: 1 };
  }

  /** SELECT count(*), total(v) FROM t */
  aggregate(): [number, number] {
    let total = 0;
    for (const r of this.rows.values()) total += r.v;
    return [this.rows.size, total];
  }

  /** SELECT id, v FROM t WHERE k = ? */
  byK(k: number): [number, number][] {
    for (const [id, r] of this.rows) if (r.k === k) return [[id, r.v]];
    return [];
  }
}

/** A BEGIN CONCURRENT transaction in the model. */
export class ModelTransaction {
  savepoint: View | null = null;
  /** It ran a write statement (even one that failed): its COMMIT needs the write lock to be free. */
  wroteAny = false;
  /** A plain transaction that does not track which rows it writes. */

  constructor(
    readonly baseSeq: number,
    /** The committed rows at BEGIN (not modified). */
    readonly snapshot: State,
    public view: View,
  ) {}

  /** Whether this transaction inserted row `id` (it was not in its snapshot), even if it deleted it again. */
  inserted(id: number): boolean {
    return this.view.written.has(id) && !this.snapshot.has(id);
  }
}

export class SerialModel {
  state: State = new Map();
  /** Every commit's write set ("all" when untracked), by sequence number (seq i is commits[i - 1]). */
  private readonly commits: (Set<number> | "all")[] = [];

  get seq(): number {
    return this.commits.length;
  }

  begin(): ModelTransaction {
    return new ModelTransaction(this.seq, this.state, new View(new Map(this.state)));
  }

  /** Runs `f` as an autocommit statement on the latest state; commits its writes if it succeeded. */
  autocommit(f: (view: View) => WriteResult): WriteResult {
    const view = new View(new Map(this.state));
    const result = f(view);
    if (result.ok && view.written.size > 0) this.publish(view.rows, view.written);
    return result;
  }

  /** What COMMIT of `tx` must do, applied to the model. */
  commit(tx: ModelTransaction): CommitOutcome {
    const mine = tx.view.written;
    for (let s = tx.baseSeq; s < this.commits.length; s++) {
      const theirs = this.commits[s];
      if (theirs === "all") {
        if (tx.wroteAny) return "conflict";
      } else for (const id of theirs) if (mine.has(id)) return "conflict";
    }
    const next = new Map(this.state);
    for (const id of mine) {
      const row = tx.view.rows.get(id);
      if (row) next.set(id, row);
      else next.delete(id);
    }
    for (const id of mine) {
      const k = next.get(id)?.k ?? null;
      if (k === null) continue;
      for (const [other, r] of next) if (other !== id && r.k === k) return "unique";
    }
    if (mine.size > 0) this.publish(next, mine);
    return "committed";
  }

  private publish(next: State, written: Set<number> | "all"): void {
    this.state = next;
    this.commits.push(written === "all" ? written : new Set(written));
  }
}
