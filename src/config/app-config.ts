import { childPath, type Problems, readNumber, readObject, readString } from "./reader";
import type { AppConfigConfig, AppSettingConfig, AppSettingValue, EnvironmentConfig } from "./types";

/** Standard-tier SSM parameters hold at most 4 KB. */
export const SSM_STANDARD_VALUE_BYTES = 4096;
/** SSM allows 15 levels; `/app/<env>/config/` takes three. */
export const MAX_KEY_DEPTH = 12;
const KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const SECRET_ARN = /^arn:aws:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+$/;
/** Key segments that name a secret; a plain value under such a key is almost certainly one. */
const SECRET_LOOKING_KEY = /(^|[/_.-])(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)($|[/_.-])/i;

interface AppConfigContext {
  /** The environments that read cleanly. */
  readonly environments: readonly EnvironmentConfig[];
  /** Every declared environment name, even of one with other problems (reported elsewhere). */
  readonly declaredNames: readonly string[];
  readonly promotionOrder: readonly string[];
  /** Undefined when the written primaryRegion cannot be read (the secret region check is then skipped). */
  readonly primaryRegion: string | undefined;
}

/**
 * Reads `appConfig.settings`: `{ "<key>": "plain value" | { value, overrides } | { secure: true, secretArn, version, overrides } }`.
 * Every problem is listed by its path; a secure value is never accepted in plain text.
 */
export function readAppConfig(p: Problems, value: unknown, context: AppConfigContext): AppConfigConfig {
  const raw = readObject(p, "appConfig", value, ["settings"]) ?? {};
  const settingsPath = "appConfig.settings";
  if (raw.settings === undefined) return { settings: [] };
  if (typeof raw.settings !== "object" || raw.settings === null || Array.isArray(raw.settings)) {
    p.add(settingsPath, "must be an object of settings by key, such as { \"service/log-level\": \"info\" }");
    return { settings: [] };
  }
  const settings: AppSettingConfig[] = [];
  for (const [key, entry] of Object.entries(raw.settings as Record<string, unknown>)) {
    const setting = readSetting(p, childPath(settingsPath, key), key, entry, context);
    if (setting) settings.push(setting);
  }
  return { settings };
}

function readSetting(p: Problems, path: string, key: string, entry: unknown, context: AppConfigContext): AppSettingConfig | undefined {
  let valid = checkKey(p, path, key);
  const first = context.promotionOrder[0];
  const firstEnvironment = context.environments.find((e) => e.name === first);
  if (typeof entry === "string") entry = { value: entry };
  const raw = readObject(p, path, entry, ["value", "secure", "secretArn", "version", "overrides"]);
  if (!raw) {
    if (entry !== undefined) return undefined;
    p.add(path, "is required");
    return undefined;
  }
  const secure = raw.secure === undefined ? false : raw.secure === true ? true : (p.add(childPath(path, "secure"), "must be true or false"), false);
  const base = readValue(p, path, raw, { secure, key, environment: firstEnvironment, region: context.primaryRegion });
  if (!base) valid = false;

  const overrides: Record<string, AppSettingValue> = {};
  const overridesPath = childPath(path, "overrides");
  const known = context.declaredNames;
  const rawOverrides = readObject(p, overridesPath, raw.overrides, Object.keys((raw.overrides as object | undefined) ?? {}));
  for (const [name, overrideEntry] of Object.entries(rawOverrides ?? {})) {
    const overridePath = childPath(overridesPath, name);
    const environment = context.environments.find((e) => e.name === name);
    if (!known.includes(name)) {
      p.add(overridePath, `names an unknown environment "${name}" (known: ${known.join(", ")})`);
      valid = false;
      continue;
    }
    if (!environment) {
      valid = false; // declared, with problems of its own reported at its path
      continue;
    }
    if (name === first) {
      p.add(overridePath, `overrides the first environment, whose value is "value" itself; set value instead`);
      valid = false;
      continue;
    }
    const fields = typeof overrideEntry === "string" ? { value: overrideEntry } : readObject(p, overridePath, overrideEntry, ["value", "secretArn", "version"]);
    if (!fields) {
      valid = false;
      continue;
    }
    const value = readValue(p, overridePath, fields, { secure, key, environment, region: context.primaryRegion });
    if (value) overrides[name] = value;
    else valid = false;
  }
  // Only against a promotion order that names exactly the environments (otherwise that is the problem reported).
  const orderIsComplete = context.promotionOrder.length === context.declaredNames.length && context.declaredNames.every((n) => context.promotionOrder.includes(n));
  if (secure && valid && orderIsComplete) valid = checkSecureChain(p, overridesPath, context.promotionOrder, overrides);
  return valid && base ? { key, secure, value: base, overrides } : undefined;
}

