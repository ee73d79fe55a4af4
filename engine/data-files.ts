import { EngineError } from "./errors";
import { JsonSyntaxError, parseJsonText } from "./json-text";
import { readText, type FileSource } from "./source";

/** The wanted content of one reference table, read from `<table>.json` or `<table>.csv`. */
export interface DataFile {
  /** File name, e.g. `countries.csv`. */
  readonly file: string;
  /** Table name: the file name without its extension. */
  readonly table: string;
  readonly format: "json" | "csv";
  /** Column names in the order they first appear in the file. */
  readonly columns: readonly string[];
  /** For each column, the 1-based data row where it first appears (CSV: 0, the header). */
  readonly firstRow: readonly number[];
  readonly rows: readonly DataRow[];
  /**
   * CSV only: the file's text (without a byte-order mark) when a standard CSV reader that skips one
   * header line, such as PostgreSQL's COPY (FORMAT csv, HEADER), reads exactly these rows from it,
   * with the same NULLs. Absent when the file has blank lines (skipped here, rows there), a carriage
   * return that does not end a line, or a line holding only `\.` (COPY's end-of-data mark).
   */
  readonly csvText?: string;
  /**
   * CSV only: the number of data rows when the file is plain (csvText is set, every record sits on
   * one line with exactly the header's fields, quotes only around whole fields). Such a file is
   * checked without building its rows: `rows` is parsed the first time it is read, and parses
   * without error.
   */
  readonly plainRows?: number;
}

export interface DataRow {
  /**
   * Values aligned with `columns`; `null` is SQL NULL. JSON numbers that a double does not hold
   * exactly are JsonNumber values (their source text).
   */
  readonly values: readonly unknown[];
  /** 1-based data row: the element of the JSON array, or the CSV record after the header. */
  readonly row: number;
  /** CSV only: 1-based line where the record starts (the header is line 1). */
  readonly line?: number;
}

/** How a row is named in messages: as the user finds it in the file. */
export function rowLabel(file: DataFile, row: DataRow): string {
  return row.line === undefined ? `${file.file} row ${row.row}` : `${file.file} line ${row.line} (row ${row.row})`;
}

/** Reads every `.json` and `.csv` file of the source; other files are ignored. */
export async function loadDataFiles(source: FileSource): Promise<DataFile[]> {
  const names = (await source.list()).filter((n) => /\.(json|csv)$/i.test(n)).sort();
  const files: DataFile[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const table = name.replace(/\.(json|csv)$/i, "");
    const other = seen.get(table);
    if (other) throw new EngineError("DATA_FILE", `${other} and ${name} both describe table ${table}; keep one`);
    seen.set(table, name);
    const text = await readText(source, name);
    files.push(/\.json$/i.test(name) ? parseJsonData(name, text) : readCsvData(name, text));
  }
  return files;
}

/**
 * Parses a JSON array of row objects. Keys missing from a row are NULL in that row. Numbers are
 * read losslessly (see json-text.ts).
 */
export function parseJsonData(file: string, text: string): DataFile {
  let parsed: unknown;
  const src = stripBom(text);
  try {
    if (MAY_LOSE_PRECISION.test(src)) {
      parsed = parseJsonText(src);
    } else {
      // Every number has at most 15 significant digits and a small exponent: a double holds it
      // exactly, and the native parser is several times faster. On a syntax error the lossless
      // parser runs to say where.
      parsed = parseNative(src);
    }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const { line, column } = positionAt(src, error.offset);
    throw new EngineError("DATA_FILE", `${file} (line ${line}, column ${column}): not valid JSON: ${error.message}`);
  }
  if (!Array.isArray(parsed)) throw new EngineError("DATA_FILE", `${file}: expected a JSON array of row objects`);
  const columns: string[] = [];
  const firstRow: number[] = [];
  const index = new Map<string, number>();
  parsed.forEach((item, i) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new EngineError("DATA_FILE", `${file} row ${i + 1}: expected an object with one property per column`);
    }
    for (const key of Object.keys(item)) {
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push(key);
        firstRow.push(i + 1);
      }
    }
  });
  const rows = parsed.map((item: Record<string, unknown>, i): DataRow => {
    const values: unknown[] = new Array(columns.length).fill(null);
    for (const [key, value] of Object.entries(item)) values[index.get(key)!] = value ?? null;
    return { values, row: i + 1 };
  });
  return {
    file,
    table: file.replace(/\.json$/i, ""),
    format: "json",
    columns,
    firstRow,
    rows,
  };
}

