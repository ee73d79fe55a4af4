/** Configuration of the snapshot copy function, read from environment variables once per cold start. */
import { InvalidEnvironmentError, parseJsonEnv, readEnv, regionOfArn, type Env } from "../shared/env";
import { namePrefix } from "./names";
import type { SourceKind } from "./rds-api";

/** `automated`: copy the newest automated snapshot. `manual`: take a manual snapshot first and copy that. */
export type SnapshotMode = "automated" | "manual";

/** One database whose snapshots are copied: an Aurora DB cluster or a plain DB instance. */
export interface CopiedSource {
  /** The database's short name: ledger subject and metric dimension `Database`. */
  readonly name: string;
  readonly kind: SourceKind;
  /** The DB cluster or DB instance identifier in SOURCE_REGION (lowercase, as RDS stores it). */
  readonly identifier: string;
  readonly mode: SnapshotMode;
}

/** A region the copies are kept in, and the key there that encrypts them. */
export interface Destination {
  readonly region: string;
  /** KMS key ARN (key or alias) in `region`. */
  readonly kmsKeyId: string;
}

/**
 * Copies into another account: the function shares its newest copy in `region` with `accountId` and
 * copies it there, under `kmsKeyId`, through the role `roleArn` of that account.
 */
export interface AccountCopy {
  readonly accountId: string;
  /** One of the destinations: a shared snapshot can be copied only in its own region. */
  readonly region: string;
  readonly roleArn: string;
  readonly externalId: string;
  /** KMS key ARN of the target account in `region`. */
  readonly kmsKeyId: string;
}

export interface SnapshotCopyConfig {
  readonly environment: string;
  /** Region of the databases and of the function itself. */
  readonly sourceRegion: string;
  readonly sources: readonly CopiedSource[];
  readonly destinations: readonly Destination[];
  /** Copies (and manual snapshots) older than this are deleted, except the newest available one of each database and region. */
  readonly retentionDays: number;
  /** A manual-mode source gets a new manual snapshot only when its newest is older than this. */
  readonly manualSnapshotIntervalHours: number;
  /** Value of the owner tag on every snapshot this function makes (its function name). */
  readonly owner: string;
  readonly ledgerTableName: string;
  readonly metricsNamespace: string;
  /** @default none (no copy into another account) */
  readonly accountCopy?: AccountCopy;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** RDS identifier rules: a letter first, then letters, digits and single hyphens, no hyphen at the end, at most 63. */
export const RDS_IDENTIFIER = /^[a-z](?:-?[a-z0-9])*$/;
const MAX_IDENTIFIER_LENGTH = 63;

const REQUIRED = [
  "ENVIRONMENT", "SOURCE_REGION", "SOURCES", "DESTINATIONS", "RETENTION_DAYS", "MANUAL_SNAPSHOT_INTERVAL_HOURS", "SNAPSHOT_OWNER", "LEDGER_TABLE_NAME", "METRICS_NAMESPACE",
] as const;

export function readSnapshotCopyConfig(env: Env = process.env): SnapshotCopyConfig {
  const e = readEnv(REQUIRED, ["AWS_REGION", "ACCOUNT_COPY"], env);
  if (!REGION.test(e.SOURCE_REGION)) throw new InvalidEnvironmentError("SOURCE_REGION", `expected a region name such as us-east-1, got "${e.SOURCE_REGION}"`);
  // Ledger items carry SOURCE_REGION as their origin; the stream processor of another region would drop them.
  if (e.AWS_REGION !== undefined && e.AWS_REGION !== e.SOURCE_REGION) {
    throw new InvalidEnvironmentError("SOURCE_REGION", `must be the function's own region (AWS_REGION=${e.AWS_REGION}), got ${e.SOURCE_REGION}`);
  }
  const destinations = parseDestinations(e.DESTINATIONS, e.SOURCE_REGION);
  const accountCopy = e.ACCOUNT_COPY === undefined ? undefined : parseAccountCopy(e.ACCOUNT_COPY, destinations);
  return {
    environment: e.ENVIRONMENT,
    sourceRegion: e.SOURCE_REGION,
    sources: parseSources(e.SOURCES),
    destinations,
    retentionDays: positiveInteger("RETENTION_DAYS", e.RETENTION_DAYS, "days"),
    manualSnapshotIntervalHours: positiveInteger("MANUAL_SNAPSHOT_INTERVAL_HOURS", e.MANUAL_SNAPSHOT_INTERVAL_HOURS, "hours"),
    owner: e.SNAPSHOT_OWNER,
    ledgerTableName: e.LEDGER_TABLE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
    ...(accountCopy === undefined ? {} : { accountCopy }),
  };
}

function positiveInteger(name: string, raw: string, unit: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidEnvironmentError(name, `expected a whole number of ${unit} of at least 1, got "${raw}"`);
  return value;
}

/** Entries of a JSON list variable as objects with exactly the allowed keys (a misspelt key would otherwise be dropped silently). */
function objectList(name: string, raw: string, shape: string, keys: readonly string[]): Array<Record<string, unknown>> {
  const list = parseJsonEnv<unknown>(name, raw, []);
  if (!Array.isArray(list) || list.length === 0) throw new InvalidEnvironmentError(name, `expected ${shape} with at least one entry`);
  return list.map((item: unknown, i) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new InvalidEnvironmentError(name, `entry ${i + 1} is not an object; expected ${shape}`);
    const unknown = Object.keys(item).filter((key) => !keys.includes(key));
    if (unknown.length > 0) throw new InvalidEnvironmentError(name, `entry ${i + 1} has unknown field(s) ${unknown.join(", ")}; expected ${shape}`);
    return item as Record<string, unknown>;
  });
}

