/**
 * The permissions boundary of every role the platform creates in an account: the most any function,
 * replication or flow-log role may ever do, whatever its own policy says. The deployment role may only
 * create roles that carry it, so a mistaken or hostile policy in a stack cannot grant more (no IAM, no
 * administration of keys, databases or buckets: only the data-plane calls the platform's roles make).
 *
 * When a role in a stack starts using a new action, add it here; the bootstrap test compares every
 * allowed action of every role policy in the environment stacks with this list.
 */
import { SESSION_MANAGER_ACTIONS } from "../edge/instance-role";
import { policyDocument } from "../iam/policy";

export const BOUNDARY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // Functions in private subnets: the ENIs Lambda manages for them.
  network: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
  // Ledger writes, reads and the table stream the stream processor consumes.
  dynamodb: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
  // Change events to the central bus, dead letters to the queues, and the central stack-update rules'
  // invoker role calling the other environments' validators.
  events: ["events:PutEvents", "sqs:SendMessage", "lambda:InvokeFunction"],
  // Data keys of the environment keys (S3 replication, secrets, parameters, logs).
  kms: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
  // Function logs and the AWS managed enhanced monitoring policy (RDSOSMetrics log groups).
  logs: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents"],
  // Cross-region snapshot copies of Aurora clusters and DB instances, manual snapshots before a copy,
  // sharing a copy with another account (and that account's copy of it), their expiry.
  rds: [
    "rds:CopyDBClusterSnapshot", "rds:DeleteDBClusterSnapshot", "rds:DescribeDBClusterSnapshots", "rds:CreateDBClusterSnapshot",
    "rds:CopyDBSnapshot", "rds:DeleteDBSnapshot", "rds:DescribeDBSnapshots", "rds:CreateDBSnapshot",
    "rds:ModifyDBClusterSnapshotAttribute", "rds:ModifyDBSnapshotAttribute", "rds:AddTagsToResource",
  ],
  // Restore drills (src/restore-drill): a temporary cluster and instance restored from a snapshot copy,
  // its fresh master password, and their deletion. The drill role's own policy limits all of them to
  // the drill name prefix, which no live cluster can match (lambdas/restore-drill/names.ts).
  restoreDrill: [
    "rds:RestoreDBClusterFromSnapshot", "rds:CreateDBInstance", "rds:ModifyDBCluster",
    "rds:DeleteDBInstance", "rds:DeleteDBCluster", "rds:DescribeDBClusters", "rds:DescribeDBInstances",
  ],
  // Artifact replication (DR region, next environment) and the functions that read and write artifacts.
  s3: [
    "s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetReplicationConfiguration",
    "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
    "s3:GetObjectVersionForReplication", "s3:PutObject", "s3:DeleteObject",
    "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner",
  ],
  // Database credentials for the migration and sync functions; the rotation function's four steps.
  secrets: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
  // Configuration parameters: read, written and mirrored into the next environment.
  ssm: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:ListTagsForResource"],
  // The edge tier's instances: the SSM Agent's registration and Session Manager channels.
  sessions: SESSION_MANAGER_ACTIONS,
  // Roles the functions assume in the next environment, and their traces.
  sts: ["sts:AssumeRole", "xray:PutTraceSegments", "xray:PutTelemetryRecords"],
};

/** Every action the boundary allows. */
export function boundaryActions(): string[] {
  return Object.values(BOUNDARY_ACTIONS).flat();
}

export function permissionsBoundaryDocument(): string {
  return policyDocument(
    Object.entries(BOUNDARY_ACTIONS).map(([group, actions]) => ({
      sid: `Allow${group[0].toUpperCase()}${group.slice(1)}`,
      actions,
      resources: ["*"],
    })),
  );
}
