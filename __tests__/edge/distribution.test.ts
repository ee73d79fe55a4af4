import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { addressOf, buildStacks, dataSources, DR, only, PRIMARY, resources, statements, synth, synthText, withEdgeTier } from "./helpers";

// GIVEN the built-in example (prod has the edge tier, with no custom domain, WAF or origin TLS)
const stacks = buildStacks();
const primary = () => synth(stacks.get(PRIMARY)!);
const distribution = () => only(stacks.get(PRIMARY)!, "aws_cloudfront_distribution");
const originsById = (d: any) => Object.fromEntries(d.origin.map((o: any) => [o.origin_id, o]));
const groupsById = (d: any) => Object.fromEntries(d.origin_group.map((g: any) => [g.origin_id, g]));

describe("the distribution lives in the primary-region stack only", () => {
  test("one distribution in prod-us-east-1, none in prod-eu-west-1", () => {
    expect(resources(primary(), "aws_cloudfront_distribution")).toHaveLength(1);
    expect(resources(synth(stacks.get(DR)!), "aws_cloudfront_distribution")).toHaveLength(0);
  });
});

describe("failover wiring of the content origin group", () => {
  test("content fails over from the primary content bucket to its DR replica on 403, 404 and 5xx", () => {
    const json = primary();
    const d = distribution();
    const primaryBucket = addressOf(json, "aws_s3_bucket", (b) => b.bucket === "replica-prod-content-333333333333-us-east-1");
    const replicaBucket = addressOf(json, "aws_s3_bucket", (b) => b.bucket === "replica-prod-content-333333333333-eu-west-1");
    expect(groupsById(d).content).toEqual({
      origin_id: "content",
      failover_criteria: { status_codes: [403, 404, 500, 502, 503, 504] },
      member: [{ origin_id: "content-primary" }, { origin_id: "content-dr" }],
    });
    expect(originsById(d)["content-primary"].domain_name).toBe(`\${${primaryBucket}.bucket_regional_domain_name}`);
    expect(originsById(d)["content-dr"].domain_name).toBe(`\${${replicaBucket}.bucket_regional_domain_name}`);
  });

  test("both content origins sign with origin access control, and only the distribution may read the buckets", () => {
    const json = primary();
    const d = distribution();
    const oac = addressOf(json, "aws_cloudfront_origin_access_control", (o) => o.signing_behavior === "always" && o.signing_protocol === "sigv4" && o.origin_access_control_origin_type === "s3");
    expect(originsById(d)["content-primary"].origin_access_control_id).toBe(`\${${oac}.id}`);
    expect(originsById(d)["content-dr"].origin_access_control_id).toBe(`\${${oac}.id}`);
    const distributionAddress = addressOf(json, "aws_cloudfront_distribution", () => true);
    for (const name of ["replica-prod-content-333333333333-us-east-1", "replica-prod-content-333333333333-eu-west-1"]) {
      const bucket = addressOf(json, "aws_s3_bucket", (b) => b.bucket === name);
      const policy = resources(json, "aws_s3_bucket_policy").find((p) => p.bucket === `\${${bucket}.id}`);
      expect(statements(policy.policy).CloudFrontReadsContent).toEqual({
        Sid: "CloudFrontReadsContent",
        Effect: "Allow",
        Principal: { Service: ["cloudfront.amazonaws.com"] },
        Action: ["s3:GetObject"],
        Resource: [`\${${bucket}.arn}/*`],
        Condition: { StringEquals: { "AWS:SourceArn": [`\${${distributionAddress}.arn}`] } },
      });
      // No public bucket: the public access block is on.
      expect(resources(json, "aws_s3_bucket_public_access_block").find((b) => b.bucket === `\${${bucket}.id}`)).toMatchObject({ block_public_policy: true, restrict_public_buckets: true });
    }
  });

  test("the replica lives in the DR region (other-region provider) and receives every object, re-encrypted with the DR key", () => {
    const json = primary();
    const replica = resources(json, "aws_s3_bucket").find((b) => b.bucket === "replica-prod-content-333333333333-eu-west-1");
    expect(replica.provider).toBe("aws.other_region");
    const drKey = Object.keys(json.data.aws_kms_alias).find((id) => /^edge-dr-key/.test(id) && json.data.aws_kms_alias[id].provider === "aws.other_region")!;
    expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(S3BucketReplicationConfigurationA, {
      rule: [
        expect.objectContaining({
          id: "content-replica",
          status: "Enabled",
          delete_marker_replication: { status: "Enabled" },
          destination: expect.objectContaining({
            bucket: `\${${addressOf(json, "aws_s3_bucket", (b) => b === replica)}.arn}`,
            encryption_configuration: { replica_kms_key_id: `\${data.aws_kms_alias.${drKey}.target_key_arn}` },
          }),
        }),
      ],
    });
  });

  test("each region's environment key lets CloudFront decrypt content for this account's distributions only", () => {
    for (const name of [PRIMARY, DR]) {
      const key = only(stacks.get(name)!, "aws_kms_key");
      expect(statements(key.policy).CloudFrontReadsContent).toMatchObject({
        Principal: { Service: ["cloudfront.amazonaws.com"] },
        Action: ["kms:Decrypt"],
        Condition: { StringEquals: { "aws:SourceAccount": ["333333333333"] }, ArnLike: { "aws:SourceArn": ["arn:aws:cloudfront::333333333333:distribution/*"] } },
      });
    }
  });
});

