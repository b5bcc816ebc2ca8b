// Sample data for the `demo` database that `npm run dev` offers: written once,
// when that database is first opened and still has no tables.
import type { Database } from "../engine/index.js";

export const DEMO_DATABASE = "demo";

const SEED = `
CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
CREATE TABLE albums (id INTEGER PRIMARY KEY, artist_id INTEGER NOT NULL REFERENCES artists(id), title TEXT NOT NULL, year INTEGER, rating REAL);
CREATE INDEX albums_by_artist ON albums(artist_id);
INSERT INTO artists (id, name, country) VALUES
  (1, 'Miles Davis', 'US'), (2, 'Björk', 'IS'), (3, 'Kraftwerk', 'DE'), (4, 'Fela Kuti', 'NG'), (5, 'Nina Simone', 'US');
INSERT INTO albums (artist_id, title, year, rating) VALUES
  (1, 'Kind of Blue', 1959, 4.9), (1, 'Bitches Brew', 1970, 4.5), (2, 'Homogenic', 1997, 4.7), (2, 'Vespertine', 2001, 4.6),
  (3, 'Trans-Europe Express', 1977, 4.8), (3, 'Computer World', 1981, 4.4), (4, 'Zombie', 1976, 4.6), (5, 'Pastel Blues', 1965, 4.7);
`;

/** Seeds the demo database if it has no tables yet. */
export function seedDemoIfEmpty(db: Database): void {
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  if (tables === 0) db.exec(`BEGIN; ${SEED} COMMIT;`);
}
