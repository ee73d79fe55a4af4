import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import type { LambdaConfig } from "../config/types";
import type { EventsDeadLetterQueue } from "../events/dead-letter-queue";
import { EventRule } from "../events/event-rule";
import type { PolicyStatement } from "../iam/policy";
import { jsonAttribute } from "../json-attribute";
import { BundledFunction, type FunctionVpcPlacement } from "../lambda-packaging/bundled-function";
import { namePrefix } from "../../lambdas/snapshot-copy/names";
import type { DrillDatabase } from "../../lambdas/restore-drill/drill";

export interface RestoreDrillProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  /** The DR region, where the snapshot copies are and the drill runs. */
  readonly region: string;
  /** The DR region's environment key: the copies, the drill cluster, the function's logs. */
  readonly kmsKeyArn: string;
  /** Prefix of every drill cluster and instance (lambdas/restore-drill/names.ts); the role is limited to it. */
  readonly drillPrefix: string;
  readonly databases: readonly DrillDatabase[];
  /** DB subnet group and security group the drill cluster is placed in (the DR VPC's). */
  readonly subnetGroupName: string;
  readonly databaseSecurityGroupId: string;
  /** Where the verification function runs: the DR VPC's private subnets and `lambda` group (it connects to the drill cluster). */
  readonly vpc: FunctionVpcPlacement;
  /** When drills start (EventBridge schedule expression). */
  readonly schedule: string;
  /** A drill whose restore takes longer alarms (recovery time objective). */
  readonly rtoMinutes: number;
  /** A drill not finished after this long is abandoned, recorded as timed out, and torn down. */
  readonly maxMinutes: number;
  /**
   * Where the verification reads the reference-data files: the DR-region artifacts bucket and the
   * environment's data-sync folder (`<prefix><db>/`). `kms` when the bucket is encrypted with the DR
   * key (`kmsKeyArn`), which S3 then uses on the function's behalf.
   */
  readonly referenceData: { readonly bucketName: string; readonly prefix: string; readonly kms: boolean };
  readonly ledgerTableName: string;
  /** The ledger's ARN in its home region (the primary region). */
  readonly ledgerTableArn: string;
  readonly ledgerRegion: string;
  readonly metricsNamespace: string;
  readonly alarmTopicArn: string;
  readonly deadLetterQueue: EventsDeadLetterQueue;
  readonly defaults: LambdaConfig;
}

/**
 * Restore drills in the DR region (lambdas/restore-drill): on `schedule`, the newest snapshot copy of
 * each database is restored into a temporary cluster with one instance, verified with the engine,
 * timed, recorded and deleted. The function re-invokes itself between steps (a restore outlasts one
 * invocation). Its role may create, change and delete only clusters and instances under the drill
 * prefix, so it can never touch a live cluster. Alarms: a failed or timed-out drill, a restore slower
 * than the RTO, and function errors (a drill chain that died).
 */
export class RestoreDrill extends Construct {
  readonly function: BundledFunction;
  readonly verifyFunction: BundledFunction;

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    super(scope, id);
    // Only the verification sits in the VPC: it talks to the drill cluster and reads the DR bucket
    // (S3 gateway endpoint), so the DR VPC needs no interface endpoint for drills. The drill calls
    // RDS, Lambda and the ledger.
    this.verifyFunction = new BundledFunction(this, "verify-function", {
      handler: "restore-drill-verify",
      functionName: verifyFunctionName(props.functionName),
      description: `Verifies a restored ${props.environment} database for the restore drill`,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      timeoutSeconds: 300,
      vpc: props.vpc,
      awsServices: ["s3"],
      environment: { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem", ARTIFACTS_BUCKET: props.referenceData.bucketName, DATA_PREFIX: props.referenceData.prefix },
      statements: verifyStatements(props),
    });
    this.function = new BundledFunction(this, "function", {
      handler: "restore-drill",
      functionName: props.functionName,
      description: `Restore drills of the ${props.environment} databases from their ${props.region} snapshot copies`,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      timeoutSeconds: 900,
      environment: {
        ENVIRONMENT: props.environment,
        DRILL_PREFIX: props.drillPrefix,
        DATABASES: jsonAttribute(props.databases),
        SUBNET_GROUP_NAME: props.subnetGroupName,
        SECURITY_GROUP_IDS: jsonAttribute([props.databaseSecurityGroupId]),
        KMS_KEY_ARN: props.kmsKeyArn,
        MAX_MINUTES: String(props.maxMinutes),
        LEDGER_TABLE_NAME: props.ledgerTableName,
        LEDGER_REGION: props.ledgerRegion,
        VERIFY_FUNCTION_NAME: verifyFunctionName(props.functionName),
        METRICS_NAMESPACE: props.metricsNamespace,
      },
      statements: restoreDrillStatements(props),
    });
    new EventRule(this, "schedule", {
      ruleName: props.functionName,
      description: `Starts the ${props.environment} restore drills`,
      scheduleExpression: props.schedule,
      deadLetterQueue: props.deadLetterQueue,
    }).addFunction("restore-drill", this.function);

    const alarm = (alarmId: string, spec: { name: string; description: string; metricName: string; namespace: string; statistic: string; threshold: number; dimensions: Record<string, string> }) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: spec.name,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        period: 3600,
        evaluationPeriods: 1,
        threshold: spec.threshold,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    for (const database of props.databases) {
      const dimensions = { Environment: props.environment, Handler: "restore-drill", Database: database.name };
      alarm(`failed-${database.name}`, {
        name: `${props.functionName}-${database.name}-failed`,
        description: `A restore drill of ${database.name} failed verification, failed, or did not finish within ${props.maxMinutes} minutes`,
        namespace: props.metricsNamespace,
        metricName: "RestoreDrillFailed",
        statistic: "Sum",
        threshold: 0,
        dimensions,
      });
      alarm(`rto-${database.name}`, {
        name: `${props.functionName}-${database.name}-rto-exceeded`,
        description: `Restoring ${database.name} took longer than the recovery time objective (${props.rtoMinutes} minutes)`,
        namespace: props.metricsNamespace,
        metricName: "RestoreDrillSeconds",
        statistic: "Maximum",
        threshold: props.rtoMinutes * 60,
        dimensions,
      });
    }
    alarm("errors", {
      name: `${props.functionName}-errors`,
      description: "The restore drill function failed (a drill may have stopped before its teardown: check for clusters under the drill prefix)",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      statistic: "Sum",
      threshold: 0,
      dimensions: { FunctionName: props.functionName },
    });
  }
}

