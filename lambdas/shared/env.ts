/**
 * Environment variable access for Lambda handlers.
 *
 * Handlers read all their configuration once, at module load, through `readEnv`, so a
 * misconfigured function fails on its first (cold) start with one error that names every
 * missing variable instead of failing one variable at a time across redeploys.
 */

/** Raised when required environment variables are absent or empty; lists all of them. */
export class MissingEnvironmentError extends Error {
  public readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(`Missing required environment variable(s): ${missing.join(", ")}. Set them on the function configuration.`);
    this.name = "MissingEnvironmentError";
    this.missing = missing;
  }
}

/** Raised when an environment variable is present but cannot be parsed. */
export class InvalidEnvironmentError extends Error {
  constructor(name: string, reason: string) {
    super(`Environment variable ${name} is invalid: ${reason}`);
    this.name = "InvalidEnvironmentError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads required and optional variables in one pass.
 * Required variables that are unset or blank are collected and reported together.
 */
export function readEnv<R extends string, O extends string = never>(
  required: readonly R[],
  optional: readonly O[] = [],
  env: Env = process.env,
): Record<R, string> & Partial<Record<O, string>> {
  const missing = required.filter((name) => (env[name] ?? "").trim() === "");
  if (missing.length > 0) {
    throw new MissingEnvironmentError(missing);
  }
  const out: Record<string, string> = {};
  for (const name of required) {
    out[name] = (env[name] as string).trim();
  }
  for (const name of optional) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") {
      out[name] = value;
    }
  }
  return out as Record<R, string> & Partial<Record<O, string>>;
}

/** Parses a JSON variable; `undefined` input yields `fallback`. */
export function parseJsonEnv<T>(name: string, raw: string | undefined, fallback: T, validate?: (value: unknown) => value is T): T {
  if (raw === undefined) {
    return fallback;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new InvalidEnvironmentError(name, `not valid JSON (${(err as Error).message})`);
  }
  if (validate !== undefined && !validate(parsed)) {
    throw new InvalidEnvironmentError(name, "JSON does not have the expected shape");
  }
  return parsed as T;
}

/** Parses a JSON array of strings (e.g. glob lists). */
export function parseStringListEnv(name: string, raw: string | undefined, fallback: readonly string[] = []): string[] {
  return [...parseJsonEnv<readonly string[]>(name, raw, fallback, isStringArray)];
}

/** Parses a positive number; `undefined` input yields `fallback`. */
export function parsePositiveNumberEnv(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidEnvironmentError(name, `expected a positive number, got "${raw}"`);
  }
  return value;
}

/** Parses a value that must be one of `allowed`; `undefined` input yields `fallback`. */
export function parseEnumEnv<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) {
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new InvalidEnvironmentError(name, `expected one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** The region segment of an ARN (`arn:aws:events:eu-west-1:123:event-bus/x` → `eu-west-1`), else undefined. */
export function regionOfArn(nameOrArn: string): string | undefined {
  const parts = nameOrArn.split(":");
  return parts[0] === "arn" && parts.length >= 6 && parts[3] !== "" ? parts[3] : undefined;
}
