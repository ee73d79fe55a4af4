/** Configuration of the replication monitor, read from environment variables once per cold start. */
import { InvalidEnvironmentError, parsePositiveNumberEnv, readEnv, type Env } from "../shared/env";

export interface CrossAccountRole {
  readonly roleArn: string;
  readonly externalId: string;
}

export interface MonitorConfig {
  readonly environment: string;
  readonly region: string;
  readonly ledgerTableName: string;
  readonly metricsNamespace: string;
  /** Bucket the S3 canary writes to. */
  readonly artifactsBucket: string;
  /** S3 channel: replica bucket (DR bucket or next environment's); absent disables the channel. */
  readonly s3Replica?: { readonly bucket: string; readonly region: string; readonly role?: CrossAccountRole };
  /** DynamoDB channel: the ledger's global-table replica; absent disables the channel. */
  readonly ledgerReplica?: { readonly region: string; readonly tableName: string };
  /** SSM channel: the next environment, reached through a role; absent disables the channel. */
  readonly ssmTarget?: { readonly environment: string; readonly region: string; readonly role: CrossAccountRole };
  /** Key of the heartbeat parameter under `/app/<env>/config/`. @default "canary/heartbeat" */
  readonly canaryParameterKey: string;
  /** @default 120000 (CANARY_TIMEOUT_SECONDS=120) */
  readonly canaryTimeoutMs: number;
  /** @default 1000 (CANARY_POLL_INTERVAL_SECONDS=1) */
  readonly canaryPollIntervalMs: number;
}

export function readMonitorConfig(env: Env = process.env): MonitorConfig {
  const e = readEnv(
    ["ENVIRONMENT", "LEDGER_TABLE_NAME", "METRICS_NAMESPACE", "ARTIFACTS_BUCKET", "AWS_REGION"],
    [
      "CANARY_S3_REPLICA_BUCKET",
      "CANARY_S3_REPLICA_REGION",
      "CANARY_S3_REPLICA_ROLE_ARN",
      "CANARY_S3_REPLICA_EXTERNAL_ID",
      "LEDGER_REPLICA_REGION",
      "LEDGER_REPLICA_TABLE_NAME",
      "TARGET_ENVIRONMENT",
      "TARGET_REGION",
      "TARGET_ROLE_ARN",
      "TARGET_EXTERNAL_ID",
      "CANARY_PARAMETER_KEY",
      "CANARY_TIMEOUT_SECONDS",
      "CANARY_POLL_INTERVAL_SECONDS",
    ],
    env,
  );
  const s3Role = pairedRole("CANARY_S3_REPLICA_ROLE_ARN", e.CANARY_S3_REPLICA_ROLE_ARN, "CANARY_S3_REPLICA_EXTERNAL_ID", e.CANARY_S3_REPLICA_EXTERNAL_ID);
  const targetRole = pairedRole("TARGET_ROLE_ARN", e.TARGET_ROLE_ARN, "TARGET_EXTERNAL_ID", e.TARGET_EXTERNAL_ID);
  if ((e.TARGET_ENVIRONMENT === undefined) !== (targetRole === undefined)) {
    throw new InvalidEnvironmentError("TARGET_ENVIRONMENT", "set TARGET_ENVIRONMENT together with TARGET_ROLE_ARN and TARGET_EXTERNAL_ID (or none of them to disable the SSM canary)");
  }
  return {
    environment: e.ENVIRONMENT,
    region: e.AWS_REGION,
    ledgerTableName: e.LEDGER_TABLE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
    artifactsBucket: e.ARTIFACTS_BUCKET,
    s3Replica: e.CANARY_S3_REPLICA_BUCKET === undefined ? undefined : { bucket: e.CANARY_S3_REPLICA_BUCKET, region: e.CANARY_S3_REPLICA_REGION ?? e.AWS_REGION, role: s3Role },
    ledgerReplica: e.LEDGER_REPLICA_REGION === undefined ? undefined : { region: e.LEDGER_REPLICA_REGION, tableName: e.LEDGER_REPLICA_TABLE_NAME ?? e.LEDGER_TABLE_NAME },
    ssmTarget: e.TARGET_ENVIRONMENT === undefined || targetRole === undefined ? undefined : { environment: e.TARGET_ENVIRONMENT, region: e.TARGET_REGION ?? e.AWS_REGION, role: targetRole },
    canaryParameterKey: e.CANARY_PARAMETER_KEY ?? "canary/heartbeat",
    canaryTimeoutMs: parsePositiveNumberEnv("CANARY_TIMEOUT_SECONDS", e.CANARY_TIMEOUT_SECONDS, 120) * 1000,
    canaryPollIntervalMs: parsePositiveNumberEnv("CANARY_POLL_INTERVAL_SECONDS", e.CANARY_POLL_INTERVAL_SECONDS, 1) * 1000,
  };
}

function pairedRole(arnName: string, arn: string | undefined, idName: string, externalId: string | undefined): CrossAccountRole | undefined {
  if (arn === undefined && externalId === undefined) {
    return undefined;
  }
  if (arn === undefined || externalId === undefined) {
    throw new InvalidEnvironmentError(arn === undefined ? arnName : idName, `${arnName} and ${idName} must be set together`);
  }
  return { roleArn: arn, externalId };
}
