import { EngineError } from "./errors";

/** The SQL flavour that decides quoting, comment and delimiter rules. */
export type SqlFlavor = "postgres" | "mysql";

/** One statement of a script, as it will be sent to the server. */
export interface SqlStatement {
  /** The statement text, trimmed, without its terminating delimiter. */
  readonly text: string;
  /** 1-based number of the statement in the script. */
  readonly index: number;
  /** 1-based line of the script where the statement starts. */
  readonly line: number;
  /** Offset in the script of the first character of `text`. */
  readonly start: number;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * Splits a script into statements the way `psql` (flavour `postgres`) or the `mysql`/`mariadb`
 * client (flavour `mysql`) would: delimiters inside quotes, quoted identifiers, comments and
 * PostgreSQL dollar-quoted bodies do not end a statement; MySQL `DELIMITER` lines change the
 * delimiter (for procedures and triggers) and are not sent. Statements that hold only comments are
 * dropped. An unterminated quote or comment is an error naming its line.
 */
export function splitSql(script: string, flavor: SqlFlavor): SqlStatement[] {
  return new Splitter(script, flavor).run();
}

class Splitter {
  private readonly statements: SqlStatement[] = [];
  private pos = 0;
  private stmtStart = 0;
  private hasCode = false;
  private codeStart = 0;
  private readonly lineStarts: number[] = [0];
  private delimiter = ";";
  private parenDepth = 0;
  // PostgreSQL `CREATE FUNCTION ... BEGIN ATOMIC ... END` bodies: the first words of the statement
  // and the BEGIN/CASE ... END nesting inside them, as psql tracks them.
  private words: string[] = [];
  private beginDepth = 0;

  constructor(
    private readonly src: string,
    private readonly flavor: SqlFlavor,
  ) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  run(): SqlStatement[] {
    const { src } = this;
    while (this.pos < src.length) {
      const ch = src[this.pos]!;
      const next = src[this.pos + 1];
      if (this.flavor === "mysql" && !this.hasCode && this.atLineStart() && this.tryDelimiterCommand()) continue;
      if (ch === "-" && next === "-" && (this.flavor === "postgres" || isMysqlDashCommentStart(src[this.pos + 2]))) {
        this.skipLineComment();
      } else if (ch === "#" && this.flavor === "mysql") {
        this.skipLineComment();
      } else if (ch === "/" && next === "*") {
        this.skipBlockComment();
      } else if (this.startsWith(this.delimiter) && this.parenDepth === 0 && this.beginDepth === 0) {
        this.endStatement(this.pos);
        this.pos += this.delimiter.length;
        this.stmtStart = this.pos;
      } else if (ch === "'") {
        this.markCode();
        const escapes = this.flavor === "mysql" || this.isPostgresEscapeString();
        this.skipQuoted("'", escapes);
      } else if (ch === '"') {
        this.markCode();
        this.skipQuoted('"', this.flavor === "mysql");
      } else if (ch === "`" && this.flavor === "mysql") {
        this.markCode();
        this.skipQuoted("`", false);
      } else if (ch === "$" && this.flavor === "postgres" && this.tryDollarQuote()) {
        this.markCode();
      } else if (/\s/.test(ch)) {
        this.pos++;
      } else if (this.flavor === "postgres" && /[A-Za-z_]/.test(ch) && !this.prevIsIdentChar()) {
        this.markCode();
        this.readWord();
      } else {
        this.markCode();
        if (this.flavor === "postgres" && ch === "(") this.parenDepth++;
        if (this.flavor === "postgres" && ch === ")" && this.parenDepth > 0) this.parenDepth--;
        this.pos++;
      }
    }
    this.endStatement(src.length);
    return this.statements;
  }

  private markCode(): void {
    if (!this.hasCode) this.codeStart = this.pos;
    this.hasCode = true;
  }

  private startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  private prevIsIdentChar(): boolean {
    return this.pos > 0 && IDENT_CHAR.test(this.src[this.pos - 1]!);
  }

  private atLineStart(): boolean {
    let i = this.pos - 1;
    while (i >= 0 && (this.src[i] === " " || this.src[i] === "\t")) i--;
    return i < 0 || this.src[i] === "\n" || this.src[i] === "\r";
  }

