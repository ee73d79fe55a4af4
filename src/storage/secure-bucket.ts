import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Lazy, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { denyInsecureTransport, policyDocument, type PolicyStatement } from "../iam/policy";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Customer-managed key for SSE-KMS; omit for SSE-S3 (AES256). */
  readonly kmsKeyArn?: string;
  /** Days a noncurrent object version is kept before it expires. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Bucket that receives this bucket's server access logs, and the prefix to use. @default no access logging */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix: string };
  /** Prefixes whose objects are short-lived (canary markers, reports): expired after `days`. @default none */
  readonly expireObjects?: readonly { readonly prefix: string; readonly days: number }[];
  /** Refuse `terraform destroy` of the bucket. @default false */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * An S3 bucket that is secure without options: versioned, encrypted by default (SSE-KMS with a bucket
 * key, or SSE-S3), public access blocked, object ownership enforced (no ACLs), TLS-only, and with
 * lifecycle rules for noncurrent versions and abandoned multipart uploads.
 *
 * Other constructs add resource-policy statements with `addPolicyStatements`; the policy is rendered at
 * synth time.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  /** The bucket policy (TLS only plus every added statement): services that check it on setup depend on it. */
  readonly policy: S3BucketPolicy;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.bucket = new S3Bucket(this, "bucket", {
      provider,
      bucket: props.bucketName,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;
    this.versioning = new S3BucketVersioningA(this, "versioning", { provider, bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider,
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { provider, bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      provider,
      bucket,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
        },
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.expireObjects ?? []).map(({ prefix, days }) => ({
          id: `expire-${prefix.replace(/[^A-Za-z0-9-]/g, "-").replace(/-+$/, "")}`,
          status: "Enabled",
          filter: [{ prefix }],
          expiration: [{ days }],
        })),
      ],
      dependsOn: [this.versioning],
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, "logging", { provider, bucket, targetBucket: props.accessLogs.bucketName, targetPrefix: props.accessLogs.prefix });
    }
    this.policy = new S3BucketPolicy(this, "policy", {
      provider,
      bucket,
      policy: Lazy.stringValue({
        produce: () =>
          policyDocument([denyInsecureTransport(["s3:*"], [this.bucket.arn, `${this.bucket.arn}/*`]), ...this.statements]),
      }),
    });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }

  addPolicyStatements(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }
}
