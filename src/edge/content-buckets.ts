import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { AccessLogBucket } from "../artifacts/access-log-bucket";
import { REPLICATE_ACTIONS, RTC_MINUTES } from "../artifacts/artifact-replication";
import { policyDocument, serviceTrustPolicy } from "../iam/policy";
import { SecureBucket } from "../storage/secure-bucket";

/** One region's side of the content buckets. */
export interface ContentBucketSide {
  readonly bucketName: string;
  readonly region: string;
  /** The environment key of that region: SSE-KMS of the bucket. */
  readonly keyArn: string;
  /** That region's edge log bucket (server access logs). */
  readonly logBucketName: string;
}

export interface ContentBucketsProps {
  readonly accountId: string;
  readonly primary: ContentBucketSide;
  readonly dr: ContentBucketSide & { readonly provider: TerraformProvider };
  readonly replicationRoleName: string;
  /** Refuse `terraform destroy` of the buckets. @default false */
  readonly preventDestroy?: boolean;
}

/**
 * The S3 origin of the distribution: a content bucket in the primary region replicated (every
 * object, deletes included, with Replication Time Control) into a replica in the DR region, which
 * CloudFront's origin group falls back to. Both are SecureBuckets encrypted with their region's
 * environment key and readable only by the distribution, through origin access control
 * (`allowDistribution`). The primary-region stack creates both, the replica through the DR-region
 * provider, so the bucket policies can name the distribution's exact ARN.
 */
export class ContentBuckets extends Construct {
  readonly primary: SecureBucket;
  readonly replica: SecureBucket;

  constructor(scope: Construct, id: string, props: ContentBucketsProps) {
    super(scope, id);
    const { primary, dr } = props;
    const bucket = (side: ContentBucketSide, construct: string, provider?: TerraformProvider) =>
      new SecureBucket(this, construct, {
        bucketName: side.bucketName,
        kmsKeyArn: side.keyArn,
        accessLogs: { bucketName: side.logBucketName, prefix: AccessLogBucket.logPrefix(side.bucketName) },
        preventDestroy: props.preventDestroy,
        provider,
      });
    this.primary = bucket(primary, "primary");
    this.replica = bucket(dr, "replica", dr.provider);

    const role = new IamRole(this, "replication-role", {
      name: props.replicationRoleName,
      description: `S3 replication of ${primary.bucketName} into ${dr.region}`,
      assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "replication-policy", {
      name: "replicate-content",
      role: role.name,
      policy: policyDocument([
        { sid: "ReadReplicationConfiguration", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [this.primary.arn] },
        { sid: "ReadSourceVersions", actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], resources: [`${this.primary.arn}/*`] },
        { sid: "ReplicateToReplica", actions: REPLICATE_ACTIONS, resources: [`${this.replica.arn}/*`] },
        { sid: "DecryptSourceObjects", actions: ["kms:Decrypt"], resources: [primary.keyArn], conditions: { StringEquals: { "kms:ViaService": [`s3.${primary.region}.amazonaws.com`] } } },
        { sid: "EncryptReplicas", actions: ["kms:Encrypt", "kms:GenerateDataKey"], resources: [dr.keyArn], conditions: { StringEquals: { "kms:ViaService": [`s3.${dr.region}.amazonaws.com`] } } },
      ]),
    });
    new S3BucketReplicationConfigurationA(this, "replication", {
      bucket: this.primary.bucket.id,
      role: role.arn,
      rule: [
        {
          id: "content-replica",
          priority: 0,
          status: "Enabled",
          filter: { prefix: "" },
          deleteMarkerReplication: { status: "Enabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: {
            bucket: this.replica.arn,
            storageClass: "STANDARD",
            encryptionConfiguration: { replicaKmsKeyId: dr.keyArn },
            replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
            metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
          },
        },
      ],
      // Replication needs versioning on both sides first.
      dependsOn: [this.primary.versioning, this.replica.versioning],
    });
  }

  /** Lets one distribution (origin access control) read the objects of both buckets, and nothing else. */
  allowDistribution(distributionArn: string): void {
    for (const bucket of [this.primary, this.replica]) {
      bucket.addPolicyStatements({
        sid: "CloudFrontReadsContent",
        actions: ["s3:GetObject"],
        principals: { Service: ["cloudfront.amazonaws.com"] },
        resources: [`${bucket.arn}/*`],
        conditions: { StringEquals: { "AWS:SourceArn": [distributionArn] } },
      });
    }
  }
}
