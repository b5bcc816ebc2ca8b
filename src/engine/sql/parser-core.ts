// The shared core of the recursive-descent parser: a cursor over the token
// list, SQLite-style syntax errors, identifier/keyword classification, literal
// decoding, and bind-parameter numbering. The grammar itself lives in the
// parse-*.ts files as functions taking a Parser.

import { SqliteError } from "../errors.js";
import { INT64_MAX, intValue, IntegralReal } from "../value/types.js";
import type {
  BlobLiteral,
  Ident,
  NumberLiteral,
  Param,
  ParameterInfo,
  QuoteStyle,
  StringLiteral,
} from "./ast.js";
import { FALLBACK_ID, JOIN_KEYWORDS } from "./keywords.js";
import { hexValue, type Token, type TokenType } from "./tokenizer.js";

/** SQLite's SQLITE_MAX_VARIABLE_NUMBER default. */
const MAX_VARIABLE_NUMBER = 32766;
/** Nesting limit for expressions and subqueries (SQLite: SQLITE_MAX_EXPR_DEPTH). */
const MAX_DEPTH = 1000;

export class Parser {
  /** Index of the current token in `tokens`. */
  pos: number;
  /** > 0 while parsing the SELECT / VALUES source of an INSERT (where ON and RETURNING may follow). */
  insertSourceDepth = 0;
  private depth = 0;
  private paramMax = 0;
  private paramNames: (string | null)[] = [];
  private namedParams = new Map<string, number>();

  constructor(
    readonly sql: string,
    readonly tokens: Token[],
    startPos = 0,
  ) {
    this.pos = startPos;
    this.checkLegal(this.tokens[startPos]);
  }

  // -- cursor -------------------------------------------------------------

  get cur(): Token {
    return this.tokens[this.pos];
  }

  /** The token `n` positions ahead of the current one (EOF past the end). */
  peek(n = 1): Token {
    const i = this.pos + n;
    return i < this.tokens.length ? this.tokens[i] : this.tokens[this.tokens.length - 1];
  }

  /** End offset of the last consumed token. */
  get lastEnd(): number {
    return this.tokens[this.pos - 1].end;
  }

  is(type: TokenType): boolean {
    return this.tokens[this.pos].type === type;
  }

  advance(): Token {
    const t = this.tokens[this.pos];
    if (t.type !== "EOF") {
      this.pos++;
      this.checkLegal(this.tokens[this.pos]);
    }
    return t;
  }

  /** How many `(` consumed so far are still open (for the rare checks that depend on nesting). */
  openParens(): number {
    let open = 0;
    for (let i = 0; i < this.pos; i++) {
      const type = this.tokens[i].type;
      if (type === "(") open++;
      else if (type === ")") open--;
    }
    return open;
  }

  /** Consumes the current token if it has `type`. */
  accept(type: TokenType): Token | null {
    return this.tokens[this.pos].type === type ? this.advance() : null;
  }

  /** Consumes a token of `type` or fails with SQLite's syntax error at the current token. */
  expect(type: TokenType): Token {
    if (this.tokens[this.pos].type !== type) throw this.syntaxError();
    return this.advance();
  }

  /** Text of a token as written. */
  text(t: Token): string {
    return this.sql.slice(t.start, t.end);
  }

  // -- errors -------------------------------------------------------------

  /** `near "X": syntax error` at token `t`, or `incomplete input` at the end. */
  syntaxError(t: Token = this.cur): SqliteError {
    if (t.type === "EOF") return new SqliteError("incomplete input", "SQLITE_ERROR", t.start);
    return new SqliteError(`near "${this.text(t)}": syntax error`, "SQLITE_ERROR", t.start);
  }

  /** Any other parse-time error with SQLite's message, at `offset`. */
  error(message: string, offset: number): SqliteError {
    return new SqliteError(message, "SQLITE_ERROR", offset);
  }

