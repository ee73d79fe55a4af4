import { createHash } from "node:crypto";
import { EngineError } from "./errors";
import { rememberSecretsIn } from "./redact";
import { readText, type FileSource } from "./source";

/** A migration file found in a source. */
export interface MigrationFile {
  /** Version as written in the name, e.g. `1.10`. */
  readonly version: string;
  /** Description from the name, underscores turned into spaces. */
  readonly description: string;
  /** File name, e.g. `V1.10__add_orders.sql`. */
  readonly script: string;
  /** Hex sha256 of the file content. */
  readonly checksum: string;
  /** The file content. */
  readonly sql: string;
}

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

/** Hex sha256 of a file's content (as UTF-8). */
export function checksumOf(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/**
 * Reads every `.sql` file of the source, sorted by version. Files with other extensions are
 * ignored; an `.sql` file that does not follow the naming, or two files with the same version, is
 * an error (running them in an unknown order, or not at all, would be worse).
 */
export async function loadMigrations(source: FileSource): Promise<MigrationFile[]> {
  const names = (await source.list()).filter((name) => name.toLowerCase().endsWith(".sql"));
  const parsedNames = names.map((script) => {
    const parsed = parseMigrationName(script);
    if (!parsed) {
      throw new EngineError(
        "INVALID_FILE_NAME",
        `${source.description}: ${script} does not follow V<version>__<description>.sql (e.g. V1.2__add_orders.sql); rename it or move it out of the folder`,
      );
    }
    return { ...parsed, script };
  });
  const contents = await Promise.all(parsedNames.map((p) => readText(source, p.script)));
  // A server's error may echo any part of a statement: its passwords are hidden from every message.
  for (const sql of contents) rememberSecretsIn(sql);
  const migrations: MigrationFile[] = parsedNames.map((p, i) => ({ ...p, sql: contents[i]!, checksum: checksumOf(contents[i]!) }));
  migrations.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < migrations.length; i++) {
    const prev = migrations[i - 1]!;
    const cur = migrations[i]!;
    if (compareVersions(prev.version, cur.version) === 0) {
      throw new EngineError("DUPLICATE_VERSION", `${prev.script} and ${cur.script} have the same version ${cur.version}; give one a new version`);
    }
  }
  return migrations;
}