/** The drill role: everything it creates, changes or deletes is under the drill prefix. */
export function restoreDrillStatements(props: RestoreDrillProps): PolicyStatement[] {
  const rds = (resource: string) => `arn:aws:rds:${props.region}:${props.accountId}:${resource}`;
  const drillClusters = rds(`cluster:${props.drillPrefix}*`);
  const drillInstances = rds(`db:${props.drillPrefix}*`);
  const copies = props.databases.map((d) => rds(`cluster-snapshot:${namePrefix(d.sourceClusterIdentifier, "copy")}*`));
  const subnetGroup = rds(`subgrp:${props.subnetGroupName}`);
  return [
    // Copies keep their source's cluster identifier, so listing them is authorized against it too.
    { sid: "FindSnapshotCopies", actions: ["rds:DescribeDBClusterSnapshots"], resources: [...props.databases.map((d) => rds(`cluster:${d.sourceClusterIdentifier}`)), ...copies] },
    { sid: "RestoreDrillCluster", actions: ["rds:RestoreDBClusterFromSnapshot"], resources: [drillClusters, ...copies, subnetGroup, rds("cluster-pg:default.*")] },
    { sid: "CreateDrillInstance", actions: ["rds:CreateDBInstance"], resources: [drillInstances, drillClusters, subnetGroup, rds("pg:default.*")] },
    { sid: "TagDrillResources", actions: ["rds:AddTagsToResource"], resources: [drillClusters, drillInstances] },
    { sid: "OperateDrillResources", actions: ["rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:ModifyDBCluster", "rds:DeleteDBInstance", "rds:DeleteDBCluster"], resources: [drillClusters, drillInstances] },
    // RDS decrypts the copy and encrypts the restored storage through grants made for the caller.
    { sid: "DescribeDrillKey", actions: ["kms:DescribeKey"], resources: [props.kmsKeyArn] },
    { sid: "GrantDrillKeyToRds", actions: ["kms:CreateGrant"], resources: [props.kmsKeyArn], conditions: { Bool: { "kms:GrantIsForAWSResource": true } } },
    // The ledger (its replica here): the drill's record, and the source's latest applied migrations.
    { sid: "RecordAndReadLedger", actions: ["dynamodb:PutItem", "dynamodb:Query"], resources: [props.ledgerTableArn] },
    // The next step of a drill is the same function, invoked asynchronously with the drill's state;
    // the verification is the function in the VPC.
    { sid: "ContinueAndVerifyDrill", actions: ["lambda:InvokeFunction"], resources: [props.functionName, verifyFunctionName(props.functionName)].map((name) => `arn:aws:lambda:${props.region}:${props.accountId}:function:${name}`) },
  ];
}

/** The verification role: it reads the reference-data folders of the DR bucket, nothing else. */
export function verifyStatements(props: RestoreDrillProps): PolicyStatement[] {
  const { bucketName, prefix, kms } = props.referenceData;
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  return [
    { sid: "ListReferenceData", actions: ["s3:ListBucket"], resources: [bucketArn], conditions: { StringLike: { "s3:prefix": [`${prefix}*`] } } },
    { sid: "ReadReferenceData", actions: ["s3:GetObject"], resources: [`${bucketArn}/${prefix}*`] },
    ...(kms ? [{ sid: "DecryptReferenceData", actions: ["kms:Decrypt"], resources: [props.kmsKeyArn], conditions: { StringEquals: { "kms:ViaService": [`s3.${props.region}.amazonaws.com`] } } }] : []),
  ];
}

function verifyFunctionName(functionName: string): string {
  return `${functionName}-verify`;
}
