// The table-valued functions json_each(json [, root]) and json_tree(json
// [, root]) as row generators, reproducing SQLite's virtual tables: rows in
// document order, `id` = byte offset of the element in SQLite's JSONB form,
// `parent` = id of the containing element (json_tree only), fullkey/path
// with SQLite's quoting of labels.
import type { SqlValue } from "../value/types.js";
import {
  ByteString,
  JSONB_ARRAY,
  JSONB_OBJECT,
  JSONB_TYPE_NAMES,
  JsonParse,
  fromUtf8,
  isAlnumByte,
  isAlphaByte,
  utf8,
} from "./json-blob.js";
import { LOOKUP_NOTFOUND, lookupStep } from "./json-path.js";
import { badPath, jsonArg, sqlValueFromJsonb } from "./json-value.js";
import { sqlTextOf } from "./datetime-value-text.js";

/**
 * A table-valued function for the executor: `FROM name(arg0, arg1)` binds
 * the arguments to the hidden columns in order and scans `rows(args)`. Each
 * row has one value per visible column followed by one per hidden column
 * (the contract of exec/table-function.ts). Values in the `value` column of
 * array/object elements are JSON text: the executor should give them the
 * JSON subtype (see json-value.ts SubtypeContext) — `jsonColumns(row)` says
 * which.
 */
export interface TableValuedFunction {
  name: string;
  /** Visible columns: key, value, type, atom, id, parent, fullkey, path. */
  columns: readonly string[];
  /** Hidden columns bound to the arguments: json, root. */
  hiddenColumns: readonly string[];
  rows(args: readonly SqlValue[]): Iterable<SqlValue[]>;
  /** Indexes of columns in `row` whose value carries the JSON subtype. */
  jsonColumns(row: readonly SqlValue[]): readonly number[];
}

const COLUMNS = ["key", "value", "type", "atom", "id", "parent", "fullkey", "path"] as const;
const HIDDEN_COLUMNS = ["json", "root"] as const;
const VALUE_COLUMN = 1;
const TYPE_COLUMN = 2;

interface Parent {
  /** Offset of the element's label (objects) or of the element itself. */
  iHead: number;
  /** Offset of the container value. */
  iValue: number;
  iEnd: number;
  /** Length of `path` before this level's name was appended. */
  nPath: number;
  /** Array index of the current child. */
  iKey: number;
}

/** SQLite's JsonEachCursor. */
class JsonEachCursor {
  iRowid = 0;
  i = 0;
  iEnd = 0;
  nRoot = 0;
  /** Type of the container of element i (0 at the top). */
  eType = 0;
  parents: Parent[] = [];
  path = new ByteString();

  constructor(
    readonly parse: JsonParse,
    readonly recursive: boolean,
  ) {}

  get nParent(): number {
    return this.parents.length;
  }

  private skipLabel(): number {
    if (this.eType === JSONB_OBJECT) {
      const { n, sz } = this.parse.payloadSize(this.i);
      return this.i + n + sz;
    }
    return this.i;
  }

  private appendPathName(): void {
    if (this.eType === JSONB_ARRAY) {
      this.path.ascii(`[${this.parents[this.nParent - 1]!.iKey}]`);
      return;
    }
    const { n, sz } = this.parse.payloadSize(this.i);
    const k = this.i + n;
    const z = this.parse.aBlob;
    let needQuote = sz === 0 || !isAlphaByte(z[k]!);
    for (let j = 0; !needQuote && j < sz; j++) if (!isAlnumByte(z[k + j]!)) needQuote = true;
    this.path.byte(0x2e);
    if (needQuote) this.path.byte(0x22);
    this.path.append(z, k, k + sz);
    if (needQuote) this.path.byte(0x22);
  }

  next(): void {
    const p = this.parse;
    if (this.recursive) {
      let levelChange = false;
      const i = this.skipLabel();
      const x = p.typeAt(i);
      const { n, sz } = p.payloadSize(i);
      if (x === JSONB_OBJECT || x === JSONB_ARRAY) {
        levelChange = true;
        const parent: Parent = { iHead: this.i, iValue: i, iEnd: i + n + sz, iKey: -1, nPath: this.path.length };
        if (this.eType && this.nParent) this.appendPathName();
        this.parents.push(parent);
        this.i = i + n;
      } else {
        this.i = i + n + sz;
      }
      while (this.nParent > 0 && this.i >= this.parents[this.nParent - 1]!.iEnd) {
        this.path.length = this.parents.pop()!.nPath;
        levelChange = true;
      }
      if (levelChange) {
        this.eType = this.nParent > 0 ? p.typeAt(this.parents[this.nParent - 1]!.iValue) : 0;
      }
    } else {
      const i = this.skipLabel();
      const { n, sz } = p.payloadSize(i);
      this.i = i + n + sz;
    }
    if (this.eType === JSONB_ARRAY && this.nParent) this.parents[this.nParent - 1]!.iKey++;
    this.iRowid++;
  }

