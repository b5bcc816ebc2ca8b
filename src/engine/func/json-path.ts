// JSON path search over JSONB, with the in-place edits of json_set,
// json_insert, json_replace and json_remove (SQLite's jsonLookupStep). Paths
// are the text after '$': ".key", '."quoted key"', "[N]", "[#]", "[#-N]".
import {
  JSONB_ARRAY,
  JSONB_OBJECT,
  JSONB_TEXT,
  JSONB_TEXT5,
  JSONB_TEXTRAW,
  JsonEdit,
  JsonParse,
  arrayCount,
  isDigitByte,
  labelsEqual,
} from "./json-blob.js";

/** Lookup failures; successful lookups return an offset into the blob. */
export const LOOKUP_ERROR = -1;
export const LOOKUP_NOTFOUND = -2;
export const LOOKUP_PATHERROR = -3;
/** json_array_insert reached a final .label step: "not an array element". */
export const LOOKUP_NOT_ARRAY_ELEMENT = -4;

/** json_insert, json_set and json_array_insert create what the path names but is missing. */
function createsMissing(p: JsonParse): boolean {
  return p.eEdit === JsonEdit.Insert || p.eEdit === JsonEdit.Set || p.eEdit === JsonEdit.ArrayInsert;
}

/** Adjusts the header of the container at iRoot after an edit changed its payload by p.delta. */
function afterEditSizeAdjust(p: JsonParse, iRoot: number): void {
  const { sz } = p.payloadSize(iRoot, true);
  p.delta += p.changePayloadSize(iRoot, sz + p.delta);
}

/**
 * The blob to insert when the path continues past the missing element: for
 * json_insert('{}', '$.a.b.c', 1) the search stops at .a and {"b":{"c":1}}
 * is built here from the path tail.
 */
function createEditSubstructure(p: JsonParse, tail: Uint8Array, at: number): { blob: Uint8Array; rc: number } {
  if (at >= tail.length) return { blob: p.aIns, rc: 0 };
  const ins = new JsonParse();
  ins.appendByte(tail[at] === 0x2e ? JSONB_OBJECT : JSONB_ARRAY);
  ins.eEdit = p.eEdit;
  ins.aIns = p.aIns;
  const rc = lookupStep(ins, 0, tail, at, 0);
  return { blob: ins.bytes(), rc };
}

/**
 * Follows `path` from byte `at` starting at the element iRoot (whose label
 * is at iLabel when it is an object member's value, else 0). Returns the
 * element's offset or a LOOKUP_* code; applies p.eEdit at the end of the path.
 */
export function lookupStep(p: JsonParse, iRoot: number, path: Uint8Array, at: number, iLabel: number): number {
  if (at >= path.length) {
    // json_array_insert's path must end in [N] (reaching here via a label is an error).
    if (p.eEdit === JsonEdit.ArrayInsert && iLabel > 0) return LOOKUP_NOT_ARRAY_ELEMENT;
    if (p.eEdit !== JsonEdit.None) {
      const { n, sz } = p.payloadSize(iRoot);
      let size = n + sz;
      if (p.eEdit === JsonEdit.Delete) {
        if (iLabel > 0) {
          size += iRoot - iLabel;
          iRoot = iLabel;
        }
        p.edit(iRoot, size, null);
      } else if (p.eEdit === JsonEdit.Replace || p.eEdit === JsonEdit.Set) {
        p.edit(iRoot, size, p.aIns);
      }
    }
    p.iLabel = iLabel;
    return iRoot;
  }
  if (path[at] === 0x2e) return lookupMember(p, iRoot, path, at + 1);
  if (path[at] === 0x5b) return lookupElement(p, iRoot, path, at);
  return LOOKUP_PATHERROR;
}

