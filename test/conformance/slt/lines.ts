// Line sources for the record parser: a file read in chunks (the corpus has
// files of tens of megabytes; they are never held whole), or a string.
// Lines split on "\n" only, with one trailing "\r" removed, as the reference
// runner does (some corpus files have CRLF endings).
import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

const CHUNK_BYTES = 1 << 20;

function withoutCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** The lines of a file, read `chunkBytes` (1 MiB) at a time. */
export function* fileLines(path: string, chunkBytes = CHUNK_BYTES): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    // StringDecoder keeps a UTF-8 sequence cut by a chunk boundary for the next chunk.
    const decoder = new StringDecoder("utf8");
    let partial = "";
    for (;;) {
      const read = readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      const pieces = (partial + decoder.write(buffer.subarray(0, read))).split("\n");
      partial = pieces.pop() ?? "";
      for (const piece of pieces) yield withoutCarriageReturn(piece);
    }
    partial += decoder.end();
    if (partial !== "") yield withoutCarriageReturn(partial);
  } finally {
    closeSync(fd);
  }
}

/** The lines of a script held in memory. */
export function* textLines(text: string): Generator<string> {
  const pieces = text.split("\n");
  if (pieces[pieces.length - 1] === "") pieces.pop();
  for (const piece of pieces) yield withoutCarriageReturn(piece);
}