  /** Length of the `path` column: for json_tree's first row, the path of the root's parent. */
  private pathLength(): number {
    let n = this.path.length;
    const z = this.path.bytes;
    if (this.iRowid === 0 && this.recursive && n >= 2) {
      while (n > 1) {
        n--;
        if (z[n] === 0x5b || z[n] === 0x2e) {
          const x = lookupStep(this.parse, 0, z.slice(0, n), 1, 0);
          if (x < 0) continue;
          if (x + this.parse.payloadSize(x).n === this.i) break;
        }
      }
    }
    return n;
  }

  row(jsonColumn: SqlValue): SqlValue[] {
    const p = this.parse;
    const i = this.skipLabel();
    const t = p.typeAt(i);
    return [
      this.key(),
      sqlValueFromJsonb(p, i),
      JSONB_TYPE_NAMES[t]!,
      t < JSONB_ARRAY ? sqlValueFromJsonb(p, i) : null,
      this.i,
      this.nParent > 0 && this.recursive ? this.parents[this.nParent - 1]!.iHead : null,
      this.fullKey(),
      fromUtf8(this.path.bytes, 0, this.pathLength()),
      jsonColumn,
      fromUtf8(this.path.bytes, 0, this.nRoot),
    ];
  }

  private key(): SqlValue {
    if (this.nParent === 0) {
      if (this.nRoot === 1) return null;
      const j = this.pathLength();
      const n = this.nRoot - j;
      const z = this.path.bytes;
      if (n === 0) return null;
      if (z[j] === 0x5b) return Number(/^\d+/.exec(fromUtf8(z, j + 1, j + n))?.[0] ?? 0);
      if (z[j + 1] === 0x22) return fromUtf8(z, j + 2, j + n - 1);
      return fromUtf8(z, j + 1, j + n);
    }
    if (this.eType === JSONB_OBJECT) return sqlValueFromJsonb(this.parse, this.i);
    return this.parents[this.nParent - 1]!.iKey;
  }

  private fullKey(): string {
    const base = this.path.length;
    if (this.nParent) this.appendPathName();
    const text = fromUtf8(this.path.bytes, 0, this.path.length);
    this.path.length = base;
    return text;
  }
}

function* eachRows(args: readonly SqlValue[], recursive: boolean): Generator<SqlValue[]> {
  const input = args[0] ?? null;
  const parse = jsonArg(input);
  if (parse === null) return;
  const cursor = new JsonEachCursor(parse, recursive);
  let i: number;
  if (args.length >= 2) {
    const root = sqlTextOf(args[1]!);
    if (root === null) return;
    if (root[0] !== "$") throw badPath(root);
    const rootBytes = utf8(root);
    cursor.nRoot = rootBytes.length;
    if (root.length === 1) {
      i = cursor.i = 0;
      cursor.eType = 0;
    } else {
      i = lookupStep(parse, 0, rootBytes, 1, 0);
      if (i === LOOKUP_NOTFOUND) return;
      if (i < 0) throw badPath(root);
      if (parse.iLabel) {
        cursor.i = parse.iLabel;
        cursor.eType = JSONB_OBJECT;
      } else {
        cursor.i = i;
        cursor.eType = JSONB_ARRAY;
      }
    }
    cursor.path.append(rootBytes);
  } else {
    i = cursor.i = 0;
    cursor.eType = 0;
    cursor.nRoot = 1;
    cursor.path.byte(0x24);
  }
  const { n, sz } = parse.payloadSize(i);
  cursor.iEnd = i + n + sz;
  if (parse.typeAt(i) >= JSONB_ARRAY && !recursive) {
    cursor.i = i + n;
    cursor.eType = parse.typeAt(i);
    cursor.parents.push({ iKey: 0, iEnd: cursor.iEnd, iHead: cursor.i, iValue: i, nPath: 0 });
  }
  // The hidden `json` column echoes the input (text, or the JSONB blob).
  const jsonColumn: SqlValue = input instanceof Uint8Array && parse.zJson === null ? input : (sqlTextOf(input) ?? null);
  while (cursor.i < cursor.iEnd) {
    yield cursor.row(jsonColumn);
    cursor.next();
  }
}

function tableFunction(name: string, recursive: boolean): TableValuedFunction {
  return {
    name,
    columns: COLUMNS,
    hiddenColumns: HIDDEN_COLUMNS,
    rows: (args) => eachRows(args, recursive),
    jsonColumns: (row) => (row[TYPE_COLUMN] === "array" || row[TYPE_COLUMN] === "object" ? [VALUE_COLUMN] : []),
  };
}

export const jsonEach: TableValuedFunction = tableFunction("json_each", false);
export const jsonTree: TableValuedFunction = tableFunction("json_tree", true);
export const jsonTableFunctions: readonly TableValuedFunction[] = [jsonEach, jsonTree];
