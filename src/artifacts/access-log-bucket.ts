import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { SecureBucket } from "../storage/secure-bucket";

export interface AccessLogBucketProps {
  readonly bucketName: string;
  readonly accountId: string;
  /** Names of the buckets that deliver their server access logs here. */
  readonly sourceBucketNames: readonly string[];
  /** Days an overwritten log object version is kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Refuse `terraform destroy` of the bucket. @default false */
  readonly preventDestroy?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The per-region target of S3 server access logs. It uses SSE-S3, because log delivery cannot write
 * to a bucket whose default encryption is SSE-KMS, and — object ownership being enforced, so no ACLs —
 * its policy lets the logging service principal write, only for the named source buckets of this
 * account, each under its own prefix (`logPrefix`).
 *
 * @example
 * const logs = new AccessLogBucket(this, "logs", { bucketName, accountId, sourceBucketNames: [artifacts] });
 * new SecureBucket(this, "artifacts", { bucketName: artifacts, accessLogs: { bucketName: logs.name, prefix: AccessLogBucket.logPrefix(artifacts) } });
 */
export class AccessLogBucket extends Construct {
  readonly bucket: SecureBucket;

  /** The prefix under which a source bucket's logs land. */
  static logPrefix(sourceBucketName: string): string {
    return `s3/${sourceBucketName}/`;
  }

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.bucketName,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 30,
      preventDestroy: props.preventDestroy,
      provider: props.provider,
    });
    this.bucket.addPolicyStatements({
      sid: "S3ServerAccessLogDelivery",
      actions: ["s3:PutObject"],
      principals: { Service: ["logging.s3.amazonaws.com"] },
      resources: props.sourceBucketNames.map((name) => `${this.bucket.arn}/${AccessLogBucket.logPrefix(name)}*`),
      conditions: {
        ArnLike: { "aws:SourceArn": props.sourceBucketNames.map((name) => `arn:aws:s3:::${name}`) },
        StringEquals: { "aws:SourceAccount": [props.accountId] },
      },
    });
  }

  get name(): string {
    return this.bucket.name;
  }

  get arn(): string {
    return this.bucket.arn;
  }
}