function checkKey(p: Problems, path: string, key: string): boolean {
  if (!KEY.test(key)) {
    p.add(path, `is not a valid key: use letters, digits, "_", "." and "-" in segments separated by "/" (no leading or trailing "/")`);
    return false;
  }
  const depth = key.split("/").length;
  if (depth > MAX_KEY_DEPTH) {
    p.add(path, `is ${depth} levels deep; SSM allows 15 levels and /app/<env>/config/ takes 3, so at most ${MAX_KEY_DEPTH}`);
    return false;
  }
  return true;
}

/** One value: `value` (plain) or `secretArn` (+ `version`) for a secure setting. */
function readValue(
  p: Problems,
  path: string,
  raw: Record<string, unknown>,
  context: { secure: boolean; key: string; environment: EnvironmentConfig | undefined; region: string | undefined },
): AppSettingValue | undefined {
  if (context.secure) {
    if (raw.value !== undefined) {
      p.add(childPath(path, "value"), "is a secure value written in plain text; do not embed it: put it in a Secrets Manager secret and refer to it with secretArn");
      return undefined;
    }
    const arn = readString(p, childPath(path, "secretArn"), raw.secretArn, { pattern: SECRET_ARN, patternMessage: "must be a Secrets Manager secret ARN" });
    if (raw.secretArn === undefined) p.add(childPath(path, "secretArn"), "is required for a secure setting (the secret the value is copied from at deploy)");
    const version = readNumber(p, childPath(path, "version"), raw.version, { integer: true, min: 1 }) ?? 1;
    if (arn === undefined) return undefined;
    const [, region, account] = SECRET_ARN.exec(arn)!;
    if (context.environment && context.region !== undefined && (account !== context.environment.accountId || region !== context.region)) {
      p.add(childPath(path, "secretArn"), `must be a secret of ${context.environment.name}'s account ${context.environment.accountId} in ${context.region} (the stack that writes the parameter reads it), not of ${account} in ${region}`);
      return undefined;
    }
    return { kind: "secret", secretArn: arn, version };
  }
  if (raw.secretArn !== undefined || raw.version !== undefined) {
    p.add(childPath(path, raw.secretArn !== undefined ? "secretArn" : "version"), 'belongs to a secure setting; add "secure": true');
    return undefined;
  }
  const value = readString(p, childPath(path, "value"), raw.value);
  if (raw.value === undefined) p.add(childPath(path, "value"), "is required");
  if (value === undefined) return undefined;
  if (Buffer.byteLength(value, "utf8") > SSM_STANDARD_VALUE_BYTES) {
    p.add(childPath(path, "value"), `is ${Buffer.byteLength(value, "utf8")} bytes; a standard SSM parameter holds at most ${SSM_STANDARD_VALUE_BYTES}`);
    return undefined;
  }
  if (value.length === 0) {
    p.add(childPath(path, "value"), "must not be empty (SSM refuses empty values)");
    return undefined;
  }
  if (SECRET_LOOKING_KEY.test(context.key)) {
    p.add(childPath(path, "value"), `looks like a secret ("${context.key}") written in plain text; make the setting "secure": true and refer to a Secrets Manager secret with secretArn`);
    return undefined;
  }
  return { kind: "plain", value };
}

/**
 * A secure value is read from a secret in the account of the stack that writes it. After an
 * environment with an override, the first environment's secret would have to be read from another
 * account, so every later environment needs an override of its own.
 */
function checkSecureChain(p: Problems, path: string, order: readonly string[], overrides: Readonly<Record<string, AppSettingValue>>): boolean {
  let overridden = false;
  for (const name of order.slice(1)) {
    if (overrides[name]) overridden = true;
    else if (overridden) {
      p.add(childPath(path, name), `is missing: an earlier environment overrides this secure setting, so ${name} needs its own secretArn (the first environment's secret is in another account)`);
      return false;
    }
  }
  return true;
}
