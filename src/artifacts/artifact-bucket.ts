import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { ArtifactEncryption } from "../config/types";
import type { PlatformKey } from "../keys/platform-key";
import { REPORT_PREFIX } from "../monitoring/status-endpoint";
import { SecureBucket } from "../storage/secure-bucket";
import { AccessLogBucket } from "./access-log-bucket";

export interface ArtifactBucketProps {
  readonly bucketName: string;
  readonly accountId: string;
  /** SSE-KMS with `key`, or SSE-S3. */
  readonly encryption: ArtifactEncryption;
  /** The environment key of the bucket's region (used when `encryption` is "aws:kms"). */
  readonly key: PlatformKey;
  /** Where server access logs go. */
  readonly accessLogBucketName: string;
  /** Refuse `terraform destroy` of the bucket. @default false */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Where the replication canaries write their marker objects (one folder per environment). */
export const CANARY_OBJECT_PREFIX = "canary/";

/**
 * Objects that only matter for a while: canary markers (the replica is checked within minutes) and
 * validation reports. Expiring them keeps the bucket and its DR copy from filling up with them.
 */
export const SHORT_LIVED_OBJECTS = [
  { prefix: CANARY_OBJECT_PREFIX, days: 1 },
  { prefix: REPORT_PREFIX, days: 90 },
] as const;

/** Object-level actions that change data; only the bucket's own account may call them directly. */
export const OBJECT_WRITE_ACTIONS = [
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectTagging",
  "s3:DeleteObjectTagging",
  "s3:PutObjectVersionTagging",
  "s3:DeleteObjectVersionTagging",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
] as const;

/**
 * An artifacts bucket (or its DR copy): a SecureBucket with access logging and a policy that
 * - denies uploads whose `x-amz-server-side-encryption` header names another algorithm (the header
 *   is optional: default encryption applies when it is absent) and, under SSE-KMS, another key;
 * - denies object writes by any other account, so only the owner writes directly (replication
 *   from the previous environment uses `s3:Replicate*`, granted separately to that one role).
 *
 * No other account may read: each environment's agent role (in the bucket's own account) reads
 * through its IAM policy, and only the validator's reports.
 *
 * @example
 * new ArtifactBucket(this, "artifacts", { bucketName, accountId, encryption: "aws:kms", key, accessLogBucketName });
 */
export class ArtifactBucket extends Construct {
  readonly bucket: SecureBucket;
  readonly encryption: ArtifactEncryption;
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    const kms = props.encryption === "aws:kms";
    this.encryption = props.encryption;
    this.bucketName = props.bucketName;
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.bucketName,
      kmsKeyArn: kms ? props.key.arn : undefined,
      accessLogs: { bucketName: props.accessLogBucketName, prefix: AccessLogBucket.logPrefix(props.bucketName) },
      expireObjects: SHORT_LIVED_OBJECTS,
      preventDestroy: props.preventDestroy,
      provider: props.provider,
    });
    const objects = `${this.bucket.arn}/*`;
    this.bucket.addPolicyStatements(
      {
        sid: "DenyOtherEncryptionAlgorithms",
        effect: "Deny",
        principals: { AWS: ["*"] },
        actions: ["s3:PutObject"],
        resources: [objects],
        conditions: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": [props.encryption] } },
      },
      ...(kms
        ? [
            {
              sid: "DenyOtherKmsKeys",
              effect: "Deny" as const,
              principals: { AWS: ["*"] },
              actions: ["s3:PutObject"],
              resources: [objects],
              conditions: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": [props.key.arn] } },
            },
          ]
        : []),
      {
        sid: "DenyObjectWritesFromOtherAccounts",
        effect: "Deny",
        principals: { AWS: ["*"] },
        actions: OBJECT_WRITE_ACTIONS,
        resources: [objects],
        conditions: { StringNotEquals: { "aws:PrincipalAccount": [props.accountId] } },
      },
    );
  }

  /**
   * Lets roles of this account list the bucket without an `s3:prefix` condition. HeadObject carries
   * no prefix, so a prefix-conditioned ListBucket still makes S3 answer 403 instead of 404 for a
   * missing key; functions that check whether an object exists before writing it need this.
   */
  allowExistenceChecks(sid: string, roleArns: readonly string[]): void {
    if (roleArns.length === 0) return;
    this.bucket.addPolicyStatements({ sid, actions: ["s3:ListBucket"], principals: { AWS: [...roleArns] }, resources: [this.bucket.arn] });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  /** The bucket's Terraform-resolved name (a reference: use it to order resources after the bucket). */
  get name(): string {
    return this.bucket.name;
  }
}