describe("failover wiring of the application origin group", () => {
  test("the application fails over from the primary region's load balancer to the DR region's on 5xx", () => {
    const json = primary();
    const d = distribution();
    const lb = addressOf(json, "aws_lb", () => true);
    const drLb = Object.keys(json.data.aws_lb)[0];
    expect(json.data.aws_lb[drLb]).toMatchObject({ name: "replica-prod-app", provider: "aws.other_region" });
    expect(groupsById(d).application).toEqual({
      origin_id: "application",
      failover_criteria: { status_codes: [500, 502, 503, 504] },
      member: [{ origin_id: "application-primary" }, { origin_id: "application-dr" }],
    });
    expect(originsById(d)["application-primary"].domain_name).toBe(`\${${lb}.dns_name}`);
    expect(originsById(d)["application-dr"].domain_name).toBe(`\${data.aws_lb.${drLb}.dns_name}`);
  });

  test("both application origins carry the secret header as a sensitive value, never as a literal", () => {
    const d = distribution();
    const secret = Object.keys(primary().resource.terraform_data)[0];
    for (const id of ["application-primary", "application-dr"]) {
      expect(originsById(d)[id].custom_header).toEqual([{ name: "X-Origin-Verify", value: `\${sensitive(terraform_data.${secret}.output.value)}` }]);
    }
  });

  test("without originTls CloudFront reaches the load balancers over HTTP; with it over HTTPS (TLS 1.2) at the configured names", () => {
    expect(originsById(distribution())["application-primary"].custom_origin_config).toMatchObject({ origin_protocol_policy: "http-only" });
    const tls = withEdgeTier((edge) => {
      edge.originTls = {
        "us-east-1": { domainName: "origin-use1.example.com", certificateArn: "arn:aws:acm:us-east-1:333333333333:certificate/11111111-2222-3333-4444-555555555555" },
        "eu-west-1": { domainName: "origin-euw1.example.com", certificateArn: "arn:aws:acm:eu-west-1:333333333333:certificate/11111111-2222-3333-4444-555555555555" },
      };
    });
    const origins = originsById(only(tls.get(PRIMARY)!, "aws_cloudfront_distribution"));
    expect(origins["application-primary"]).toMatchObject({ domain_name: "origin-use1.example.com", custom_origin_config: { origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"] } });
    expect(origins["application-dr"]).toMatchObject({ domain_name: "origin-euw1.example.com", custom_origin_config: { origin_protocol_policy: "https-only" } });
  });
});

describe("viewers, caching and the configured options", () => {
  test("every behavior is HTTPS-only with managed cache policies and the security headers policy", () => {
    const d = distribution();
    const behaviors = [d.default_cache_behavior, ...d.ordered_cache_behavior];
    expect(behaviors.map((b: any) => b.viewer_protocol_policy)).toEqual(["https-only", "https-only", "https-only"]);
    expect(behaviors.every((b: any) => b.response_headers_policy_id === "67f7725c-6f97-4210-82d7-5512b31e9d03")).toBe(true);
    expect(d.default_cache_behavior).toMatchObject({ target_origin_id: "application", cache_policy_id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", allowed_methods: ["GET", "HEAD", "OPTIONS"] });
    expect(d.ordered_cache_behavior[0]).toMatchObject({ path_pattern: "/static/*", target_origin_id: "content", cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6" });
    // Origin groups take no writes: /api/* goes to the primary region (the writer database) only.
    expect(d.ordered_cache_behavior[1]).toMatchObject({ path_pattern: "/api/*", target_origin_id: "application-primary", allowed_methods: expect.arrayContaining(["POST", "PUT", "DELETE"]) });
  });

  test("defaults: PriceClass_100, no aliases, no web ACL, CloudFront's certificate", () => {
    const d = distribution();
    expect(d).toMatchObject({ price_class: "PriceClass_100", viewer_certificate: { cloudfront_default_certificate: true } });
    expect(d.aliases).toBeUndefined();
    expect(d.web_acl_id).toBeUndefined();
  });

  test("a custom domain, certificate, web ACL and price class from the configuration", () => {
    const configured = withEdgeTier((edge) => {
      edge.domainNames = ["www.example.com"];
      edge.certificateArn = "arn:aws:acm:us-east-1:333333333333:certificate/11111111-2222-3333-4444-555555555555";
      edge.webAclArn = "arn:aws:wafv2:us-east-1:333333333333:global/webacl/edge/11111111-2222-3333-4444-555555555555";
      edge.priceClass = "PriceClass_All";
    });
    expect(synthText(configured.get(PRIMARY)!)).toHaveResourceWithProperties(CloudfrontDistribution, {
      aliases: ["www.example.com"],
      price_class: "PriceClass_All",
      web_acl_id: "arn:aws:wafv2:us-east-1:333333333333:global/webacl/edge/11111111-2222-3333-4444-555555555555",
      viewer_certificate: { acm_certificate_arn: "arn:aws:acm:us-east-1:333333333333:certificate/11111111-2222-3333-4444-555555555555", ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" },
    });
  });
});

describe("standard logging (v2) to the edge log bucket", () => {
  test("a log delivery source in us-east-1 for the distribution, delivered to the log bucket's cloudfront/ prefix", () => {
    const json = primary();
    const d = addressOf(json, "aws_cloudfront_distribution", () => true);
    const logBucket = addressOf(json, "aws_s3_bucket", (b) => b.bucket === "replica-prod-edge-logs-333333333333-us-east-1");
    expect(synthText(stacks.get(PRIMARY)!)).toHaveResourceWithProperties(CloudwatchLogDeliverySource, { region: "us-east-1", log_type: "ACCESS_LOGS", resource_arn: `\${${d}.arn}` });
    const destination = only(stacks.get(PRIMARY)!, "aws_cloudwatch_log_delivery_destination");
    expect(destination.delivery_destination_configuration).toEqual([{ destination_resource_arn: `\${${logBucket}.arn}/cloudfront` }]);
    const delivery = only(stacks.get(PRIMARY)!, "aws_cloudwatch_log_delivery");
    expect(delivery.delivery_destination_arn).toBe(`\${${addressOf(json, "aws_cloudwatch_log_delivery_destination", () => true)}.arn}`);
    // The bucket keeps ACLs disabled: the log delivery service writes through the bucket policy.
    const policy = resources(json, "aws_s3_bucket_policy").find((p) => p.bucket === `\${${logBucket}.id}`);
    expect(statements(policy.policy).CloudFrontStandardLogsV2).toMatchObject({ Principal: { Service: ["delivery.logs.amazonaws.com"] }, Resource: [`\${${logBucket}.arn}/cloudfront/*`] });
    expect(resources(json, "aws_s3_bucket_ownership_controls").find((o) => o.bucket === `\${${logBucket}.id}`).rule.object_ownership).toBe("BucketOwnerEnforced");
    expect(dataSources(json, "aws_elb_service_account")).toHaveLength(1);
  });
});
