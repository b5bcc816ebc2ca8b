// SQLite file images as the management API takes them in: the header checks
// (magic string, page size, a whole number of pages) that come before the
// engine opens the image, the engine's PRAGMA integrity_check, and the split
// into pages for a page store. Platform-neutral.
import { Database } from "../../engine/index.js";
import { isValidPageSize } from "../../engine/pager/node-commit-checks.js";

const MAGIC = "SQLite format 3\u0000";
const HEADER_BYTES = 100;

export type ImageCheck = { ok: true; pageSize: number; pageCount: number } | { ok: false; message: string };

/** The page size the header declares (the value 1 stands for 65536), or null when the bytes are not a SQLite image. */
export function imagePageSize(image: Uint8Array): number | null {
  if (image.length < HEADER_BYTES) return null;
  for (let i = 0; i < MAGIC.length; i++) if (image[i] !== MAGIC.charCodeAt(i)) return null;
  const raw = (image[16] << 8) | image[17];
  const pageSize = raw === 1 ? 65536 : raw;
  return isValidPageSize(pageSize) ? pageSize : null;
}

/** Checks that `image` is a whole, uncorrupted SQLite database the engine can open. */
export function checkImage(image: Uint8Array): ImageCheck {
  const pageSize = imagePageSize(image);
  if (pageSize === null) return { ok: false, message: "not a SQLite database file (bad header or page size)" };
  if (image.length % pageSize !== 0) return { ok: false, message: `the file is ${image.length} bytes, not a whole number of ${pageSize}-byte pages` };
  let db: Database | undefined;
  try {
    db = new Database({ image });
    const problems = db.prepare("PRAGMA integrity_check").pluck().all() as unknown[];
    if (problems.length !== 1 || problems[0] !== "ok") {
      return { ok: false, message: `integrity_check failed: ${problems.slice(0, 5).join("; ")}` };
    }
  } catch (e) {
    return { ok: false, message: `the database cannot be opened: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    db?.close();
  }
  return { ok: true, pageSize, pageCount: image.length / pageSize };
}

/** Pages 1..n of an image checked by checkImage, as a page store's commit takes them. */
export function imagePages(image: Uint8Array, pageSize: number): Map<number, Uint8Array> {
  const pages = new Map<number, Uint8Array>();
  for (let offset = 0; offset < image.length; offset += pageSize) pages.set(offset / pageSize + 1, image.slice(offset, offset + pageSize));
  return pages;
}
