import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { Construct } from "constructs";
import { AccessLogBucket } from "../artifacts/access-log-bucket";

export interface EdgeLogBucketProps {
  readonly bucketName: string;
  readonly accountId: string;
  /** The region's content bucket, whose server access logs land here too. */
  readonly contentBucketName: string;
  /** Region of CloudFront's log delivery source, when this bucket receives the distribution's logs. @default no CloudFront logs */
  readonly cloudFrontLogsFrom?: string;
  /** Refuse `terraform destroy` of the bucket. @default false */
  readonly preventDestroy?: boolean;
}

/** Prefixes of the edge log bucket, by source. */
export const EDGE_LOG_PREFIXES = { loadBalancer: "alb", cloudFront: "cloudfront" } as const;

/**
 * The log bucket of the edge tier in one region: the load balancer's access logs, the content
 * bucket's server access logs and, in the primary region, CloudFront's standard logs (v2). It is
 * SSE-S3 because load balancer log delivery cannot write SSE-KMS objects, and it keeps object
 * ownership enforced (no ACLs): CloudFront's logs arrive through CloudWatch log delivery (standard
 * logging v2), which, unlike legacy standard logging, needs no bucket ACL.
 *
 * Each writer may put objects under its own prefix only, and only for this account.
 */
export class EdgeLogBucket extends Construct {
  readonly logs: AccessLogBucket;

  constructor(scope: Construct, id: string, props: EdgeLogBucketProps) {
    super(scope, id);
    this.logs = new AccessLogBucket(this, "bucket", {
      bucketName: props.bucketName,
      accountId: props.accountId,
      sourceBucketNames: [props.contentBucketName],
      preventDestroy: props.preventDestroy,
    });
    const bucket = this.logs.bucket;
    // Regions opened before August 2022 deliver load balancer logs as the region's ELB account; newer
    // regions as the log delivery service principal. Naming both works in every region.
    const elbAccount = new DataAwsElbServiceAccount(this, "elb-account", {});
    bucket.addPolicyStatements({
      sid: "LoadBalancerAccessLogs",
      actions: ["s3:PutObject"],
      principals: { AWS: [elbAccount.arn], Service: ["logdelivery.elasticloadbalancing.amazonaws.com"] },
      resources: [`${bucket.arn}/${EDGE_LOG_PREFIXES.loadBalancer}/AWSLogs/${props.accountId}/*`],
    });
    if (props.cloudFrontLogsFrom !== undefined) {
      bucket.addPolicyStatements({
        sid: "CloudFrontStandardLogsV2",
        actions: ["s3:PutObject"],
        principals: { Service: ["delivery.logs.amazonaws.com"] },
        resources: [`${bucket.arn}/${EDGE_LOG_PREFIXES.cloudFront}/*`],
        conditions: {
          StringEquals: { "aws:SourceAccount": [props.accountId], "s3:x-amz-acl": ["bucket-owner-full-control"] },
          ArnLike: { "aws:SourceArn": [`arn:aws:logs:${props.cloudFrontLogsFrom}:${props.accountId}:delivery-source:*`] },
        },
      });
    }
  }

  get name(): string {
    return this.logs.name;
  }

  get arn(): string {
    return this.logs.arn;
  }
}
