import { Construct } from "constructs";
import { CANARY_OBJECT_PREFIX } from "../artifacts/artifact-bucket";
import type { LambdaConfig } from "../config/types";
import type { PolicyStatement } from "../iam/policy";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import { configParameterArn } from "../config-mirror/parameters";

/** The parameter the SSM canary writes, relative to `/app/<env>/config/` (the handler's default). */
export const CANARY_PARAMETER_KEY = "canary/heartbeat";
/** How long a canary channel waits for its replica. */
export const CANARY_TIMEOUT_SECONDS = 120;

export interface ReplicationMonitorProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly metricsNamespace: string;
  /** The ledger and its DR replica, which DynamoDB encrypts with the DR-region key `replicaKeyArn`. */
  readonly ledger: {
    readonly tableName: string;
    readonly tableArn: string;
    /** The same-account DR replica the ledger canary reads. @default none: the ledger canary is off (a multi-account ledger has no replica in this account) */
    readonly replica?: { readonly region: string; readonly kmsKeyArn: string };
  };
  readonly artifactsBucketName: string;
  /** The DR copy of the artifacts bucket (same account): the S3 canary's replica. */
  readonly drBucket: { readonly bucketName: string; readonly region: string };
  /** The next environment, reached through its agent role: the SSM canary's target. @default no SSM channel */
  readonly next?: { readonly environment: string; readonly roleArn: string; readonly externalId: string };
  readonly defaults: LambdaConfig;
}

/**
 * The replication monitor (`lambdas/replication-monitor`): records S3 replication incidents (the
 * artifacts bucket notifies it directly) and runs canaries on a schedule — S3 into the DR bucket, the
 * ledger into its DR replica, and SSM into the next environment through the config mirror.
 */
export class ReplicationMonitor extends Construct {
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: ReplicationMonitorProps) {
    super(scope, id);
    const { ledger, drBucket, next } = props;
    const canaryPrefix = `${CANARY_OBJECT_PREFIX}${props.environment}/`;
    const statements: PolicyStatement[] = [
      { sid: "WriteS3Canary", actions: ["s3:PutObject"], resources: [`arn:aws:s3:::${props.artifactsBucketName}/${canaryPrefix}*`] },
      { sid: "ReadS3CanaryReplica", actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${drBucket.bucketName}/${canaryPrefix}*`] },
      // Unconditioned: HeadObject of a canary not replicated yet must answer 404, and S3 answers 403
      // unless ListBucket is allowed without an s3:prefix condition (HeadObject carries no prefix).
      { sid: "ListS3CanaryReplica", actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::${drBucket.bucketName}`] },
      { sid: "RecordInLedger", actions: ["dynamodb:PutItem"], resources: [ledger.tableArn] },
      ...(ledger.replica
        ? [
            { sid: "ReadLedgerReplica", actions: ["dynamodb:GetItem"], resources: [`arn:aws:dynamodb:${ledger.replica.region}:${props.accountId}:table/${ledger.tableName}`] },
            // The replica is encrypted with the DR-region key (the role's own key grant covers only this region's).
            {
              sid: "DecryptLedgerReplicaThroughDynamoDB",
              actions: ["kms:Decrypt"],
              resources: [ledger.replica.kmsKeyArn],
              conditions: { StringEquals: { "kms:ViaService": [`dynamodb.${ledger.replica.region}.amazonaws.com`] } },
            },
          ]
        : []),
      { sid: "WriteSsmCanary", actions: ["ssm:PutParameter"], resources: [configParameterArn(props.region, props.accountId, props.environment, CANARY_PARAMETER_KEY)] },
      ...(next ? [{ sid: "AssumeNextEnvironmentAgent", actions: ["sts:AssumeRole"], resources: [next.roleArn] }] : []),
    ];
    this.function = new BundledFunction(this, "function", {
      handler: "replication-monitor",
      functionName: props.functionName,
      description: "Records S3 replication incidents and measures replication lag with canaries",
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      reservedConcurrency: props.defaults.reservedConcurrency,
      timeoutSeconds: CANARY_TIMEOUT_SECONDS + 60,
      environment: {
        ENVIRONMENT: props.environment,
        LEDGER_TABLE_NAME: ledger.tableName,
        METRICS_NAMESPACE: props.metricsNamespace,
        ARTIFACTS_BUCKET: props.artifactsBucketName,
        CANARY_S3_REPLICA_BUCKET: drBucket.bucketName,
        CANARY_S3_REPLICA_REGION: drBucket.region,
        ...(ledger.replica ? { LEDGER_REPLICA_REGION: ledger.replica.region, LEDGER_REPLICA_TABLE_NAME: ledger.tableName } : {}),
        CANARY_PARAMETER_KEY,
        CANARY_TIMEOUT_SECONDS: String(CANARY_TIMEOUT_SECONDS),
        ...(next ? { TARGET_ENVIRONMENT: next.environment, TARGET_REGION: props.region, TARGET_ROLE_ARN: next.roleArn, TARGET_EXTERNAL_ID: next.externalId } : {}),
      },
      statements,
    });
  }
}