  private lineAt(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(offset: number, what: string): never {
    throw new EngineError("SQL_SPLIT", `${what} starting on line ${this.lineAt(offset)} is never closed`);
  }

  /** `DELIMITER //` (MySQL client command): switches the delimiter; the line is not sent. */
  private tryDelimiterCommand(): boolean {
    const rest = this.src.slice(this.pos, this.pos + 12);
    if (!/^delimiter[ \t]/i.test(rest)) return false;
    const eol = this.src.indexOf("\n", this.pos);
    const lineEnd = eol === -1 ? this.src.length : eol;
    const arg = this.src.slice(this.pos + "delimiter".length, lineEnd).trim().split(/\s+/)[0] ?? "";
    if (arg === "") {
      throw new EngineError("SQL_SPLIT", `DELIMITER on line ${this.lineAt(this.pos)} needs a delimiter, e.g. DELIMITER //`);
    }
    this.delimiter = arg;
    this.pos = lineEnd;
    this.stmtStart = lineEnd;
    return true;
  }

  private skipLineComment(): void {
    const eol = this.src.indexOf("\n", this.pos);
    this.pos = eol === -1 ? this.src.length : eol;
  }

  private skipBlockComment(): void {
    const start = this.pos;
    // MySQL executable comments (/*! ... */) are code the server runs.
    if (this.flavor === "mysql" && (this.src[this.pos + 2] === "!" || this.src.startsWith("M!", this.pos + 2))) {
      this.markCode();
    }
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.startsWith("/*") && (depth === 0 || this.flavor === "postgres")) {
        depth++;
        this.pos += 2;
      } else if (this.startsWith("*/")) {
        depth--;
        this.pos += 2;
        if (depth === 0) return;
      } else {
        this.pos++;
      }
    }
    this.fail(start, "Block comment");
  }

  /** PostgreSQL E'...' strings take backslash escapes; standard strings do not. */
  private isPostgresEscapeString(): boolean {
    const prev = this.src[this.pos - 1];
    if (prev !== "E" && prev !== "e") return false;
    const before = this.src[this.pos - 2];
    return before === undefined || !IDENT_CHAR.test(before);
  }

  private skipQuoted(quote: string, backslashEscapes: boolean): void {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (backslashEscapes && ch === "\\") {
        this.pos += 2;
      } else if (ch === quote) {
        if (this.src[this.pos + 1] === quote) {
          this.pos += 2;
        } else {
          this.pos++;
          return;
        }
      } else {
        this.pos++;
      }
    }
    this.fail(start, quote === "`" ? "Quoted identifier" : quote === '"' ? "Double-quoted text" : "String literal");
  }

  private tryDollarQuote(): boolean {
    if (this.prevIsIdentChar()) return false;
    const match = DOLLAR_TAG.exec(this.src.slice(this.pos, this.pos + 64));
    if (!match) return false;
    const tag = match[0];
    const close = this.src.indexOf(tag, this.pos + tag.length);
    if (close === -1) this.fail(this.pos, `Dollar-quoted text ${tag}`);
    this.pos = close + tag.length;
    return true;
  }

  private readWord(): void {
    const start = this.pos;
    while (this.pos < this.src.length && IDENT_CHAR.test(this.src[this.pos]!)) this.pos++;
    const word = this.src.slice(start, this.pos).toLowerCase();
    if (this.words.length < 4) this.words.push(word);
    const [w0, w1, w2, w3] = this.words;
    const inRoutine =
      w0 === "create" &&
      (w1 === "function" || w1 === "procedure" || (w1 === "or" && w2 === "replace" && (w3 === "function" || w3 === "procedure")));
    if (!inRoutine || this.parenDepth > 0) return;
    if (word === "begin") this.beginDepth++;
    else if (word === "case" && this.beginDepth > 0) this.beginDepth++;
    else if (word === "end" && this.beginDepth > 0) this.beginDepth--;
  }

  private endStatement(end: number): void {
    if (this.hasCode) {
      const raw = this.src.slice(this.stmtStart, end);
      const lead = raw.length - raw.trimStart().length;
      const start = this.stmtStart + lead;
      this.statements.push({
        text: raw.trim(),
        index: this.statements.length + 1,
        line: this.lineAt(this.codeStart),
        start,
      });
    }
    this.hasCode = false;
    this.parenDepth = 0;
    this.beginDepth = 0;
    this.words = [];
  }
}

/** MySQL only treats `--` as a comment when a space or control character follows it. */
function isMysqlDashCommentStart(ch: string | undefined): boolean {
  return ch === undefined || ch === " " || ch === "\t" || ch === "\n" || ch === "\r";
}

/** 1-based line number of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
