import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { TerraformOutput } from "cdktf";
import {
  accessLogBucketName,
  artifactsBucketName,
  fabricNames,
  fabricRoleArn,
  namesIn,
} from "../cross-account/trust-map";
import { auditTrailBucketName } from "../audit/audit-trail";
import type { EnvironmentStack } from "../stacks/environment-stack";
import { AccessLogBucket } from "./access-log-bucket";
import { ArtifactBucket } from "./artifact-bucket";
import { ArtifactReplication } from "./artifact-replication";
import { acceptPromotions } from "./promotion-target";

/** What the artifacts capability of one environment stack offers the rest of the fabric. */
export interface EnvironmentArtifacts {
  /** The artifacts bucket (primary region) or the DR copy (DR region). */
  readonly bucket: ArtifactBucket;
  readonly accessLogs: AccessLogBucket;
  /** Primary region only. */
  readonly replication?: ArtifactReplication;
  /** The DR bucket's name (primary region: the replica the canary reads). */
  readonly drBucketName: string;
  /** Primary region only: the DR region's environment key, looked up by alias (the ledger replica uses it too). */
  readonly drKeyArn?: string;
}

/**
 * The artifacts capability of one environment stack. The DR-region stack (deployed first) holds the
 * DR bucket and its access-log bucket; the primary-region stack holds the artifacts bucket, its
 * access-log bucket, the replication role and rules, and the destination side of promotions from the
 * previous environment.
 */
export function addEnvironmentArtifacts(stack: EnvironmentStack): EnvironmentArtifacts {
  const { platform, environment, region } = stack;
  const bucketName = artifactsBucketName(platform, environment, region);
  const drBucketName = artifactsBucketName(platform, environment, platform.drRegion);
  const accessLogs = new AccessLogBucket(stack, "artifact-access-logs", {
    bucketName: accessLogBucketName(platform, environment, region),
    accountId: environment.accountId,
    // The primary region's access-log bucket also takes the audit trail bucket's logs.
    sourceBucketNames: stack.isPrimaryRegion ? [bucketName, auditTrailBucketName(stack.names)] : [bucketName],
    preventDestroy: environment.deletionProtection,
  });
  const bucket = new ArtifactBucket(stack, "artifacts", {
    bucketName,
    accountId: environment.accountId,
    encryption: environment.artifacts.encryption,
    key: stack.key,
    accessLogBucketName: accessLogs.name,
    preventDestroy: environment.deletionProtection,
  });

  if (!stack.isPrimaryRegion) {
    new TerraformOutput(stack, "dr_bucket_name", { value: bucket.name, description: `DR copy of the ${environment.name} artifacts bucket, in ${region}` });
    return { bucket, accessLogs, drBucketName };
  }

  const previous = stack.previousEnvironment;
  if (previous) {
    acceptPromotions(bucket, stack.key, {
      replicationRoleArn: fabricRoleArn(platform, previous, "replicationRole"),
      prefix: previous.artifacts.promotionPrefix,
      sourceUsesKms: previous.artifacts.encryption === "aws:kms",
    });
  }

  const kms = environment.artifacts.encryption === "aws:kms";
  const next = stack.nextEnvironment;
  // Keys of other stacks are found by their alias through the provider of their account and region.
  const drKey = new DataAwsKmsAlias(stack, "dr-key", { provider: stack.otherRegionProvider, name: stack.names.keyAlias });
  const nextKey = next && stack.nextProvider ? new DataAwsKmsAlias(stack, "next-environment-key", { provider: stack.nextProvider, name: namesIn(platform, next, region).keyAlias }) : undefined;
  const replication = new ArtifactReplication(stack, "artifact-replication", {
    source: bucket,
    sourceKeyArn: kms ? stack.key.arn : undefined,
    accountId: environment.accountId,
    region,
    roleName: fabricNames(platform.project, environment.name).replicationRole,
    dr: { bucketName: drBucketName, region: platform.drRegion, keyArn: drKey.targetKeyArn },
    promotion:
      next && nextKey
        ? {
            environment: next.name,
            accountId: next.accountId,
            bucketName: artifactsBucketName(platform, next, region),
            keyArn: nextKey.targetKeyArn,
            prefix: environment.artifacts.promotionPrefix,
          }
        : undefined,
  });

  new TerraformOutput(stack, "artifacts_bucket_name", { value: bucket.name, description: `The ${environment.name} artifacts bucket` });
  new TerraformOutput(stack, "replication_role_arn", { value: replication.role.arn, description: `Role S3 assumes to replicate the ${environment.name} artifacts bucket` });
  return { bucket, accessLogs, replication, drBucketName, drKeyArn: drKey.targetKeyArn };
}
