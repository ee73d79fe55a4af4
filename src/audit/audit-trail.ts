import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { Construct } from "constructs";
import type { PlatformKey } from "../keys/platform-key";
import type { ResourceNames } from "../naming";
import { SecureBucket } from "../storage/secure-bucket";

export interface AuditTrailProps {
  /** Trail name, e.g. `replica-dev-audit`. */
  readonly trailName: string;
  /** The trail's own bucket, e.g. `replica-dev-cloudtrail-111111111111-us-east-1`. */
  readonly bucketName: string;
  readonly accountId: string;
  /** The environment key of the trail's home region: it encrypts the log files and the bucket. */
  readonly key: PlatformKey;
  /** Where the trail bucket's server access logs go. */
  readonly accessLogs: { readonly bucketName: string; readonly prefix: string };
  /** Refuse `terraform destroy` of the bucket. @default false */
  readonly preventDestroy?: boolean;
}

/** Where CloudTrail writes an account's log files inside the trail bucket. */
export function trailLogPrefix(accountId: string): string {
  return `AWSLogs/${accountId}/`;
}

/**
 * The account's CloudTrail trail: multi-region, with global service events, write management events
 * (the configuration API calls the events rule forwards; EventBridge receives CloudTrail events only
 * from accounts with a trail), log files encrypted with the environment key and signed (log file
 * validation), into its own SecureBucket (versioned, SSE-KMS, TLS-only, public access blocked,
 * access-logged) whose policy admits CloudTrail for this trail only (`aws:SourceArn`).
 *
 * One per account: the primary-region stack creates it, as it creates every account-wide resource.
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { key, accountId } = props;
    // Deterministic: the trail's ARN attribute would make the bucket policy and the trail depend on each other.
    const trailArn = `arn:aws:cloudtrail:${key.region}:${accountId}:trail/${props.trailName}`;
    const forThisTrail = { StringEquals: { "aws:SourceArn": [trailArn] } };

    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.bucketName,
      kmsKeyArn: key.arn,
      accessLogs: props.accessLogs,
      preventDestroy: props.preventDestroy,
    });
    this.bucket.addPolicyStatements(
      {
        sid: "CloudTrailChecksBucketAcl",
        actions: ["s3:GetBucketAcl"],
        principals: { Service: ["cloudtrail.amazonaws.com"] },
        resources: [this.bucket.arn],
        conditions: forThisTrail,
      },
      {
        sid: "CloudTrailWritesLogFiles",
        actions: ["s3:PutObject"],
        principals: { Service: ["cloudtrail.amazonaws.com"] },
        resources: [`${this.bucket.arn}/${trailLogPrefix(accountId)}*`],
        conditions: { StringEquals: { "s3:x-amz-acl": ["bucket-owner-full-control"], "aws:SourceArn": [trailArn] } },
      },
    );

    // CloudTrail encrypts each log file with a data key bound to the trail (encryption context).
    key.grantToService("CloudTrailEncryptsLogs", "cloudtrail.amazonaws.com", ["kms:GenerateDataKey"], {
      StringEquals: { "aws:SourceArn": [trailArn] },
      StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": [`arn:aws:cloudtrail:*:${accountId}:trail/*`] },
    });
    key.grantToService("CloudTrailChecksKey", "cloudtrail.amazonaws.com", ["kms:DescribeKey"], forThisTrail);

    this.trail = new Cloudtrail(this, "trail", {
      name: props.trailName,
      s3BucketName: this.bucket.name,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: key.arn,
      // Write management events are what the configuration-API-call rule matches (EventBridge is
      // not sent read-only calls); data events are not recorded (cost).
      eventSelector: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [this.bucket.policy],
    });
  }
}
/** The trail's bucket, in the environment's primary region: `<project>-<env>-trail-<account>-<region>`. */
export function auditTrailBucketName(names: ResourceNames): string {
  return names.bucket("trail");
}

/** The account's trail: `<project>-<env>-audit`. */
export function auditTrailName(names: ResourceNames): string {
  return names.environmentScoped("audit");
}
