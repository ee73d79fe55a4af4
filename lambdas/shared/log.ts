/**
 * Structured JSON logging: one JSON object per line on stdout/stderr, which CloudWatch Logs
 * Insights can query by field. Field names that usually carry secrets are redacted, so a
 * careless `log.info("x", { value })` never leaks a parameter value or credential; and every
 * string (the message included) passes through the engine's redactSecrets, so a database error
 * that quotes `IDENTIFIED BY '…'` or a URL with a password is logged without it.
 */
import { redactSecrets } from "../../engine/redact";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names (case-insensitive) whose values are replaced by "[redacted]" at any depth. */
const SECRET_FIELD = /^(value|values|secret.*|.*password.*|.*token|secretaccesskey|accesskeyid|credentials|authorization|plaintext)$/i;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Returns a logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Lines below this level are dropped. @default env LOG_LEVEL, else "info" */
  readonly level?: LogLevel;
  /** Fields added to every line (e.g. handler name, environment). @default {} */
  readonly base?: LogFields;
  /** Where lines go. @default console.log for debug/info, console.error for warn/error */
  readonly sink?: (level: LogLevel, line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const envLevel = process.env.LOG_LEVEL as LogLevel | undefined;
  const level: LogLevel = options.level ?? (envLevel !== undefined && envLevel in LEVEL_ORDER ? envLevel : "info");
  const sink = options.sink ?? defaultSink;
  const base = options.base ?? {};

  const write = (lineLevel: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVEL_ORDER[lineLevel] < LEVEL_ORDER[level]) {
      return;
    }
    const record = { timestamp: new Date().toISOString(), level: lineLevel, message: redactSecrets(message), ...(redact(base) as object), ...(redact(fields ?? {}) as object) };
    sink(lineLevel, JSON.stringify(record));
  };

  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ level, sink, base: { ...base, ...fields } }),
  };
}

/** Deep copy of `input` with secret-looking fields replaced and errors flattened. */
export function redact(input: unknown, depth = 0): unknown {
  if (depth > 8) {
    return "[depth limit]";
  }
  if (typeof input === "string") {
    return redactSecrets(input);
  }
  if (input instanceof Error) {
    return { name: input.name, message: redactSecrets(input.message) };
  }
  if (Array.isArray(input)) {
    return input.map((item) => redact(item, depth + 1));
  }
  if (input !== null && typeof input === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      out[key] = SECRET_FIELD.test(key) ? "[redacted]" : redact(value, depth + 1);
    }
    return out;
  }
  return input;
}

/** Name and message of an unknown thrown value, safe to log. */
export function errorFields(err: unknown): { errorName: string; errorMessage: string } {
  if (err instanceof Error) {
    return { errorName: err.name, errorMessage: redactSecrets(err.message) };
  }
  return { errorName: "NonError", errorMessage: redactSecrets(String(err)) };
}

function defaultSink(level: LogLevel, line: string): void {
  if (level === "warn" || level === "error") {
    console.error(line);
  } else {
    console.log(line);
  }
}