  private checkLegal(t: Token): void {
    if (t.type === "ILLEGAL") {
      throw new SqliteError(`unrecognized token: "${this.text(t)}"`, "SQLITE_ERROR", t.start);
    }
  }

  /**
   * Guards recursion (nested expressions / subqueries) like SQLite's depth
   * limit. After an error the parser is abandoned, so callers pair
   * enter/leave without try/finally.
   */
  enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw this.error(`Expression tree is too large (maximum depth ${MAX_DEPTH})`, this.cur.start);
    }
  }

  leave(): void {
    this.depth--;
  }

  // -- identifiers ----------------------------------------------------------

  /** `id`: an identifier, a keyword that falls back to one, or INDEXED (parse.y's token class). */
  isId(t: Token = this.cur): boolean {
    return t.type === "ID" || t.type === "INDEXED" || FALLBACK_ID.has(t.type);
  }

  /** `nm`: id, a string, or a join keyword (table, column, index names). */
  isNm(t: Token = this.cur): boolean {
    return this.isId(t) || t.type === "STRING" || JOIN_KEYWORDS.has(t.type);
  }

  /** `ids`: id or string (aliases without AS, collation names, type words). */
  isIds(t: Token = this.cur): boolean {
    return t.type === "ID" || t.type === "STRING" || FALLBACK_ID.has(t.type);
  }

  /** Consumes a `nm` or fails. */
  nm(): Ident {
    if (!this.isNm()) throw this.syntaxError();
    return this.identFrom(this.advance());
  }

  /** Consumes an `ids` or fails. */
  ids(): Ident {
    if (!this.isIds()) throw this.syntaxError();
    return this.identFrom(this.advance());
  }

  /** Consumes `nm [. nm]`, returning [schema, name]. */
  qualifiedName(): [Ident | null, Ident] {
    const first = this.nm();
    if (this.accept(".")) return [first, this.nm()];
    return [null, first];
  }

  /** `(nm, nm, ...)`; the caller has not consumed the `(`. */
  nameList(): Ident[] {
    this.expect("(");
    const names = [this.nm()];
    while (this.accept(",")) names.push(this.nm());
    this.expect(")");
    return names;
  }

  /** Builds an Ident from an identifier, keyword or string token, dequoting it. */
  identFrom(t: Token): Ident {
    const raw = this.text(t);
    const q = raw.charCodeAt(0);
    let quote: QuoteStyle = "none";
    let name = raw;
    if (q === 34) {
      quote = "double";
      name = undouble(raw, '"');
    } else if (q === 39) {
      quote = "single";
      name = undouble(raw, "'");
    } else if (q === 96) {
      quote = "backtick";
      name = undouble(raw, "`");
    } else if (q === 91) {
      quote = "bracket";
      name = raw.slice(1, -1);
    }
    return { kind: "Ident", name, quote, start: t.start, end: t.end };
  }

  // -- literals -------------------------------------------------------------

  stringLiteral(t: Token): StringLiteral {
    return { kind: "StringLiteral", value: undouble(this.text(t), "'"), start: t.start, end: t.end };
  }

  blobLiteral(t: Token): BlobLiteral {
    const digits = t.end - t.start - 3;
    const value = new Uint8Array(digits >> 1);
    for (let i = 0, at = t.start + 2; i < value.length; i++, at += 2) {
      value[i] = (hexValue(this.sql.charCodeAt(at)) << 4) | hexValue(this.sql.charCodeAt(at + 1));
    }
    return { kind: "BlobLiteral", value, start: t.start, end: t.end };
  }

  /**
   * A numeric literal from an INTEGER or FLOAT token. `negated` only shapes
   * the "hex literal too big" message, which SQLite prints with the sign.
   */
  numberLiteral(t: Token, negated = false): NumberLiteral {
    const raw = this.text(t);
    const digits = raw.includes("_") ? this.withoutSeparators(raw, t) : raw;
    let value: number | bigint | IntegralReal;
    let isInteger = true;
    if (t.type === "FLOAT") {
      value = realLiteral(Number(digits));
      isInteger = false;
    } else if (digits.length <= 15 && (digits.length < 3 || (digits.charCodeAt(1) | 32) !== 120)) {
      value = Number(digits);
    } else if ((digits.charCodeAt(1) | 32) === 120) {
      const hex = digits.slice(2).replace(/^0+/, "");
      if (hex.length > 16) {
        throw this.error(`hex literal too big: ${negated ? "-" : ""}${digits}`, t.start);
      }
      value = hex.length === 0 ? 0 : intValue(BigInt.asIntN(64, BigInt("0x" + hex)));
    } else {
      const big = BigInt(digits);
      if (big <= INT64_MAX) {
        value = intValue(big);
      } else {
        value = realLiteral(Number(digits));
        isInteger = false;
      }
    }
    return { kind: "NumberLiteral", raw, value, isInteger, start: t.start, end: t.end };
  }

  /** The digits of a literal with `_` separators removed; each must sit between two digits. */
  private withoutSeparators(raw: string, t: Token): string {
    const hex = (raw.charCodeAt(1) | 32) === 120;
    const isDigitAt = (i: number): boolean => {
      const c = raw.charCodeAt(i);
      return hex ? hexValue(c) >= 0 : c >= 48 && c <= 57;
    };
    for (let i = raw.indexOf("_"); i >= 0; i = raw.indexOf("_", i + 1)) {
      if (!isDigitAt(i - 1) || !isDigitAt(i + 1)) {
        throw this.error(`unrecognized token: "${raw}"`, t.start);
      }
    }
    return raw.split("_").join("");
  }

  /** A bind parameter token, numbered by SQLite's rules. */
  param(t: Token): Param {
    const text = this.text(t);
    let index: number;
    let name: string | null = text;
    if (text.length === 1 && text === "?") {
      index = this.paramMax + 1;
      name = null;
    } else if (text.charCodeAt(0) === 63) {
      const n = Number(text.slice(1));
      if (!Number.isInteger(n) || n < 1 || n > MAX_VARIABLE_NUMBER) {
        throw this.error(`variable number must be between ?1 and ?${MAX_VARIABLE_NUMBER}`, t.start);
      }
      index = n;
    } else if (text.charCodeAt(0) === 35 && text.charCodeAt(1) >= 48 && text.charCodeAt(1) <= 57) {
      // `#1`-style variables are internal to SQLite's nested parses; SQLite
      // rejects one when it reduces it, unless the next token is already wrong.
      const next = this.peek().type;
      const cannotFollow = next === "INTEGER" || next === "FLOAT" || next === "BLOB" || next === "VARIABLE" || next === ".";
      throw this.syntaxError(cannotFollow ? this.peek() : t);
    } else {
      index = this.namedParams.get(text) ?? this.paramMax + 1;
      this.namedParams.set(text, index);
    }
    if (index > MAX_VARIABLE_NUMBER) throw this.error("too many SQL variables", t.start);
    if (index > this.paramMax) this.paramMax = index;
    if (name !== null && this.paramNames[index - 1] == null) this.paramNames[index - 1] = name;
    return { kind: "Param", name, index, start: t.start, end: t.end };
  }

  /** The parameters seen so far (call after parsing a statement). */
  parameterInfo(): ParameterInfo {
    const names: (string | null)[] = [];
    for (let i = 0; i < this.paramMax; i++) names.push(this.paramNames[i] ?? null);
    return { count: this.paramMax, names };
  }

  /** Forgets parameters, for the next statement of a script. */
  resetParameters(): void {
    this.paramMax = 0;
    this.paramNames = [];
    this.namedParams.clear();
  }
}

function realLiteral(d: number): number | IntegralReal {
  return Number.isSafeInteger(d) ? new IntegralReal(d) : d;
}

/** Strips the surrounding quote characters and undoubles inner ones. */
function undouble(raw: string, quote: string): string {
  const inner = raw.slice(1, -1);
  return inner.includes(quote) ? inner.split(quote + quote).join(quote) : inner;
}