/** Text that may hold a number a double does not hold exactly: 16 digits, or a 3-digit exponent. */
const MAY_LOSE_PRECISION = /(?:\d\.?){16}|[eE][+-]?\d{3}/;

function parseNative(src: string): unknown {
  try {
    return JSON.parse(src);
  } catch {
    return parseJsonText(src);
  }
}

/** Parses CSV with a header row (RFC 4180); an empty unquoted field is NULL, `""` is an empty string. */
export function parseCsvData(file: string, text: string): DataFile {
  let header: (string | null)[] | undefined;
  const rows: DataRow[] = [];
  try {
    readCsvRecords(text, (fields, line) => {
      if (header === undefined) header = fields;
      else rows.push({ values: fields, row: rows.length + 1, line });
    });
  } catch (error) {
    throw new EngineError("DATA_FILE", `${file} ${(error as Error).message}`);
  }
  if (!header) throw new EngineError("DATA_FILE", `${file}: empty file; the first line must name the columns`);
  const columns = header.map((f, i) => {
    if (f === null || f.trim() === "") throw new EngineError("DATA_FILE", `${file} line 1: column ${i + 1} has no name`);
    return f.trim();
  });
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate) throw new EngineError("DATA_FILE", `${file} line 1: column "${duplicate}" appears twice`);
  for (const r of rows) {
    if (r.values.length !== columns.length) {
      throw new EngineError("DATA_FILE", `${file} line ${r.line} (row ${r.row}): ${r.values.length} fields, but the header has ${columns.length}`);
    }
  }
  const src = stripBom(text);
  const csvText = readsAsStandardCsv(src) ? { csvText: src } : {};
  return { file, table: file.replace(/\.csv$/i, ""), format: "csv", columns, firstRow: columns.map(() => 0), rows, ...csvText };
}

/**
 * A CSV file as parseCsvData reads it, except that a plain file (DataFile.plainRows) has only its
 * header checked now and its rows parsed when first read: a bulk load that sends the file's own
 * text never needs them.
 */
export function readCsvData(file: string, text: string): DataFile {
  const src = stripBom(text);
  const headerEnd = src.indexOf("\n") + 1;
  if (headerEnd === 0 || src.lastIndexOf('"', headerEnd) !== -1 || !readsAsStandardCsv(src)) return parseCsvData(file, text);
  // The header's own checks (names present, none twice), on the header alone.
  const header = parseCsvData(file, src.slice(0, headerEnd));
  const plainRows = countPlainRows(src, headerEnd, header.columns.length);
  if (plainRows === undefined) return parseCsvData(file, text);
  let rows: readonly DataRow[] | undefined;
  return {
    ...header,
    csvText: src,
    plainRows,
    get rows() {
      return (rows ??= parseCsvData(file, text).rows);
    },
  };
}

/**
 * The data rows after `start` when each is one line of exactly `fields` fields, where a quote only
 * opens a field and closes it (`""` inside); undefined at anything else (a quoted line break, a
 * stray quote, a short or long row, an empty line), which the full parser reads or names.
 */
function countPlainRows(src: string, start: number, fields: number): number | undefined {
  let rows = 0;
  let nextQuote = src.indexOf('"', start);
  for (let pos = start; pos < src.length; rows++) {
    const newline = src.indexOf("\n", pos);
    const end = newline === -1 ? src.length : newline;
    const lineEnd = src.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (lineEnd <= pos) return undefined;
    let count = 1;
    if (nextQuote === -1 || nextQuote >= lineEnd) {
      for (let comma = src.indexOf(",", pos); comma !== -1 && comma < lineEnd; comma = src.indexOf(",", comma + 1)) count++;
    } else {
      for (let at = pos; ; count++) {
        let fieldEnd: number;
        if (src.charCodeAt(at) === 34) {
          let close = src.indexOf('"', at + 1);
          while (close !== -1 && close < lineEnd && src.charCodeAt(close + 1) === 34) close = src.indexOf('"', close + 2);
          if (close === -1 || close >= lineEnd) return undefined;
          fieldEnd = close + 1;
          if (fieldEnd < lineEnd && src.charCodeAt(fieldEnd) !== 44) return undefined;
        } else {
          const comma = src.indexOf(",", at);
          fieldEnd = comma === -1 || comma > lineEnd ? lineEnd : comma;
          const quote = src.indexOf('"', at);
          if (quote !== -1 && quote < fieldEnd) return undefined;
        }
        if (fieldEnd >= lineEnd) break;
        at = fieldEnd + 1;
      }
      nextQuote = src.indexOf('"', lineEnd);
    }
    if (count !== fields) return undefined;
    pos = end + 1;
  }
  return rows;
}

