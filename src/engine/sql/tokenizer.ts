// SQL tokenizer following SQLite's tokenize.c: a hand-written scanner over
// char codes that turns SQL text into tokens (keywords, identifiers, literals,
// variables, operators). Whitespace and comments are skipped. Malformed input
// becomes an ILLEGAL token; the parser reports it as SQLite does
// (`unrecognized token: "..."`) only when it reaches it, so that an earlier
// syntax error wins, as in SQLite.

import { FALLBACK_ID, JOIN_KEYWORDS, KEYWORDS, KEYWORDS_ANY_CASE, type Keyword } from "./keywords.js";

/** Token types that are not keywords. Keywords use their upper-case name as type. */
export type LiteralTokenType =
  | "ID"
  | "STRING"
  | "INTEGER"
  | "FLOAT"
  | "BLOB"
  | "VARIABLE"
  | "ILLEGAL"
  | "EOF";

export type PunctTokenType =
  | ";"
  | "("
  | ")"
  | ","
  | "."
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "="
  | "=="
  | "!="
  | "<>"
  | "<"
  | "<="
  | ">"
  | ">="
  | "<<"
  | ">>"
  | "&"
  | "|"
  | "||"
  | "~"
  | "->"
  | "->>";

export type TokenType = LiteralTokenType | PunctTokenType | Keyword;

export interface Token {
  type: TokenType;
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

// Character classes, indexed by char code (< 128); codes >= 128 are
// identifier characters, as SQLite treats every non-ASCII UTF-8 byte.
const ID_START = new Uint8Array(128);
const ID_CHAR = new Uint8Array(128);
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alpha = /[A-Za-z_]/.test(ch);
  ID_START[c] = alpha ? 1 : 0;
  ID_CHAR[c] = alpha || /[0-9$]/.test(ch) ? 1 : 0;
  if (/[0-9]/.test(ch)) HEX_VALUE[c] = c - 48;
  else if (/[a-f]/.test(ch)) HEX_VALUE[c] = c - 87;
  else if (/[A-F]/.test(ch)) HEX_VALUE[c] = c - 55;
}

function isIdChar(c: number): boolean {
  return c >= 128 || ID_CHAR[c] === 1;
}

function isIdStart(c: number): boolean {
  return c >= 128 || ID_START[c] === 1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function hexValue(c: number): number {
  return c < 128 ? HEX_VALUE[c] : -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

/** Result of tokenizing a whole text. */
export interface TokenList {
  tokens: Token[];
  /** True when the text ends inside a `/* ...` comment (sqlite3_complete says incomplete). */
  unterminatedComment: boolean;
}

/** Tokenizes `sql` completely; the last token is always EOF. */
export function tokenize(sql: string): TokenList {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  let unterminatedComment = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && sql.charCodeAt(i) !== 10) i++;
      continue;
    }
    // "/*" as the very last two characters is a slash and a star, as in SQLite.
    if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */ && i + 2 < n) {
      const close = sql.indexOf("*/", i + 2);
      if (close < 0) {
        unterminatedComment = true;
        i = n;
      } else {
        i = close + 2;
      }
      continue;
    }
    const end = scanToken(sql, i, c);
    tokens.push({ type: scannedType, start: i, end });
    i = end;
  }
  tokens.push({ type: "EOF", start: n, end: n });
  classifyWindowKeywords(tokens);
  return { tokens, unterminatedComment };
}

/** Whether a token can be an identifier (SQLite's getToken() folding to TK_ID). */
function isIdLike(t: Token): boolean {
  const type = t.type;
  return type === "ID" || type === "STRING" || type === "WINDOW" || type === "OVER" || FALLBACK_ID.has(type) || JOIN_KEYWORDS.has(type);
}

/**
 * WINDOW, OVER and FILTER are keywords only in context, decided as SQLite's
 * tokenizer does (analyzeWindowKeyword & co.); elsewhere they become IDs:
 * WINDOW when followed by `name AS`, OVER after `)` when followed by `(` or
 * a name, FILTER after `)` when followed by `(`.
 */
