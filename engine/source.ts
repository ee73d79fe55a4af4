import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { EngineError } from "./errors";

/**
 * Where migration and data files come from. The CLI reads a folder; a Lambda can implement the same
 * methods over an S3 prefix.
 */
export interface FileSource {
  /** Shown in messages, e.g. the folder path or `s3://bucket/prefix`. */
  readonly description: string;
  /** Plain file names (no folders), in any order. */
  list(): Promise<string[]>;
  /** The content of one listed file as text (UTF-8, checked like readText does where the source can). */
  read(name: string): Promise<string>;
  /**
   * The bytes of one listed file. Sources that have them should offer this: the engine then checks
   * the encoding itself (readText), where text that was decoded leniently has already lost the
   * invalid bytes. @default the engine uses read()
   */
  readBytes?(name: string): Promise<Uint8Array>;
}

/**
 * The text of a file, for every kind the engine reads (migrations, CSV, JSON): strict UTF-8, so
 * that a file saved in another encoding is refused, naming the file, line and byte, instead of
 * being stored with replacement characters; a leading byte-order mark is dropped (it is not part
 * of the first statement or the first column name).
 */
export async function readText(source: FileSource, name: string): Promise<string> {
  if (source.readBytes) return decodeUtf8(name, await source.readBytes(name));
  return stripBom(await source.read(name));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 (see readText); throws EngineError INVALID_ENCODING naming `file`, line and byte offset. */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    // TextDecoder drops a leading byte-order mark by itself.
    return strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    const byte = bytes[offset]?.toString(16).toUpperCase().padStart(2, "0") ?? "end of file";
    throw new EngineError(
      "INVALID_ENCODING",
      `${file} line ${line} (byte offset ${offset}, 0x${byte}): not valid UTF-8; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Length of the sequence, and the allowed range of its second byte (no overlongs, no surrogates, <= U+10FFFF).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Files directly inside `dir` (sub-folders are not read). */
export function directorySource(dir: string): FileSource {
  // Read synchronously: for a folder of small files one call on the main thread is several times
  // faster than fs/promises (open, stat, read and close each a trip through the thread pool;
  // 4 ms instead of 20 to 30 ms for 200 migrations), and the engine has nothing else to do meanwhile.
  const readBytes = async (name: string) => readFileSync(join(dir, name));
  return {
    description: dir,
    async list() {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => e.name);
    },
    readBytes,
    read: async (name) => decodeUtf8(name, await readBytes(name)),
  };
}

/**
 * Files held in memory, keyed by name: for tests and for callers that already fetched them. Bytes
 * are checked as UTF-8 like a folder's files.
 */
export function memorySource(files: Readonly<Record<string, string | Uint8Array>>, description = "memory"): FileSource {
  const content = (name: string) => {
    const value = files[name];
    if (value === undefined) throw new Error(`${description}: no file named ${name}`);
    return value;
  };
  return {
    description,
    list: async () => Object.keys(files),
    async read(name) {
      const value = content(name);
      return typeof value === "string" ? value : decodeUtf8(name, value);
    },
    async readBytes(name) {
      const value = content(name);
      return typeof value === "string" ? Buffer.from(value, "utf8") : value;
    },
  };
}