/** See DataFile.csvText. Cheap substring tests first: the text can be megabytes. */
function readsAsStandardCsv(src: string): boolean {
  if (src.startsWith("\n") || src.startsWith("\r\n") || src.includes("\n\n") || src.includes("\n\r\n")) return false;
  if (src.includes("\r") && /\r(?!\n)/.test(src)) return false;
  if (src.includes("\\.") && /(?:^|\n)\\\.\r?(?:\n|$)/.test(src)) return false;
  return true;
}

export interface CsvRecord {
  readonly fields: (string | null)[];
  /** 1-based line where the record starts. */
  readonly line: number;
}

/**
 * RFC 4180 records: fields separated by commas, optionally in double quotes (which may hold commas,
 * newlines and `""` for a quote). Lines may end in LF or CRLF; blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  readCsvRecords(text, (fields, line) => records.push({ fields, line }));
  return records;
}

/** Calls `onRecord` for each record of parseCsv, without building a record object for it. */
function readCsvRecords(text: string, onRecord: (fields: (string | null)[], line: number) => void): void {
  const src = stripBom(text);
  let line = 1;
  let pos = 0;
  while (pos < src.length) {
    if (src[pos] === "\n" || (src[pos] === "\r" && src[pos + 1] === "\n")) {
      pos += src[pos] === "\r" ? 2 : 1;
      line++;
      continue;
    }
    const startLine = line;
    // Fast path: a record on one line without quotes.
    const newline = src.indexOf("\n", pos);
    const lineEnd = newline === -1 ? src.length : newline;
    let text = src.slice(pos, lineEnd);
    if (!text.includes('"')) {
      if (text.endsWith("\r")) text = text.slice(0, -1);
      const fields: (string | null)[] = text.split(",");
      for (let i = 0; i < fields.length; i++) if (fields[i] === "") fields[i] = null;
      onRecord(fields, startLine);
      pos = lineEnd + 1;
      line++;
      continue;
    }
    const fields: (string | null)[] = [];
    for (;;) {
      let value: string | null;
      if (src[pos] === '"') {
        const fieldLine = line;
        let out = "";
        pos++;
        for (;;) {
          const quote = src.indexOf('"', pos);
          if (quote === -1) throw new Error(`line ${fieldLine}: quoted field is never closed`);
          const part = src.slice(pos, quote);
          for (let nl = part.indexOf("\n"); nl !== -1; nl = part.indexOf("\n", nl + 1)) line++;
          out += part;
          if (src[quote + 1] === '"') {
            out += '"';
            pos = quote + 2;
            continue;
          }
          pos = quote + 1;
          break;
        }
        const after = src[pos];
        if (after !== undefined && after !== "," && after !== "\n" && after !== "\r") {
          throw new Error(`line ${line}: unexpected text after the closing quote of a field`);
        }
        value = out;
      } else {
        let end = pos;
        while (end < src.length && src[end] !== "," && src[end] !== "\n" && !(src[end] === "\r" && src[end + 1] === "\n")) {
          if (src[end] === '"') throw new Error(`line ${line}: quote inside an unquoted field; quote the whole field and double the quote ("")`);
          end++;
        }
        const raw = src.slice(pos, end);
        value = raw === "" ? null : raw;
        pos = end;
      }
      fields.push(value);
      if (src[pos] === ",") {
        pos++;
        continue;
      }
      break;
    }
    onRecord(fields, startLine);
    if (src[pos] === "\r") pos++;
    if (src[pos] === "\n") {
      pos++;
      line++;
    }
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
