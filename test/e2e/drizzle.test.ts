// End to end: Drizzle ORM (drizzle-orm/libsql) over the real @libsql/client
// against the real Worker in workerd (Miniflare), open mode. A small schema
// with every storage class, a unique index and a foreign key, exercised through
// the query builder, transactions, batches, the migrator and constraint errors.
// Idle streams expire after 1.5 s here so that the expiry scenario stays quick.
import { createClient, LibsqlError, type Client } from "@libsql/client";
import { avg, count, DrizzleQueryError, eq, exists, gt, inArray, isNull, like, max, relations, sql, sum } from "drizzle-orm";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { blob, except, integer, intersect, real, sqliteTable, sqliteView, text, union, uniqueIndex } from "drizzle-orm/sqlite-core";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "./drivers/rejection.js";
import { startWorker, type RunningWorker } from "./worker-harness.js";

const authors = sqliteTable(
  "authors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    name: text("name").notNull(),
    rating: real("rating"),
    avatar: blob("avatar", { mode: "buffer" }),
    joined: integer("joined", { mode: "timestamp" }),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [uniqueIndex("authors_email").on(t.email)],
);

const posts = sqliteTable("posts", {
  id: integer("id").primaryKey(),
  authorId: integer("author_id")
    .notNull()
    .references(() => authors.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
  views: integer("views").notNull().default(0),
  // Drizzle keeps 64-bit integers for SQLite in a blob (their decimal text as bytes).
  budget: blob("budget", { mode: "bigint" }),
});

const events = sqliteTable("events", {
  id: integer("id").primaryKey(),
  name: text("name"),
  kind: text("kind", { enum: ["a", "b"] }),
  meta: text("meta", { mode: "json" }).$type<{ tags: string[] }>(),
  n: integer("n"),
});
const kindA = sqliteView("kind_a").as((qb) => qb.select({ id: events.id, name: events.name }).from(events).where(eq(events.kind, "a")));

const authorsRelations = relations(authors, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one }) => ({ author: one(authors, { fields: [posts.authorId], references: [authors.id] }) }));
const schema = { authors, posts, authorsRelations, postsRelations };

const schemaSql = [
  `CREATE TABLE authors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    rating REAL,
    avatar BLOB,
    joined INTEGER,
    active INTEGER NOT NULL DEFAULT 1
  )`,
  "CREATE UNIQUE INDEX authors_email ON authors (email)",
  `CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    budget BLOB
  )`,
];

const IDLE_MS = 1500;
let worker: RunningWorker;
const clients: Client[] = [];

async function freshDatabase(name: string, transport: "http" | "ws" = "http"): Promise<LibSQLDatabase<typeof schema>> {
  const url = worker.databaseUrl(name);
  const client = createClient({ url: transport === "ws" ? url.replace(/^http/, "ws") : url });
  clients.push(client);
  const db = drizzle(client, { schema });
  for (const statement of schemaSql) await db.run(sql.raw(statement));
  return db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The LibsqlError under a Drizzle query error, which is what carries the SQLite code. */
async function libsqlErrorOf(promise: Promise<unknown>): Promise<LibsqlError> {
  const e = await rejectionOf(promise);
  expect(e).toBeInstanceOf(DrizzleQueryError);
  const cause = (e as DrizzleQueryError).cause;
  expect(cause).toBeInstanceOf(LibsqlError);
  return cause as LibsqlError;
}

beforeAll(async () => {
  worker = await startWorker({ STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS) });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await worker?.dispose();
});

