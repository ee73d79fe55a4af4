/**
 * Pure comparisons between two environments' snapshots. Findings never contain parameter values:
 * SecureStrings are compared by presence and type only, other values by equality, reported as
 * "values differ" without either value.
 */
import { compareVersions, isVersion } from "../../engine/migration-files";
import type { KeyFilter } from "../shared/patterns";

export const DRIFT_CATEGORIES = ["ssm", "schema", "dynamodb"] as const;
export type DriftCategory = (typeof DRIFT_CATEGORIES)[number];

export interface Finding {
  readonly category: DriftCategory;
  /** What differs: missing, type, value, version, keySchema, attributes, gsi, lsi, stream, billingMode. */
  readonly kind: string;
  /** The parameter key, database or logical table name. */
  readonly subject: string;
  /** The pair compared, in promotion order. */
  readonly environments: readonly [string, string];
  readonly detail: string;
}

/** An SSM parameter reduced to what may be compared. `value` is absent for SecureStrings. */
export interface ParameterShape {
  readonly type: string;
  readonly value?: string;
}

export function compareSsm(a: string, b: string, left: ReadonlyMap<string, ParameterShape>, right: ReadonlyMap<string, ParameterShape>, include: KeyFilter): Finding[] {
  const findings: Finding[] = [];
  const pair = [a, b] as const;
  const keys = [...new Set([...left.keys(), ...right.keys()])].filter(include).sort();
  for (const key of keys) {
    const l = left.get(key);
    const r = right.get(key);
    if (l === undefined || r === undefined) {
      findings.push({ category: "ssm", kind: "missing", subject: key, environments: pair, detail: `present in ${l === undefined ? b : a}, absent in ${l === undefined ? a : b}` });
    } else if (l.type !== r.type) {
      findings.push({ category: "ssm", kind: "type", subject: key, environments: pair, detail: `${a}=${l.type}, ${b}=${r.type}` });
    } else if (l.type !== "SecureString" && l.value !== r.value) {
      findings.push({ category: "ssm", kind: "value", subject: key, environments: pair, detail: "values differ" });
    }
  }
  return findings;
}

export function compareSchemas(a: string, b: string, left: ReadonlyMap<string, string>, right: ReadonlyMap<string, string>): Finding[] {
  const findings: Finding[] = [];
  const pair = [a, b] as const;
  for (const database of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = left.get(database);
    const r = right.get(database);
    if (l === undefined || r === undefined) {
      findings.push({ category: "schema", kind: "missing", subject: database, environments: pair, detail: `no applied migration in ${l === undefined ? a : b}` });
    } else if (!sameVersion(l, r)) {
      findings.push({ category: "schema", kind: "version", subject: database, environments: pair, detail: `${a}=${l}, ${b}=${r}` });
    }
  }
  return findings;
}

/** Versions compare numerically by dotted segment, as the engine does (`1.10` is not `1.1`; `1` is `1.0`). */
function sameVersion(a: string, b: string): boolean {
  return isVersion(a) && isVersion(b) ? compareVersions(a, b) === 0 : a === b;
}

/** The parts of a DescribeTable answer that must match across environments, in canonical order. */
export interface TableShape {
  readonly keySchema: readonly string[];
  readonly attributes: readonly string[];
  readonly gsi: Readonly<Record<string, string>>;
  readonly lsi: Readonly<Record<string, string>>;
  readonly stream: string;
  readonly billingMode: string;
}

export function compareTables(a: string, b: string, left: ReadonlyMap<string, TableShape | undefined>, right: ReadonlyMap<string, TableShape | undefined>): Finding[] {
  const findings: Finding[] = [];
  const pair = [a, b] as const;
  for (const table of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = left.get(table);
    const r = right.get(table);
    if (l === undefined || r === undefined) {
      findings.push({ category: "dynamodb", kind: "missing", subject: table, environments: pair, detail: `table not found in ${l === undefined ? a : b}` });
      continue;
    }
    const push = (kind: string, detail: string): void => void findings.push({ category: "dynamodb", kind, subject: table, environments: pair, detail });
    if (l.keySchema.join() !== r.keySchema.join()) push("keySchema", `${a}=[${l.keySchema.join(", ")}], ${b}=[${r.keySchema.join(", ")}]`);
    if (l.attributes.join() !== r.attributes.join()) push("attributes", `${a}=[${l.attributes.join(", ")}], ${b}=[${r.attributes.join(", ")}]`);
    for (const [kind, li, ri] of [["gsi", l.gsi, r.gsi], ["lsi", l.lsi, r.lsi]] as const) {
      for (const index of [...new Set([...Object.keys(li), ...Object.keys(ri)])].sort()) {
        if (li[index] !== ri[index]) {
          push(kind, li[index] === undefined || ri[index] === undefined ? `index ${index} only in ${li[index] === undefined ? b : a}` : `index ${index}: ${a}=${li[index]}, ${b}=${ri[index]}`);
        }
      }
    }
    if (l.stream !== r.stream) push("stream", `${a}=${l.stream}, ${b}=${r.stream}`);
    if (l.billingMode !== r.billingMode) push("billingMode", `${a}=${l.billingMode}, ${b}=${r.billingMode}`);
  }
  return findings;
}
