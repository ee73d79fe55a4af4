import { redactSecrets } from "./redact";

/**
 * Errors raised by the engine. Every message is one line, names the file (and row, column or
 * statement) the user must look at, and where possible says how to fix it. `code` lets callers
 * (the CLI, the Lambdas) branch without parsing messages. Messages never carry a password: they
 * pass through redactSecrets, so a failing `CREATE USER … IDENTIFIED BY '…'` is safe to print, log
 * and record in the history table.
 */
export type EngineErrorCode =
  | "INVALID_OPTIONS"
  | "INVALID_FILE_NAME"
  | "DUPLICATE_VERSION"
  | "SQL_SPLIT"
  | "INVALID_MIGRATION"
  | "LOCK_TIMEOUT"
  | "CHECKSUM_MISMATCH"
  | "OUT_OF_ORDER"
  | "FAILED_MIGRATION_PENDING"
  | "MIGRATION_FAILED"
  | "INVALID_ENCODING"
  | "DATA_FILE"
  | "UNKNOWN_TABLE"
  | "UNKNOWN_COLUMN"
  | "DATA_SYNC_FAILED"
  | "MASS_PRUNE"
  | "CONNECTION";

export class EngineError extends Error {
  /** Stable machine-readable reason. */
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(redactSecrets(oneLine(message)), options);
    this.name = "EngineError";
    this.code = code;
  }
}

/** Details of a migration statement that the database rejected. */
export interface MigrationFailure {
  /** File name, e.g. `V3__add_index.sql`. */
  readonly script: string;
  /** 1-based number of the failing statement in the file, when known. */
  readonly statement?: number;
  /** 1-based line of the file where the failing statement (or the error position) is. */
  readonly line?: number;
  /** The database's own message. */
  readonly databaseMessage: string;
}

export class MigrationFailedError extends EngineError {
  readonly failure: MigrationFailure;

  constructor(unsafeFailure: MigrationFailure, suffix = "") {
    const failure = { ...unsafeFailure, databaseMessage: redactSecrets(unsafeFailure.databaseMessage) };
    const where = [
      failure.statement !== undefined ? `statement ${failure.statement}` : undefined,
      failure.line !== undefined ? `line ${failure.line}` : undefined,
    ].filter(Boolean);
    super(
      "MIGRATION_FAILED",
      `${failure.script}${where.length > 0 ? ` (${where.join(", ")})` : ""}: ${failure.databaseMessage}${suffix}`,
    );
    this.name = "MigrationFailedError";
    this.failure = failure;
  }
}

/** Collapses whitespace runs that contain a newline, so that every message prints on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** The message of anything thrown, on one line, without secrets. */
export function messageOf(error: unknown): string {
  return redactSecrets(oneLine(error instanceof Error ? error.message : String(error)));
}
