/** Validation of the snapshot copy fields: `snapshots` and `environments[].snapshotInstances`. */
import { namePrefix } from "../../lambdas/snapshot-copy/names";
import { childPath, indexPath, readArray, readNumber, readObject, readString, type Problems } from "./reader";
import { readRegion } from "./regions";
import type { EnvironmentConfig, SnapshotAccountCopyConfig, SnapshotConfig, SnapshotDestinationConfig, SnapshotInstanceConfig, SnapshotMode } from "./types";

const SCHEDULE = { pattern: /^(rate|cron)\(.+\)$/, patternMessage: "must be an EventBridge schedule expression, rate(...) or cron(...)" };
/** RDS identifier rules: a letter first, letters, digits and single hyphens, no hyphen at the end. */
const DB_INSTANCE_IDENTIFIER = { pattern: /^[a-z](?:-?[a-z0-9]){0,62}$/, patternMessage: "must be a DB instance identifier: 1 to 63 lowercase letters, digits or single hyphens, starting with a letter, not ending with a hyphen" };
const SOURCE_NAME = { pattern: /^[a-z][a-z0-9-]{0,30}$/, patternMessage: "must be 1 to 31 lowercase letters, digits or hyphens, starting with a letter" };

export function readSnapshots(p: Problems, value: unknown, regions: { primaryRegion: string | undefined; drRegion: string | undefined }): SnapshotConfig {
  const raw = readObject(p, "snapshots", value, ["schedule", "retentionDays", "destinations"]) ?? {};
  return {
    schedule: readString(p, "snapshots.schedule", raw.schedule, SCHEDULE) ?? "cron(0 5 * * ? *)",
    retentionDays: readNumber(p, "snapshots.retentionDays", raw.retentionDays, { integer: true, min: 1, max: 3650 }) ?? 14,
    destinations: raw.destinations === undefined ? (regions.drRegion === undefined ? [] : [{ region: regions.drRegion }]) : readDestinations(p, raw.destinations, regions.primaryRegion),
  };
}

function readDestinations(p: Problems, value: unknown, primaryRegion: string | undefined): SnapshotDestinationConfig[] {
  const path = "snapshots.destinations";
  const list = readArray(p, path, value);
  if (list === undefined) return [];
  if (list.length === 0) p.add(path, "must name at least one region (leave it out for the DR region)");
  const destinations: SnapshotDestinationConfig[] = [];
  list.forEach((entry, i) => {
    const at = indexPath(path, i);
    const raw = readObject(p, at, entry, ["region", "maxCopyAgeHours"]);
    if (!raw) return;
    if (raw.region === undefined) p.add(childPath(at, "region"), "is required");
    const region = readRegion(p, childPath(at, "region"), raw.region);
    if (region !== undefined && region === primaryRegion) p.add(childPath(at, "region"), `is the primary region ${primaryRegion}; a copy next to its database protects against nothing`);
    if (region !== undefined && destinations.some((d) => d.region === region)) p.add(childPath(at, "region"), `repeats "${region}"; each region appears once`);
    const maxCopyAgeHours = readNumber(p, childPath(at, "maxCopyAgeHours"), raw.maxCopyAgeHours, { integer: true, min: 1, max: 8760 });
    if (region !== undefined && region !== primaryRegion) destinations.push({ region, ...(maxCopyAgeHours === undefined ? {} : { maxCopyAgeHours }) });
  });
  return destinations;
}