function lookupMember(p: JsonParse, iRoot: number, path: Uint8Array, at: number): number {
  let keyStart: number;
  let keyEnd: number;
  let rest: number;
  let rawKey = true;
  if (path[at] === 0x22) {
    keyStart = at + 1;
    let i = keyStart;
    // A backslash escapes the next character ('$."a\\"b"'), as SQLite 3.5x allows.
    for (; i < path.length && path[i] !== 0x22; i++) if (path[i] === 0x5c && i + 1 < path.length) i++;
    if (i >= path.length) return LOOKUP_PATHERROR;
    keyEnd = i;
    rest = i + 1;
    rawKey = path.subarray(keyStart, keyEnd).indexOf(0x5c) < 0;
  } else {
    keyStart = at;
    let i = at;
    while (i < path.length && path[i] !== 0x2e && path[i] !== 0x5b) i++;
    keyEnd = rest = i;
    if (keyEnd === keyStart) return LOOKUP_PATHERROR;
  }
  if (p.typeAt(iRoot) !== JSONB_OBJECT) return LOOKUP_NOTFOUND;
  const root = p.payloadSize(iRoot);
  let j = iRoot + root.n;
  const iEnd = j + root.sz;
  while (j < iEnd) {
    const x = p.typeAt(j);
    if (x < JSONB_TEXT || x > JSONB_TEXTRAW) return LOOKUP_ERROR;
    const label = p.payloadSize(j);
    if (label.n === 0) return LOOKUP_ERROR;
    const k = j + label.n;
    if (k + label.sz >= iEnd) return LOOKUP_ERROR;
    const rawLabel = x === JSONB_TEXT || x === JSONB_TEXTRAW;
    if (labelsEqual(path, keyStart, keyEnd, rawKey, p.aBlob, k, k + label.sz, rawLabel)) {
      const v = k + label.sz;
      if (p.typeAt(v) > JSONB_OBJECT) return LOOKUP_ERROR;
      const value = p.payloadSize(v);
      if (value.n === 0 || v + value.n + value.sz > iEnd) return LOOKUP_ERROR;
      const rc = lookupStep(p, v, path, rest, j);
      if (p.delta) afterEditSizeAdjust(p, iRoot);
      return rc;
    }
    j = k + label.sz;
    if (p.typeAt(j) > JSONB_OBJECT) return LOOKUP_ERROR;
    const value = p.payloadSize(j);
    if (value.n === 0) return LOOKUP_ERROR;
    j += value.n + value.sz;
  }
  if (j > iEnd) return LOOKUP_ERROR;
  if (createsMissing(p)) {
    // json_array_insert creates a missing member only on the way to a final [N].
    if (p.eEdit === JsonEdit.ArrayInsert && (rest >= path.length || path[path.length - 1] !== 0x5d)) {
      return LOOKUP_NOT_ARRAY_ELEMENT;
    }
    const label = new JsonParse();
    label.appendNode(rawKey ? JSONB_TEXTRAW : JSONB_TEXT5, keyEnd - keyStart);
    const { blob, rc } = createEditSubstructure(p, path, rest);
    if (rc >= 0) {
      const header = label.bytes();
      const key = path.subarray(keyStart, keyEnd);
      const total = header.length + key.length + blob.length;
      p.edit(j, 0, null, total);
      p.aBlob.set(header, j);
      p.aBlob.set(key, j + header.length);
      p.aBlob.set(blob, j + header.length + key.length);
      if (p.delta) afterEditSizeAdjust(p, iRoot);
    }
    return rc;
  }
  return LOOKUP_NOTFOUND;
}

function lookupElement(p: JsonParse, iRoot: number, path: Uint8Array, at: number): number {
  if (p.typeAt(iRoot) !== JSONB_ARRAY) return LOOKUP_NOTFOUND;
  const root = p.payloadSize(iRoot);
  let k = 0;
  let i = at + 1;
  while (isDigitByte(path[i] ?? 0)) {
    k = k * 10 + path[i]! - 0x30;
    i++;
  }
  if (i < at + 2 || path[i] !== 0x5d) {
    if (path[at + 1] !== 0x23) return LOOKUP_PATHERROR;
    k = arrayCount(p, iRoot);
    i = at + 2;
    if (path[at + 2] === 0x2d && isDigitByte(path[at + 3] ?? 0)) {
      let back = 0;
      i = at + 3;
      do {
        back = back * 10 + path[i]! - 0x30;
        i++;
      } while (isDigitByte(path[i] ?? 0));
      if (back > k) return LOOKUP_NOTFOUND;
      k -= back;
    }
    if (path[i] !== 0x5d) return LOOKUP_PATHERROR;
  }
  const lastStep = i + 1 >= path.length;
  let j = iRoot + root.n;
  const iEnd = j + root.sz;
  while (j < iEnd) {
    if (k === 0) {
      if (lastStep && p.eEdit === JsonEdit.ArrayInsert) {
        p.edit(j, 0, p.aIns);
        afterEditSizeAdjust(p, iRoot);
        return j;
      }
      const rc = lookupStep(p, j, path, i + 1, 0);
      if (p.delta) afterEditSizeAdjust(p, iRoot);
      return rc;
    }
    k--;
    const element = p.payloadSize(j);
    if (element.n === 0) return LOOKUP_ERROR;
    j += element.n + element.sz;
  }
  if (j > iEnd) return LOOKUP_ERROR;
  if (k > 0) return LOOKUP_NOTFOUND;
  if (lastStep && p.eEdit === JsonEdit.ArrayInsert) {
    p.edit(j, 0, p.aIns);
    afterEditSizeAdjust(p, iRoot);
    return j;
  }
  if (createsMissing(p)) {
    const { blob, rc } = createEditSubstructure(p, path, i + 1);
    if (rc >= 0) p.edit(j, 0, blob);
    if (p.delta) afterEditSizeAdjust(p, iRoot);
    return rc;
  }
  return LOOKUP_NOTFOUND;
}