function classifyWindowKeywords(tokens: Token[]): void {
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    let keyword = true;
    if (t.type === "WINDOW") {
      keyword = isIdLike(tokens[i + 1]) && tokens[i + 2]?.type === "AS";
    } else if (t.type === "OVER") {
      const next = tokens[i + 1];
      keyword = i > 0 && tokens[i - 1].type === ")" && (next.type === "(" || isIdLike(next));
    } else if (t.type === "FILTER") {
      keyword = i > 0 && tokens[i - 1].type === ")" && tokens[i + 1].type === "(";
    }
    if (!keyword) t.type = "ID";
  }
}

/** The type of the token the last scan* call recognised (avoids a tuple per token). */
let scannedType: TokenType = "EOF";

/** Records `type` as the scanned token's type and returns `end`. */
function found(type: TokenType, end: number): number {
  scannedType = type;
  return end;
}

/** Scans one token starting at `i` (not whitespace or comment); returns its end, type in scannedType. */
function scanToken(sql: string, i: number, c: number): number {
  const next = sql.charCodeAt(i + 1);
  switch (c) {
    case 40:
      return found("(", i + 1);
    case 41:
      return found(")", i + 1);
    case 59:
      return found(";", i + 1);
    case 44:
      return found(",", i + 1);
    case 43:
      return found("+", i + 1);
    case 42:
      return found("*", i + 1);
    case 47:
      return found("/", i + 1);
    case 37:
      return found("%", i + 1);
    case 38:
      return found("&", i + 1);
    case 126:
      return found("~", i + 1);
    case 45: // -  ->  ->>
      if (next === 62) return sql.charCodeAt(i + 2) === 62 ? found("->>", i + 3) : found("->", i + 2);
      return found("-", i + 1);
    case 61: // =  ==
      return next === 61 ? found("==", i + 2) : found("=", i + 1);
    case 60: // <  <=  <>  <<
      if (next === 61) return found("<=", i + 2);
      if (next === 62) return found("<>", i + 2);
      if (next === 60) return found("<<", i + 2);
      return found("<", i + 1);
    case 62: // >  >=  >>
      if (next === 61) return found(">=", i + 2);
      if (next === 62) return found(">>", i + 2);
      return found(">", i + 1);
    case 33: // !=
      return next === 61 ? found("!=", i + 2) : found("ILLEGAL", i + 1);
    case 124: // |  ||
      return next === 124 ? found("||", i + 2) : found("|", i + 1);
    case 39: // 'string'
      return scanQuoted(sql, i, 39, "STRING");
    case 34: // "identifier"
    case 96: // `identifier`
      return scanQuoted(sql, i, c, "ID");
    case 91: {
      // [identifier]: no escapes inside
      const close = sql.indexOf("]", i + 1);
      return close < 0 ? found("ILLEGAL", sql.length) : found("ID", close + 1);
    }
    case 46: // .  or  .5
      return isDigit(next) ? scanNumber(sql, i) : found(".", i + 1);
    case 63: {
      // ?NNN
      let j = i + 1;
      while (isDigit(sql.charCodeAt(j))) j++;
      return found("VARIABLE", j);
    }
    case 36: // $a  :a  @a  #a
    case 58:
    case 64:
    case 35:
      return scanNamedVariable(sql, i);
  }
  if (isDigit(c)) return scanNumber(sql, i);
  if ((c === 120 || c === 88) && next === 39) return scanBlob(sql, i);
  if (isIdStart(c)) return scanWord(sql, i);
  return found("ILLEGAL", i + 1);
}

/** A quoted token with doubled-delimiter escapes; unterminated is ILLEGAL to the end. */
function scanQuoted(sql: string, i: number, delim: number, type: TokenType): number {
  let j = i + 1;
  const n = sql.length;
  while (j < n) {
    if (sql.charCodeAt(j) === delim) {
      if (sql.charCodeAt(j + 1) === delim) j += 2;
      else return found(type, j + 1);
    } else {
      j++;
    }
  }
  return found("ILLEGAL", n);
}

