import { createHash } from "node:crypto";
import { EngineError } from "./errors";
import { rememberSecretsIn } from "./redact";
import { readText, type FileSource } from "./source";

/** A migration file found in a source. */
export interface MigrationFile {
  /**
   * Version as written in the name, e.g. `1.10`. For a repeatable migration (`R__<description>.sql`)
   * the file name without `.sql`, which is also its key in the history table.
   */
  readonly version: string;
  /** `versioned` (V<version>__...) runs once; `repeatable` (R__...) runs again whenever its content changes. */
  readonly kind: "versioned" | "repeatable";
  /** Description from the name, underscores turned into spaces. */
  readonly description: string;
  /** File name, e.g. `V1.10__add_orders.sql`. */
  readonly script: string;
  /** Hex sha256 of the content with line endings made `\n` and any UTF-8 BOM removed (see checksumOf). */
  readonly checksum: string;
  /**
   * Hex sha256 of the raw content, as versions of the engine before line-ending-insensitive
   * checksums recorded it: a history row holding it still matches the file.
   */
  readonly legacyChecksum: string;
  /** False when the first line is `-- migrate:no-transaction`: the file runs outside a transaction. */
  readonly transactional: boolean;
  /** The file content, without a leading UTF-8 BOM. */
  readonly sql: string;
}

/** The first line that makes a file run outside a transaction (e.g. PostgreSQL CREATE INDEX CONCURRENTLY). */
export const NO_TRANSACTION_DIRECTIVE = "-- migrate:no-transaction";

const MIGRATION_NAME = /^V(\d+(?:\.\d+)*)__(.+)\.sql$/;

/** Parses `V<version>__<description>.sql`; `undefined` if the name does not follow it. */
export function parseMigrationName(name: string): { version: string; description: string } | undefined {
  const match = MIGRATION_NAME.exec(name);
  if (!match) return undefined;
  return { version: match[1]!, description: match[2]!.replace(/_/g, " ").trim() };
}

/** True for a valid version: integers separated by dots. */
export function isVersion(text: string): boolean {
  return /^\d+(?:\.\d+)*$/.test(text);
}

/**
 * Compares two versions numerically segment by segment (`1.10` > `1.9`); missing segments count as
 * zero, so `1` and `1.0` are equal. Returns a negative, zero or positive number.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map((s) => BigInt(s));
  const right = b.split(".").map((s) => BigInt(s));
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? 0n;
    const r = right[i] ?? 0n;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

const REPEATABLE_NAME = /^R__(.+)\.sql$/;

/** Parses `R__<description>.sql`; `undefined` if the name does not follow it. */
export function parseRepeatableName(name: string): { version: string; description: string } | undefined {
  const match = REPEATABLE_NAME.exec(name);
  if (!match) return undefined;
  return { version: name.slice(0, -".sql".length), description: match[1]!.replace(/_/g, " ").trim() };
}

/** True for the history key of a repeatable migration (`R__<description>`). */
export function isRepeatableKey(version: string): boolean {
  return version.startsWith("R__");
}

/**
 * Hex sha256 of a file's content (as UTF-8), with CRLF and lone CR line endings read as LF and a
 * leading UTF-8 BOM ignored: the same file checked out on Windows is not an edit.
 */
export function checksumOf(content: string): string {
  return legacyChecksumOf(content.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n"));
}

/** Hex sha256 of the raw content: what the engine recorded before checksums ignored line endings. */
export function legacyChecksumOf(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** Whether a recorded checksum matches the file, in the current or the earlier (raw content) form. */
export function checksumMatches(recorded: string, file: Pick<MigrationFile, "checksum" | "legacyChecksum">): boolean {
  return recorded === file.checksum || recorded === file.legacyChecksum;
}

/**
 * Reads every versioned `.sql` file of the source, sorted by version (repeatable `R__` files are
 * checked but left out: see loadMigrationSet). Files with other extensions are ignored; an `.sql`
 * file that does not follow the naming, or two files with the same version, is an error (running
 * them in an unknown order, or not at all, would be worse).
 */
export async function loadMigrations(source: FileSource): Promise<MigrationFile[]> {
  return (await loadMigrationSet(source)).versioned;
}

/** Versioned files in version order and repeatable files in name order. */
export async function loadMigrationSet(source: FileSource): Promise<{ versioned: MigrationFile[]; repeatable: MigrationFile[] }> {
  const names = (await source.list()).filter((name) => name.toLowerCase().endsWith(".sql"));
  const parsedNames = names.map((script) => {
    const versioned = parseMigrationName(script);
    const parsed = versioned ?? parseRepeatableName(script);
    if (!parsed) {
      throw new EngineError(
        "INVALID_FILE_NAME",
        `${source.description}: ${script} does not follow V<version>__<description>.sql (e.g. V1.2__add_orders.sql) or R__<description>.sql (repeatable); rename it or move it out of the folder`,
      );
    }
    if (parsed.version.length > 100) {
      throw new EngineError("INVALID_FILE_NAME", `${source.description}: ${script}: the name is too long for the history table (at most 104 characters)`);
    }
    return { ...parsed, kind: versioned ? ("versioned" as const) : ("repeatable" as const), script };
  });
  // readText refuses bytes that are not UTF-8, naming the file, and drops a BOM.
  const contents = await Promise.all(parsedNames.map((p) => readText(source, p.script)));
  // A server's error may echo any part of a statement: its passwords are hidden from every message.
  for (const sql of contents) rememberSecretsIn(sql);
  const files: MigrationFile[] = parsedNames.map((p, i) => {
    const sql = contents[i]!.replace(/^\uFEFF/, "");
    const firstLine = /^[^\r\n]*/.exec(sql)![0].trim();
    return {
      ...p,
      sql,
      checksum: checksumOf(contents[i]!),
      legacyChecksum: legacyChecksumOf(contents[i]!),
      transactional: firstLine.toLowerCase() !== NO_TRANSACTION_DIRECTIVE,
    };
  });
  const versioned = files.filter((f) => f.kind === "versioned").sort((a, b) => compareVersions(a.version, b.version));
  const repeatable = files.filter((f) => f.kind === "repeatable").sort((a, b) => (a.script < b.script ? -1 : a.script > b.script ? 1 : 0));
  for (let i = 1; i < versioned.length; i++) {
    const prev = versioned[i - 1]!;
    const cur = versioned[i]!;
    if (compareVersions(prev.version, cur.version) === 0) {
      throw new EngineError("DUPLICATE_VERSION", `${prev.script} and ${cur.script} have the same version ${cur.version}; give one a new version`);
    }
  }
  return { versioned, repeatable };
}
