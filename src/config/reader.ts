/**
 * A small, path-aware reader for untyped JSON. Every problem is recorded with the path of the value
 * it concerns (`environments[1].accountId`) instead of being thrown, so one run reports them all.
 * Readers return `undefined` for a missing or invalid value; callers apply defaults with `??`.
 */

export class Problems {
  private readonly entries: string[] = [];

  add(path: string, message: string): void {
    this.entries.push(`${path || "(root)"}: ${message}`);
  }

  get list(): readonly string[] {
    return this.entries;
  }
}

export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value}"`;
  return typeof value === "object" ? "an object" : String(value);
}

/**
 * Reads an object whose keys must all be in `fields`; unknown keys are problems (a typo must never be
 * silently ignored), with a suggestion when a known field is close.
 */
export function readObject(p: Problems, path: string, value: unknown, fields: readonly string[]): Json | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    p.add(path, `must be an object, not ${describe(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      const near = closest(key, fields);
      p.add(childPath(path, key), `is not a known field${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
  return value;
}

/** Reads a map of string values (tags, CIDRs per region). */
export function readStringMap(p: Problems, path: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    p.add(path, `must be an object of strings, not ${describe(value)}`);
    return undefined;
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") p.add(childPath(path, key), `must be a string, not ${describe(entry)}`);
    else result[key] = entry;
  }
  return result;
}

export function readArray(p: Problems, path: string, value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add(path, `must be an array, not ${describe(value)}`);
    return undefined;
  }
  return value;
}

export interface StringRule {
  readonly pattern?: RegExp;
  /** What the pattern means, for the message: "must be 12 digits". */
  readonly patternMessage?: string;
  readonly oneOf?: readonly string[];
}

export function readString(p: Problems, path: string, value: unknown, rule: StringRule = {}): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    p.add(path, `must be a string, not ${describe(value)}`);
    return undefined;
  }
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    p.add(path, `must be one of ${rule.oneOf.map((v) => `"${v}"`).join(", ")}, not "${value}"`);
    return undefined;
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    p.add(path, `${rule.patternMessage ?? `must match ${rule.pattern}`}, not "${value}"`);
    return undefined;
  }
  return value;
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** The value must be a multiple of this step (Aurora capacity moves in 0.5 ACU steps). */
  readonly step?: number;
  readonly oneOf?: readonly number[];
}

export function readNumber(p: Problems, path: string, value: unknown, rule: NumberRule = {}): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    p.add(path, `must be a number, not ${describe(value)}`);
    return undefined;
  }
  const problem =
    rule.oneOf && !rule.oneOf.includes(value)
      ? `must be one of ${rule.oneOf.join(", ")}`
      : rule.integer && !Number.isInteger(value)
        ? "must be a whole number"
        : rule.min !== undefined && value < rule.min
          ? `must be at least ${rule.min}`
          : rule.max !== undefined && value > rule.max
            ? `must be at most ${rule.max}`
            : rule.step !== undefined && Math.abs(value / rule.step - Math.round(value / rule.step)) > 1e-9
              ? `must be a multiple of ${rule.step}`
              : undefined;
  if (problem) {
    p.add(path, `${problem}, not ${value}`);
    return undefined;
  }
  return value;
}

export function readBoolean(p: Problems, path: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    p.add(path, `must be true or false, not ${describe(value)}`);
    return undefined;
  }
  return value;
}

/** Records a problem when a required value is missing; returns whether it is present. */
export function required(p: Problems, path: string, value: unknown): boolean {
  if (value === undefined) p.add(path, "is required");
  return value !== undefined;
}

/**
 * The known name nearest to `name` by edit distance, if it is near enough to be a likely typo: at most
 * `maxDistance` edits (by default a third of the name, at least 2).
 */
export function closest(name: string, candidates: readonly string[], maxDistance = Math.max(2, Math.floor(name.length / 3))): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