/** `environments[i].snapshotInstances`; `databaseNames` are the environment's Aurora databases, which share the name space. */
export function readSnapshotInstances(p: Problems, path: string, value: unknown, context: { databaseNames: readonly string[]; primaryRegion: string | undefined }): SnapshotInstanceConfig[] {
  const { databaseNames, primaryRegion } = context;
  const instances: SnapshotInstanceConfig[] = [];
  (readArray(p, path, value) ?? []).forEach((entry, i) => {
    const at = indexPath(path, i);
    const raw = readObject(p, at, entry, ["name", "instanceIdentifier", "mode", "kmsKeyArn"]);
    if (!raw) return;
    for (const field of ["name", "instanceIdentifier"]) if (raw[field] === undefined) p.add(childPath(at, field), "is required");
    const name = readString(p, childPath(at, "name"), raw.name, SOURCE_NAME);
    const instanceIdentifier = readString(p, childPath(at, "instanceIdentifier"), raw.instanceIdentifier, DB_INSTANCE_IDENTIFIER);
    const mode = (readString(p, childPath(at, "mode"), raw.mode, { oneOf: ["automated", "manual"] }) as SnapshotMode | undefined) ?? "automated";
    // The instance's own key, when it is neither the environment key nor aws/rds: RDS decrypts the
    // snapshot through a grant the function makes, so the function's role must name that key.
    const kmsKeyArn = readString(p, childPath(at, "kmsKeyArn"), raw.kmsKeyArn, {
      pattern: new RegExp(`^arn:aws[a-z-]*:kms:${primaryRegion ?? "[a-z0-9-]+"}:\\d{12}:key/[A-Za-z0-9-]+$`),
      patternMessage: `must be the ARN of a KMS key (not an alias) in the primary region${primaryRegion === undefined ? "" : ` ${primaryRegion}`}`,
    });
    if (name !== undefined && databaseNames.includes(name)) p.add(childPath(at, "name"), `"${name}" is also a database of this environment; names are shared by databases and instances`);
    if (name !== undefined && instances.some((s) => s.name === name)) p.add(childPath(at, "name"), `repeats "${name}"`);
    if (instanceIdentifier !== undefined && instances.some((s) => s.instanceIdentifier === instanceIdentifier)) p.add(childPath(at, "instanceIdentifier"), `repeats "${instanceIdentifier}"`);
    // Snapshot names keep the first 44 characters of the identifier (RDS allows 63 in all): two
    // instances that agree on those would share, and expire, each other's snapshots.
    const clash = instanceIdentifier === undefined ? undefined : instances.find((s) => s.instanceIdentifier !== instanceIdentifier && namePrefix(s.instanceIdentifier, "copy") === namePrefix(instanceIdentifier, "copy"));
    if (clash !== undefined) p.add(childPath(at, "instanceIdentifier"), `gives its snapshots the same names as "${clash.instanceIdentifier}" (${namePrefix(clash.instanceIdentifier, "copy")}...): identifiers must differ in their first 44 characters`);
    if (name !== undefined && instanceIdentifier !== undefined) instances.push({ name, instanceIdentifier, mode, ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }) });
  });
  return instances;
}

/** `environments[i].snapshotAccountCopy`, field by field; the target is checked against the other environments by `checkSnapshotAccountCopies`. */
export function readSnapshotAccountCopy(p: Problems, path: string, value: unknown): SnapshotAccountCopyConfig | undefined {
  if (value === undefined) return undefined;
  const raw = readObject(p, path, value, ["environment", "maxCopyAgeHours"]);
  if (!raw) return undefined;
  if (raw.environment === undefined) p.add(childPath(path, "environment"), "is required");
  const environment = readString(p, childPath(path, "environment"), raw.environment);
  const maxCopyAgeHours = readNumber(p, childPath(path, "maxCopyAgeHours"), raw.maxCopyAgeHours, { integer: true, min: 1, max: 8760 });
  if (environment === undefined) return undefined;
  return { environment, ...(maxCopyAgeHours === undefined ? {} : { maxCopyAgeHours }) };
}

/**
 * Each account copy names another environment in another account, and the DR region (where the
 * shared copies are, and a shared snapshot can be copied only in its own region) is a destination.
 */
export function checkSnapshotAccountCopies(p: Problems, entries: readonly { path: string; environment: EnvironmentConfig }[], snapshots: SnapshotConfig, drRegion: string | undefined): void {
  for (const { path, environment } of entries) {
    const copy = environment.snapshotAccountCopy;
    if (copy === undefined) continue;
    const at = childPath(childPath(path, "snapshotAccountCopy"), "environment");
    const target = entries.find((e) => e.environment.name === copy.environment)?.environment;
    if (target === undefined) p.add(at, `names an unknown environment "${copy.environment}" (known: ${entries.map((e) => e.environment.name).join(", ")})`);
    else if (target.accountId === environment.accountId) p.add(at, `"${copy.environment}" is in the same account ${target.accountId}; an account copy protects against losing the account, so it must be another one`);
    if (drRegion !== undefined && !snapshots.destinations.some((d) => d.region === drRegion)) p.add(at, `needs the DR region ${drRegion} among snapshots.destinations: the copy shared with the other account is the one there`);
  }
}
