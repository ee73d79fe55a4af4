import type { PlatformKey } from "../keys/platform-key";
import { rolesAsPrincipals } from "../cross-account/trust-map";
import type { ArtifactBucket } from "./artifact-bucket";
import { OWNER_OVERRIDE_ACTION, REPLICATE_ACTIONS } from "./artifact-replication";

export interface PromotionSource {
  /** ARN of the previous environment's replication role (computed from the shared naming code). */
  readonly replicationRoleArn: string;
  /** The previous environment's promotion prefix: the only keys its role may write here. */
  readonly prefix: string;
  /** Whether the previous environment's objects are SSE-KMS: their replicas are then re-encrypted with this environment's key. */
  readonly sourceUsesKms: boolean;
}

/**
 * The destination side of promotion, built by the receiving environment's own stack: its artifacts
 * bucket lets the previous environment's replication role replicate (and hand ownership to this
 * account) under the promotion prefix and check versioning, and its key lets that role encrypt the
 * replicas. The role is named by account root plus `aws:PrincipalArn`, as it lives in another account.
 */
export function acceptPromotions(bucket: ArtifactBucket, key: PlatformKey, source: PromotionSource): void {
  const { principals, conditions } = rolesAsPrincipals([source.replicationRoleArn]);
  bucket.bucket.addPolicyStatements(
    {
      sid: "PreviousEnvironmentReplicatesPromotions",
      actions: [...REPLICATE_ACTIONS, OWNER_OVERRIDE_ACTION],
      principals,
      conditions,
      resources: [`${bucket.arn}/${source.prefix}*`],
    },
    {
      sid: "PreviousEnvironmentChecksVersioning",
      actions: ["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
      principals,
      conditions,
      resources: [bucket.arn],
    },
  );
  if (source.sourceUsesKms) {
    key.grantToRoles("PreviousEnvironmentReplicationEncrypts", [source.replicationRoleArn], ["kms:Encrypt", "kms:GenerateDataKey"]);
  }
}