function scanBlob(sql: string, i: number): number {
  let j = i + 2;
  while (hexValue(sql.charCodeAt(j)) >= 0) j++;
  if (sql.charCodeAt(j) !== 39 || (j - i) % 2 === 1) {
    while (j < sql.length && sql.charCodeAt(j) !== 39) j++;
    return found("ILLEGAL", j < sql.length ? j + 1 : j);
  }
  return found("BLOB", j + 1);
}

/** Digits (hex digits when `hex`) and `_` separators (SQLite 3.46+), from `j`; returns the end. */
function skipDigits(sql: string, j: number, hex: boolean): number {
  for (;;) {
    const c = sql.charCodeAt(j);
    if (c === 95 /* _ */ || (hex ? hexValue(c) >= 0 : isDigit(c))) j++;
    else return j;
  }
}

/**
 * A numeric literal as SQLite's tokenizer sees it, digit separators
 * included; whether each `_` sits between digits is checked when the
 * literal is decoded (Parser.numberLiteral), as SQLite does.
 */
function scanNumber(sql: string, i: number): number {
  let j: number;
  let type: TokenType = "INTEGER";
  if (sql.charCodeAt(i) === 48 && (sql.charCodeAt(i + 1) | 32) === 120 && hexValue(sql.charCodeAt(i + 2)) >= 0) {
    j = skipDigits(sql, i + 3, true);
  } else {
    j = skipDigits(sql, i, false);
    if (sql.charCodeAt(j) === 46) {
      type = "FLOAT";
      j = skipDigits(sql, j + 1, false);
    }
    const e = sql.charCodeAt(j);
    if (e === 101 || e === 69) {
      const s = sql.charCodeAt(j + 1);
      if (isDigit(s) || ((s === 43 || s === 45) && isDigit(sql.charCodeAt(j + 2)))) {
        type = "FLOAT";
        j = skipDigits(sql, j + 2, false);
      }
    }
  }
  // A number glued to identifier characters ("1abc", "1e", "0x") is one bad token.
  if (j < sql.length && isIdChar(sql.charCodeAt(j))) {
    while (j < sql.length && isIdChar(sql.charCodeAt(j))) j++;
    return found("ILLEGAL", j);
  }
  return found(type, j);
}

/** `:name`, `@name`, `$name`, `#name`, plus TCL forms `$a::b` and `$a(suffix)`. */
function scanNamedVariable(sql: string, i: number): number {
  let j = i + 1;
  let nameChars = 0;
  const n = sql.length;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (isIdChar(c)) {
      nameChars++;
      j++;
    } else if (c === 40 && nameChars > 0) {
      j++;
      while (j < n && !isSpace(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 41) j++;
      if (sql.charCodeAt(j) === 41) return found("VARIABLE", j + 1);
      return found("ILLEGAL", j);
    } else if (c === 58 && sql.charCodeAt(j + 1) === 58) {
      j += 2;
    } else {
      break;
    }
  }
  return found(nameChars === 0 ? "ILLEGAL" : "VARIABLE", j);
}

/**
 * An identifier or keyword. Case is tracked while scanning so that the usual
 * all-upper or all-lower words need one map lookup and no case conversion.
 */
function scanWord(sql: string, i: number): number {
  let j = i;
  let cases = 0; // bit 1: has a lower-case letter, bit 2: has an upper-case letter
  const n = sql.length;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (!isIdChar(c)) break;
    if (c >= 97 && c <= 122) cases |= 1;
    else if (c >= 65 && c <= 90) cases |= 2;
    j++;
  }
  const len = j - i;
  if (len < 2 || len > 17) return found("ID", j);
  const word = sql.slice(i, j);
  const kw = cases === 3 ? KEYWORDS.get(word.toUpperCase()) : KEYWORDS_ANY_CASE.get(word);
  return found(kw ?? "ID", j);
}
