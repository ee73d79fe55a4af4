import { CloudfrontDistribution, type CloudfrontDistributionOrigin } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { Construct } from "constructs";
import type { PriceClass } from "../config/types";
import { CLOUDFRONT_REGION } from "../config/edge-tier";
import { ORIGIN_VERIFY_HEADER } from "./origin-verification";

/** AWS managed CloudFront policies, by their documented fixed ids (the same in every account). */
export const MANAGED_POLICIES = {
  /** Managed-CachingOptimized: long TTLs, compressed, no cookies or query strings in the key. */
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /** Managed-CachingDisabled: every request reaches the origin. */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Managed-AllViewerExceptHostHeader: viewer headers, cookies and query strings, but the origin's own Host. */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
  /** Managed-SecurityHeadersPolicy: HSTS, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, XSS protection. */
  securityHeaders: "67f7725c-6f97-4210-82d7-5512b31e9d03",
} as const;

/** Status codes on which CloudFront retries a content request at the DR replica: a missing (not yet replicated) object and server failures. */
export const CONTENT_FAILOVER_CODES = [403, 404, 500, 502, 503, 504];
/** Status codes on which CloudFront retries an application request at the DR region: server failures only (a 404 is an answer). */
export const APPLICATION_FAILOVER_CODES = [500, 502, 503, 504];
/** Paths served from the content buckets; `/api/*` goes to the primary region only (writes need the writer database). */
export const CONTENT_PATH_PATTERN = "/static/*";
export const WRITE_PATH_PATTERN = "/api/*";
/** Viewer TLS policy with a custom certificate: TLS 1.2 or later with modern ciphers. */
export const VIEWER_TLS_POLICY = "TLSv1.2_2021";

/** An application origin: a region's load balancer as CloudFront reaches it. */
export interface ApplicationOrigin {
  readonly domainName: string;
  /** "https-only" with origin TLS for the region, "http-only" without. */
  readonly protocolPolicy: "https-only" | "http-only";
}

export interface ContentDistributionProps {
  /** Prefix of the account-global names (origin access control, log delivery): `<project>-<env>-edge`. */
  readonly namePrefix: string;
  readonly comment: string;
  readonly priceClass: PriceClass;
  readonly webAclArn?: string;
  readonly domainNames: readonly string[];
  readonly certificateArn?: string;
  /** Regional domain names of the content bucket and its DR replica. */
  readonly content: { readonly primary: string; readonly replica: string };
  readonly application: { readonly primary: ApplicationOrigin; readonly dr: ApplicationOrigin };
  /** Value of the secret origin header (a sensitive expression). */
  readonly originSecret: string;
  /** ARN of the bucket that receives the standard logs (v2), under `logPrefix`. */
  readonly logBucketArn: string;
  readonly logPrefix: string;
}

/**
 * The environment's CloudFront distribution, with two origin groups that fail over from the primary
 * region to the DR region:
 * - `content` (`/static/*`): the content bucket, then its DR replica, through origin access control;
 * - `application` (the default): the primary region's load balancer, then the DR region's, each sent
 *   the secret origin header. Origin groups serve GET, HEAD and OPTIONS only, so `/api/*` goes to the
 *   primary load balancer alone, with every method.
 * Viewers must use HTTPS (TLS 1.2+ with a custom certificate); the managed cache and security-headers
 * policies apply; standard logs (v2) go through CloudWatch log delivery (created in us-east-1, where
 * CloudFront's delivery sources live) to the log bucket, which keeps ACLs disabled.
 */
export class ContentDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: ContentDistributionProps) {
    super(scope, id);
    const access = new CloudfrontOriginAccessControl(this, "origin-access-control", {
      name: `${props.namePrefix}-content`,
      description: "Signed requests from the distribution to the content buckets",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    const s3Origin = (originId: string, domainName: string): CloudfrontDistributionOrigin => ({ originId, domainName, originAccessControlId: access.id });
    const appOrigin = (originId: string, origin: ApplicationOrigin): CloudfrontDistributionOrigin => ({
      originId,
      domainName: origin.domainName,
      customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: origin.protocolPolicy, originSslProtocols: ["TLSv1.2"], originReadTimeout: 30, originKeepaliveTimeout: 5 },
      customHeader: [{ name: ORIGIN_VERIFY_HEADER, value: props.originSecret }],
    });
    const group = (originId: string, codes: number[], members: string[]) => ({ originId, failoverCriteria: { statusCodes: codes }, member: members.map((m) => ({ originId: m })) });
    const readOnly = { allowedMethods: ["GET", "HEAD", "OPTIONS"], cachedMethods: ["GET", "HEAD"] };
    const common = { viewerProtocolPolicy: "https-only", compress: true, responseHeadersPolicyId: MANAGED_POLICIES.securityHeaders };
    const customCertificate = props.certificateArn !== undefined;

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: props.comment,
      priceClass: props.priceClass,
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      webAclId: props.webAclArn,
      aliases: props.domainNames.length > 0 ? [...props.domainNames] : undefined,
      origin: [
        s3Origin("content-primary", props.content.primary),
        s3Origin("content-dr", props.content.replica),
        appOrigin("application-primary", props.application.primary),
        appOrigin("application-dr", props.application.dr),
      ],
      originGroup: [
        group("content", CONTENT_FAILOVER_CODES, ["content-primary", "content-dr"]),
        group("application", APPLICATION_FAILOVER_CODES, ["application-primary", "application-dr"]),
      ],
      defaultCacheBehavior: {
        ...common,
        ...readOnly,
        targetOriginId: "application",
        cachePolicyId: MANAGED_POLICIES.cachingDisabled,
        originRequestPolicyId: MANAGED_POLICIES.allViewerExceptHostHeader,
      },
      orderedCacheBehavior: [
        { ...common, ...readOnly, pathPattern: CONTENT_PATH_PATTERN, targetOriginId: "content", cachePolicyId: MANAGED_POLICIES.cachingOptimized },
        {
          ...common,
          pathPattern: WRITE_PATH_PATTERN,
          targetOriginId: "application-primary",
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: MANAGED_POLICIES.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICIES.allViewerExceptHostHeader,
        },
      ],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: customCertificate
        ? { acmCertificateArn: props.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: VIEWER_TLS_POLICY }
        : { cloudfrontDefaultCertificate: true },
    });

    // Standard logging v2: source (the distribution) -> destination (the bucket prefix) -> delivery.
    const source = new CloudwatchLogDeliverySource(this, "log-source", {
      region: CLOUDFRONT_REGION,
      name: `${props.namePrefix}-cloudfront`,
      logType: "ACCESS_LOGS",
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, "log-destination", {
      region: CLOUDFRONT_REGION,
      name: `${props.namePrefix}-cloudfront-s3`,
      outputFormat: "json",
      deliveryDestinationConfiguration: [{ destinationResourceArn: `${props.logBucketArn}/${props.logPrefix}` }],
    });
    new CloudwatchLogDelivery(this, "log-delivery", {
      region: CLOUDFRONT_REGION,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
    });
  }
}