describe("Drizzle ORM over drizzle-orm/libsql", () => {
  it("inserts, selects, updates and deletes through the query builder with every column type", async () => {
    const db = await freshDatabase("drizzle-crud");
    const avatar = Buffer.from([0, 1, 127, 128, 255]);
    const joined = new Date("2026-01-02T03:04:05Z");
    const [ada] = await db
      .insert(authors)
      .values({ email: "ada@example.com", name: "Ada", rating: 4.5, avatar, joined })
      .returning();
    expect(ada).toEqual({ id: 1, email: "ada@example.com", name: "Ada", rating: 4.5, avatar, joined, active: true });
    await db.insert(authors).values([
      { email: "bob@example.com", name: "Bob", rating: 3, active: false },
      { email: "cy@example.com", name: "Cy" },
    ]);
    await db.insert(posts).values([
      { authorId: ada.id, title: "Engines", views: Number.MAX_SAFE_INTEGER, budget: 9223372036854775807n },
      { authorId: ada.id, title: "Pagers" },
      { authorId: 2, title: "Hello" },
    ]);

    const bob = await db.select().from(authors).where(eq(authors.email, "bob@example.com")).get();
    expect(bob).toMatchObject({ id: 2, name: "Bob", rating: 3, avatar: null, joined: null, active: false });
    const joinedRows = await db
      .select({ title: posts.title, author: authors.name, views: posts.views, budget: posts.budget })
      .from(posts)
      .innerJoin(authors, eq(posts.authorId, authors.id))
      .orderBy(posts.id);
    expect(joinedRows).toEqual([
      { title: "Engines", author: "Ada", views: Number.MAX_SAFE_INTEGER, budget: 9223372036854775807n },
      { title: "Pagers", author: "Ada", views: 0, budget: null },
      { title: "Hello", author: "Bob", views: 0, budget: null },
    ]);
    const perAuthor = await db
      .select({ name: authors.name, posts: sql<number>`count(${posts.id})` })
      .from(authors)
      .leftJoin(posts, eq(posts.authorId, authors.id))
      .groupBy(authors.id)
      .orderBy(authors.id);
    expect(perAuthor).toEqual([
      { name: "Ada", posts: 2 },
      { name: "Bob", posts: 1 },
      { name: "Cy", posts: 0 },
    ]);

    const updated = await db.update(authors).set({ rating: sql`${authors.rating} + 0.25` }).where(eq(authors.id, ada.id)).returning({ rating: authors.rating });
    expect(updated).toEqual([{ rating: 4.75 }]);
    const renamed = await db.update(authors).set({ name: "Cyrus" }).where(eq(authors.name, "Cy"));
    expect(renamed.rowsAffected).toBe(1);

    // PRAGMA foreign_keys is per connection; each Hrana request here runs on a fresh stream, so it travels in one batch.
    await db.batch([db.run(sql`PRAGMA foreign_keys = ON`), db.delete(authors).where(eq(authors.id, ada.id))]);
    const remainingPosts = await db.select({ title: posts.title }).from(posts);
    expect(remainingPosts).toEqual([{ title: "Hello" }]);
    expect(await db.$count(authors)).toBe(2);
  });

  it("commits a transaction and rolls back one whose callback throws or calls rollback", async () => {
    const db = await freshDatabase("drizzle-tx");
    const id = await db.transaction(async (tx) => {
      const [row] = await tx.insert(authors).values({ email: "t@example.com", name: "T" }).returning({ id: authors.id });
      await tx.insert(posts).values({ authorId: row.id, title: "inside" });
      expect(await tx.$count(posts)).toBe(1);
      return row.id;
    });
    expect(id).toBe(1);

    const thrown = await rejectionOf(
      db.transaction(async (tx) => {
        await tx.insert(posts).values({ authorId: id, title: "lost" });
        throw new Error("abort the transaction");
      }),
    );
    expect((thrown as Error).message).toBe("abort the transaction");

    await rejectionOf(
      db.transaction(async (tx) => {
        await tx.update(authors).set({ name: "changed" });
        tx.rollback();
      }),
    );
    expect(await db.select({ name: authors.name }).from(authors)).toEqual([{ name: "T" }]);
    expect(await db.select({ title: posts.title }).from(posts)).toEqual([{ title: "inside" }]);
  });

  it("runs a batch atomically: every result in order, nothing applied when a step fails", async () => {
    const db = await freshDatabase("drizzle-batch");
    const [inserted, , selected, counted] = await db.batch([
      db.insert(authors).values({ email: "b1@example.com", name: "B1" }).returning({ id: authors.id }),
      db.insert(posts).values({ authorId: 1, title: "batched" }),
      db.select({ title: posts.title }).from(posts),
      db.select({ n: sql<number>`count(*)` }).from(authors),
    ]);
    expect(inserted).toEqual([{ id: 1 }]);
    expect(selected).toEqual([{ title: "batched" }]);
    expect(counted).toEqual([{ n: 1 }]);

    const failure = await rejectionOf(
      db.batch([db.insert(authors).values({ email: "b2@example.com", name: "B2" }), db.insert(authors).values({ email: "b1@example.com", name: "dup" })]),
    );
    expect(failure).toBeInstanceOf(LibsqlError);
    expect((failure as LibsqlError).code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(await db.select({ email: authors.email }).from(authors)).toEqual([{ email: "b1@example.com" }]);
  });

  it("surfaces constraint violations with their SQLite codes", async () => {
    const db = await freshDatabase("drizzle-errors");
    await db.insert(authors).values({ email: "u@example.com", name: "U" });
    const unique = await libsqlErrorOf(db.insert(authors).values({ email: "u@example.com", name: "again" }));
    expect(unique.code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(unique.message).toMatch(/UNIQUE constraint failed: authors\.email/);
    const notNull = await libsqlErrorOf(db.run(sql`INSERT INTO authors (email, name) VALUES ('n@example.com', NULL)`));
    expect(notNull.code).toBe("SQLITE_CONSTRAINT_NOTNULL");
    const foreignKey = await rejectionOf(db.batch([db.run(sql`PRAGMA foreign_keys = ON`), db.insert(posts).values({ authorId: 99, title: "orphan" })]));
    expect(foreignKey).toBeInstanceOf(LibsqlError);
    expect((foreignKey as LibsqlError).code).toBe("SQLITE_CONSTRAINT_FOREIGNKEY");
    expect(await db.$count(posts)).toBe(0);
  });

  it("runs relational queries, upserts, prepared placeholders and CTEs over a WebSocket client", async () => {
    const db = await freshDatabase("drizzle-ws", "ws");
    await db.insert(authors).values([
      { email: "a@example.com", name: "A", rating: 1 },
      { email: "b@example.com", name: "B", rating: 2 },
    ]);
    await db.insert(posts).values([
      { authorId: 1, title: "a1", views: 5 },
      { authorId: 1, title: "a2", views: 7 },
      { authorId: 2, title: "b1", views: 1 },
    ]);

    const nested = await db.query.authors.findMany({
      columns: { name: true },
      with: { posts: { columns: { title: true, views: true }, orderBy: (p, { desc }) => [desc(p.views)] } },
      orderBy: (a, { asc }) => [asc(a.id)],
    });
    expect(nested).toEqual([
      { name: "A", posts: [{ title: "a2", views: 7 }, { title: "a1", views: 5 }] },
      { name: "B", posts: [{ title: "b1", views: 1 }] },
    ]);
    const withAuthor = await db.query.posts.findFirst({ where: eq(posts.title, "b1"), columns: { title: true }, with: { author: { columns: { email: true } } } });
    expect(withAuthor).toEqual({ title: "b1", author: { email: "b@example.com" } });

    await db
      .insert(authors)
      .values({ email: "a@example.com", name: "A again", rating: 10 })
      .onConflictDoUpdate({ target: authors.email, set: { rating: sql`${authors.rating} + excluded.rating` } });
    await db.insert(authors).values({ email: "b@example.com", name: "ignored" }).onConflictDoNothing();
    expect(await db.select({ name: authors.name, rating: authors.rating }).from(authors).orderBy(authors.id)).toEqual([
      { name: "A", rating: 11 },
      { name: "B", rating: 2 },
    ]);

    const byMinViews = db.select({ title: posts.title }).from(posts).where(gt(posts.views, sql.placeholder("min"))).orderBy(posts.title).prepare();
    expect(await byMinViews.all({ min: 4 })).toEqual([{ title: "a1" }, { title: "a2" }]);
    expect(await byMinViews.all({ min: 6 })).toEqual([{ title: "a2" }]);

    const popular = db.$with("popular").as(db.select({ authorId: posts.authorId, total: sql<number>`sum(${posts.views})`.as("total") }).from(posts).groupBy(posts.authorId));
    const ranked = await db.with(popular).select({ name: authors.name, total: popular.total }).from(popular).innerJoin(authors, eq(authors.id, popular.authorId)).orderBy(sql`${popular.total} desc`);
    expect(ranked).toEqual([
      { name: "A", total: 12 },
      { name: "B", total: 1 },
    ]);
    const removed = await db.delete(posts).where(inArray(posts.title, ["a1", "b1"])).returning({ title: posts.title });
    expect(removed.map((r) => r.title).sort()).toEqual(["a1", "b1"]);
  });

  it("runs views, compound selects, JSON-mode columns, aggregates and subqueries", async () => {
    const db = await freshDatabase("drizzle-queries");
    await db.run(sql`CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, meta TEXT, n INTEGER)`);
    await db.run(sql`CREATE VIEW kind_a AS SELECT id, name FROM events WHERE kind = 'a'`);
    await db.insert(events).values([
      { name: "x", kind: "a", meta: { tags: ["p", "q"] }, n: 1 },
      { name: "y", kind: "b", meta: { tags: [] }, n: 5 },
      { name: null, kind: "a", meta: null, n: null },
      { name: "xx", kind: "b", meta: { tags: ["q"] }, n: 3 },
    ]);
    expect(await db.select({ meta: events.meta }).from(events).orderBy(events.id)).toEqual([{ meta: { tags: ["p", "q"] } }, { meta: { tags: [] } }, { meta: null }, { meta: { tags: ["q"] } }]);
    expect(await db.select().from(kindA).orderBy(kindA.id)).toEqual([
      { id: 1, name: "x" },
      { id: 3, name: null },
    ]);
    const names = await union(db.select({ x: events.name }).from(events).where(eq(events.kind, "a")), db.select({ x: events.name }).from(events).where(eq(events.n, 5))).orderBy(sql`1`);
    expect(names).toEqual([{ x: null }, { x: "x" }, { x: "y" }]);
    expect(await except(db.select({ x: events.id }).from(events), db.select({ x: kindA.id }).from(kindA)).orderBy(sql`1`)).toEqual([{ x: 2 }, { x: 4 }]);
    expect(await intersect(db.select({ x: events.id }).from(events), db.select({ x: kindA.id }).from(kindA)).orderBy(sql`1`)).toEqual([{ x: 1 }, { x: 3 }]);
    const inView = await db
      .select({ id: events.id })
      .from(events)
      .where(exists(db.select({ one: sql`1` }).from(kindA).where(eq(kindA.id, events.id))))
      .orderBy(events.id);
    expect(inView).toEqual([{ id: 1 }, { id: 3 }]);
    const filtered = await db.select({ id: events.id }).from(events).where(sql`${like(events.name, "x%")} OR ${isNull(events.name)}`).orderBy(events.id);
    expect(filtered).toEqual([{ id: 1 }, { id: 3 }, { id: 4 }]);
    // Drizzle maps sum() and avg() to strings by design (they may exceed a JS number).
    const perKind = await db
      .select({ kind: events.kind, all: count(), withN: count(events.n), total: sum(events.n), mean: avg(events.n), last: max(events.name) })
      .from(events)
      .groupBy(events.kind)
      .having(sql`count(*) > 1`)
      .orderBy(events.kind);
    expect(perKind).toEqual([
      { kind: "a", all: 2, withN: 1, total: "1", mean: "1", last: "x" },
      { kind: "b", all: 2, withN: 2, total: "8", mean: "4", last: "y" },
    ]);
    expect(await db.all(sql`SELECT e.id, j.value FROM ${events} AS e, json_each(e.meta, '$.tags') AS j ORDER BY e.id, j.key`)).toEqual([
      { id: 1, value: "p" },
      { id: 1, value: "q" },
      { id: 4, value: "q" },
    ]);
    const copied = await db.insert(events).select(db.select({ id: sql<number>`${events.id} + 100`.as("id"), name: events.name, kind: events.kind, meta: events.meta, n: events.n }).from(events));
    expect(copied.rowsAffected).toBe(4);
    expect(await db.$count(events, eq(events.kind, "a"))).toBe(4);
  });

  it("serializes transactions from two clients: the second writer waits for the first to commit", async () => {
    const first = await freshDatabase("drizzle-writers");
    const second = drizzle(createClient({ url: worker.databaseUrl("drizzle-writers") }), { schema });
    clients.push(second.$client);
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstInserted!: () => void;
    const firstHasInserted = new Promise<void>((resolve) => (firstInserted = resolve));
    const firstDone = first.transaction(async (tx) => {
      await tx.insert(authors).values({ email: "first@example.com", name: "first" });
      firstInserted();
      await firstMayCommit;
    });
    await firstHasInserted;
    const secondStarted = Date.now();
    const secondDone = second.transaction(async (tx) => {
      await tx.insert(authors).values({ email: "second@example.com", name: "second" });
    });
    setTimeout(releaseFirst, 300);
    await Promise.all([firstDone, secondDone]);
    expect(Date.now() - secondStarted).toBeGreaterThanOrEqual(300);
    expect(await second.select({ name: authors.name }).from(authors).orderBy(authors.id)).toEqual([{ name: "first" }, { name: "second" }]);
  });

  it("expires a transaction left idle: its next query fails with STREAM_EXPIRED and nothing of it is kept", async () => {
    const db = await freshDatabase("drizzle-expiry");
    const abandoned = db.transaction(async (tx) => {
      await tx.insert(authors).values({ email: "lost@example.com", name: "lost" });
      await sleep(IDLE_MS + 1500);
      await tx.select().from(authors);
    });
    const expired = await libsqlErrorOf(abandoned);
    expect(expired.code).toBe("STREAM_EXPIRED");
    await db.insert(authors).values({ email: "kept@example.com", name: "kept" });
    expect(await db.select({ name: authors.name }).from(authors)).toEqual([{ name: "kept" }]);
  });

  it("applies migrations with drizzle's migrator once each, including a drizzle-kit style table rebuild", async () => {
    const folder = mkdtempSync(join(tmpdir(), "tessera-drizzle-"));
    const writeMigrations = (migrations: string[][]) => {
      const entries = migrations.map((_, idx) => ({ idx, version: "6", when: 1767225600000 + idx, tag: `000${idx}_step`, breakpoints: true }));
      writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect: "sqlite", entries }));
      migrations.forEach((statements, idx) => writeFileSync(join(folder, `000${idx}_step.sql`), statements.join(";--> statement-breakpoint\n")));
    };
    // What drizzle-kit generates to make a column NOT NULL with a default and add another: rebuild the table.
    const rebuildAuthors = [
      "PRAGMA foreign_keys=OFF",
      `CREATE TABLE \`__new_authors\` (
        \`id\` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        \`email\` text NOT NULL,
        \`name\` text NOT NULL,
        \`rating\` real DEFAULT 0 NOT NULL,
        \`avatar\` blob,
        \`joined\` integer,
        \`active\` integer DEFAULT 1 NOT NULL,
        \`bio\` text DEFAULT 'n/a'
      )`,
      'INSERT INTO `__new_authors`("id", "email", "name", "rating", "avatar", "joined", "active") SELECT "id", "email", "name", coalesce("rating", 0), "avatar", "joined", "active" FROM `authors`',
      "DROP TABLE `authors`",
      "ALTER TABLE `__new_authors` RENAME TO `authors`",
      "PRAGMA foreign_keys=ON",
      "CREATE UNIQUE INDEX `authors_email` ON `authors` (`email`)",
    ];
    try {
      mkdirSync(join(folder, "meta"));
      writeMigrations([schemaSql]);
      const client = createClient({ url: worker.databaseUrl("drizzle-migrate") });
      clients.push(client);
      const db = drizzle(client);
      await migrate(db, { migrationsFolder: folder });
      await migrate(db, { migrationsFolder: folder });
      await db.insert(authors).values([{ email: "m@example.com", name: "M" }, { email: "r@example.com", name: "R", rating: 2.5 }]);
      await db.insert(posts).values({ authorId: 1, title: "kept" });

      writeMigrations([schemaSql, rebuildAuthors]);
      await migrate(db, { migrationsFolder: folder });
      expect(await db.all(sql`SELECT count(*) AS n FROM __drizzle_migrations`)).toEqual([{ n: 2 }]);
      expect(await db.all(sql`SELECT id, name, rating, bio FROM authors ORDER BY id`)).toEqual([
        { id: 1, name: "M", rating: 0, bio: "n/a" },
        { id: 2, name: "R", rating: 2.5, bio: "n/a" },
      ]);
      expect(await db.select({ title: posts.title, author: authors.name }).from(posts).innerJoin(authors, eq(posts.authorId, authors.id))).toEqual([{ title: "kept", author: "M" }]);
      // The TypeScript schema still describes the old table, so this insert is written out to get the new defaults.
      expect(await db.all(sql`INSERT INTO authors (email, name) VALUES ('new@example.com', 'N') RETURNING id, rating, bio`)).toEqual([{ id: 3, rating: 0, bio: "n/a" }]);
      expect((await libsqlErrorOf(db.insert(authors).values({ email: "m@example.com", name: "dup", rating: 1 }))).code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
