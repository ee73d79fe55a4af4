/** Configuration of the snapshot copy function, read from environment variables once per cold start. */
import { InvalidEnvironmentError, parseJsonEnv, readEnv, regionOfArn, type Env } from "../shared/env";
import { COPY_SUFFIX_LENGTH, MAX_SNAPSHOT_IDENTIFIER_LENGTH } from "./snapshots";

/** One Aurora cluster whose snapshots are copied. */
export interface CopiedCluster {
  /** The database's short name: ledger subject and metric dimension `Database`. */
  readonly name: string;
  /** The DB cluster identifier in SOURCE_REGION (lowercase, as RDS stores it). */
  readonly clusterIdentifier: string;
}

export interface SnapshotCopyConfig {
  readonly environment: string;
  /** Region of the clusters and of the function itself. */
  readonly sourceRegion: string;
  /** The disaster-recovery region, where the copies are kept. */
  readonly targetRegion: string;
  /** KMS key ARN (key or alias) in TARGET_REGION that encrypts the copies. */
  readonly targetKmsKeyId: string;
  readonly clusters: readonly CopiedCluster[];
  /** Copies older than this are deleted, except the newest available one of each cluster. */
  readonly retentionDays: number;
  readonly ledgerTableName: string;
  readonly metricsNamespace: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** RDS identifier rules: a letter first, then letters, digits and single hyphens, no hyphen at the end. */
const CLUSTER_IDENTIFIER = /^[a-z](?:-?[a-z0-9])*$/;
/** The longest cluster identifier whose copy identifier still fits RDS's 63 characters. */
export const MAX_CLUSTER_IDENTIFIER_LENGTH = MAX_SNAPSHOT_IDENTIFIER_LENGTH - COPY_SUFFIX_LENGTH;

export function readSnapshotCopyConfig(env: Env = process.env): SnapshotCopyConfig {
  const e = readEnv(
    ["ENVIRONMENT", "SOURCE_REGION", "TARGET_REGION", "TARGET_KMS_KEY_ID", "CLUSTERS", "RETENTION_DAYS", "LEDGER_TABLE_NAME", "METRICS_NAMESPACE"],
    ["AWS_REGION"],
    env,
  );
  for (const name of ["SOURCE_REGION", "TARGET_REGION"] as const) {
    if (!REGION.test(e[name])) throw new InvalidEnvironmentError(name, `expected a region name such as us-east-1, got "${e[name]}"`);
  }
  if (e.SOURCE_REGION === e.TARGET_REGION) {
    throw new InvalidEnvironmentError("TARGET_REGION", `must be the DR region, not the clusters' own region ${e.SOURCE_REGION}`);
  }
  // Ledger items carry SOURCE_REGION as their origin; the stream processor of another region would drop them.
  if (e.AWS_REGION !== undefined && e.AWS_REGION !== e.SOURCE_REGION) {
    throw new InvalidEnvironmentError("SOURCE_REGION", `must be the function's own region (AWS_REGION=${e.AWS_REGION}), got ${e.SOURCE_REGION}`);
  }
  return {
    environment: e.ENVIRONMENT,
    sourceRegion: e.SOURCE_REGION,
    targetRegion: e.TARGET_REGION,
    targetKmsKeyId: parseKmsKeyArn(e.TARGET_KMS_KEY_ID, e.TARGET_REGION),
    clusters: parseClusters(e.CLUSTERS),
    retentionDays: parseRetentionDays(e.RETENTION_DAYS),
    ledgerTableName: e.LEDGER_TABLE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
  };
}

function parseKmsKeyArn(raw: string, targetRegion: string): string {
  // KMS keys are regional: a key of any other region cannot encrypt a copy made in the DR region.
  if (!/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:(key|alias)\/.+$/.test(raw) || regionOfArn(raw) !== targetRegion) {
    throw new InvalidEnvironmentError("TARGET_KMS_KEY_ID", `expected the ARN of a KMS key or alias in TARGET_REGION ${targetRegion} (arn:aws:kms:${targetRegion}:<account>:key/<id>), got "${raw}"`);
  }
  return raw;
}

function parseRetentionDays(raw: string): number {
  const days = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new InvalidEnvironmentError("RETENTION_DAYS", `expected a whole number of days of at least 1, got "${raw}"`);
  }
  return days;
}

/** Parses CLUSTERS: a JSON list of `{"name", "clusterIdentifier"}`, at least one. */
export function parseClusters(raw: string): CopiedCluster[] {
  const shape = 'a JSON list of {"name": "<database>", "clusterIdentifier": "<DB cluster identifier>"}';
  const list = parseJsonEnv<unknown>("CLUSTERS", raw, []);
  if (!Array.isArray(list) || list.length === 0) throw new InvalidEnvironmentError("CLUSTERS", `expected ${shape} with at least one entry`);
  const names = new Set<string>();
  const identifiers = new Set<string>();
  return list.map((item: unknown, i): CopiedCluster => {
    const where = `entry ${i + 1}`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new InvalidEnvironmentError("CLUSTERS", `${where} is not an object; expected ${shape}`);
    const entry = item as Record<string, unknown>;
    // A misspelt key would otherwise be dropped silently and leave a cluster without copies.
    const unknown = Object.keys(entry).filter((key) => key !== "name" && key !== "clusterIdentifier");
    if (unknown.length > 0) throw new InvalidEnvironmentError("CLUSTERS", `${where} has unknown field(s) ${unknown.join(", ")}; expected ${shape}`);
    const { name, clusterIdentifier } = entry;
    if (typeof name !== "string" || !/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new InvalidEnvironmentError("CLUSTERS", `${where}: name must be letters, digits, "_" or "-" (it is a ledger key and a metric dimension), got ${JSON.stringify(name)}`);
    }
    if (typeof clusterIdentifier !== "string" || !CLUSTER_IDENTIFIER.test(clusterIdentifier)) {
      throw new InvalidEnvironmentError("CLUSTERS", `${where}: clusterIdentifier must be a lowercase DB cluster identifier (letters, digits, single hyphens), got ${JSON.stringify(clusterIdentifier)}`);
    }
    if (clusterIdentifier.length > MAX_CLUSTER_IDENTIFIER_LENGTH) {
      throw new InvalidEnvironmentError(
        "CLUSTERS",
        `${where}: clusterIdentifier "${clusterIdentifier}" is longer than ${MAX_CLUSTER_IDENTIFIER_LENGTH} characters, so its copies' identifiers would exceed RDS's limit of ${MAX_SNAPSHOT_IDENTIFIER_LENGTH}`,
      );
    }
    if (names.has(name)) throw new InvalidEnvironmentError("CLUSTERS", `name "${name}" appears twice`);
    if (identifiers.has(clusterIdentifier)) throw new InvalidEnvironmentError("CLUSTERS", `clusterIdentifier "${clusterIdentifier}" appears twice`);
    names.add(name);
    identifiers.add(clusterIdentifier);
    return { name, clusterIdentifier };
  });
}