/** Parses SOURCES: a JSON list of `{"name", "kind", "identifier", "mode"}`, at least one. */
export function parseSources(raw: string): CopiedSource[] {
  const shape = 'a JSON list of {"name", "kind": "cluster"|"instance", "identifier", "mode": "automated"|"manual"}';
  const names = new Set<string>();
  const prefixes = new Map<string, string>();
  return objectList("SOURCES", raw, shape, ["name", "kind", "identifier", "mode"]).map((entry, i): CopiedSource => {
    const fail = (reason: string): never => {
      throw new InvalidEnvironmentError("SOURCES", `entry ${i + 1}: ${reason}`);
    };
    const { name, kind, identifier, mode } = entry;
    if (typeof name !== "string" || !/^[A-Za-z0-9_-]+$/.test(name)) fail(`name must be letters, digits, "_" or "-" (it is a ledger key and a metric dimension), got ${JSON.stringify(name)}`);
    if (kind !== "cluster" && kind !== "instance") fail(`kind must be "cluster" or "instance", got ${JSON.stringify(kind)}`);
    if (typeof identifier !== "string" || identifier.length > MAX_IDENTIFIER_LENGTH || !RDS_IDENTIFIER.test(identifier)) {
      fail(`identifier must be a lowercase RDS identifier (a letter first, letters, digits, single hyphens, at most 63), got ${JSON.stringify(identifier)}`);
    }
    if (mode !== "automated" && mode !== "manual") fail(`mode must be "automated" or "manual", got ${JSON.stringify(mode)}`);
    const source = { name, kind, identifier, mode } as CopiedSource;
    if (names.has(source.name)) throw new InvalidEnvironmentError("SOURCES", `name "${source.name}" appears twice`);
    // Names are cut to fit 63 characters: two sources whose cut names agree would share (and expire) each other's copies.
    const prefix = `${source.kind}:${namePrefix(source.identifier, "copy")}`;
    const clash = prefixes.get(prefix);
    if (clash !== undefined) throw new InvalidEnvironmentError("SOURCES", `entry ${i + 1}: "${source.identifier}" and "${clash}" give their snapshots the same names (${prefix.slice(source.kind.length + 1)}...)`);
    names.add(source.name);
    prefixes.set(prefix, source.identifier);
    return source;
  });
}

/** Parses DESTINATIONS: a JSON list of `{"region", "kmsKeyId"}`, at least one, none in SOURCE_REGION. */
export function parseDestinations(raw: string, sourceRegion: string): Destination[] {
  const shape = 'a JSON list of {"region", "kmsKeyId": "<KMS key ARN in that region>"}';
  const regions = new Set<string>();
  return objectList("DESTINATIONS", raw, shape, ["region", "kmsKeyId"]).map((entry, i): Destination => {
    const { region, kmsKeyId } = entry;
    if (typeof region !== "string" || !REGION.test(region)) throw new InvalidEnvironmentError("DESTINATIONS", `entry ${i + 1}: expected a region name such as eu-west-1, got ${JSON.stringify(region)}`);
    if (region === sourceRegion) throw new InvalidEnvironmentError("DESTINATIONS", `entry ${i + 1}: ${region} is the databases' own region; copies go to other regions`);
    if (regions.has(region)) throw new InvalidEnvironmentError("DESTINATIONS", `region ${region} appears twice`);
    // KMS keys are regional: a key of any other region cannot encrypt a copy made in this one.
    if (typeof kmsKeyId !== "string" || !/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:(key|alias)\/.+$/.test(kmsKeyId) || regionOfArn(kmsKeyId) !== region) {
      throw new InvalidEnvironmentError("DESTINATIONS", `entry ${i + 1}: kmsKeyId must be the ARN of a KMS key or alias in ${region} (arn:aws:kms:${region}:<account>:key/<id>), got ${JSON.stringify(kmsKeyId)}`);
    }
    regions.add(region);
    return { region, kmsKeyId };
  });
}

/** Parses ACCOUNT_COPY: `{"accountId", "region", "roleArn", "externalId", "kmsKeyId"}`, the region one of DESTINATIONS. */
export function parseAccountCopy(raw: string, destinations: readonly Destination[]): AccountCopy {
  const shape = 'a JSON object {"accountId", "region", "roleArn", "externalId", "kmsKeyId"}';
  const [entry] = objectList("ACCOUNT_COPY", `[${raw}]`, shape, ["accountId", "region", "roleArn", "externalId", "kmsKeyId"]);
  const { accountId, region, roleArn, externalId, kmsKeyId } = entry!;
  const fail = (reason: string): never => {
    throw new InvalidEnvironmentError("ACCOUNT_COPY", reason);
  };
  if (typeof accountId !== "string" || !/^\d{12}$/.test(accountId)) fail(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);
  if (typeof region !== "string" || !destinations.some((d) => d.region === region)) fail(`region must be one of DESTINATIONS (a shared snapshot is copied in its own region), got ${JSON.stringify(region)}`);
  if (typeof roleArn !== "string" || !new RegExp(`^arn:aws[a-z-]*:iam::${accountId}:role/[\\w+=,.@/-]+$`).test(roleArn)) fail(`roleArn must be a role of account ${accountId}, got ${JSON.stringify(roleArn)}`);
  if (typeof externalId !== "string" || externalId === "") fail("externalId must be a non-empty string");
  if (typeof kmsKeyId !== "string" || !new RegExp(`^arn:aws[a-z-]*:kms:${region}:${accountId}:(key|alias)/.+$`).test(kmsKeyId)) {
    fail(`kmsKeyId must be the ARN of a KMS key of account ${accountId} in ${region}, got ${JSON.stringify(kmsKeyId)}`);
  }
  return { accountId, region, roleArn, externalId, kmsKeyId } as AccountCopy;
}
