import { CloudfrontDistribution, type CloudfrontDistributionConfig } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { LaunchTemplate, type LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformStack, Testing } from "cdktf";
import { checkStack } from "../../src/policy-checks/policy-checks";

const TAGS = { Project: "replica", Environment: "prod", ManagedBy: "cdktf" };
const KEY = "arn:aws:kms:us-east-1:333333333333:key/test";
const EDGE_RULES = ["instance-metadata-v2", "volume-encryption", "viewer-tls", "listener-tls-policy", "edge-logging"];

function stackWith(build: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), "checked");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  build(stack);
  return stack;
}
const broken = (stack: TerraformStack) => checkStack(stack, Object.keys(TAGS), EDGE_RULES).map((v) => `${v.rule} ${v.resource.address}`);

const goodTemplate: LaunchTemplateConfig = {
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY, volumeType: "gp3" } }],
};

function distribution(overrides: Partial<CloudfrontDistributionConfig> = {}): CloudfrontDistributionConfig {
  return {
    enabled: true,
    origin: [{ originId: "o", domainName: "example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }],
    defaultCacheBehavior: { targetOriginId: "o", viewerProtocolPolicy: "https-only", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
    ...overrides,
  };
}

describe("edge tier policy checks", () => {
  test("a launch template with IMDSv2, hop limit 1 and key-encrypted volumes breaks no rule", () => {
    expect(broken(stackWith((s) => new LaunchTemplate(s, "lt", goodTemplate)))).toEqual([]);
  });

  test("IMDSv1 or a hop limit above 1 breaks instance-metadata-v2", () => {
    const stack = stackWith((s) => {
      new LaunchTemplate(s, "optional", { ...goodTemplate, metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } });
      new LaunchTemplate(s, "hops", { ...goodTemplate, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
    });
    expect(broken(stack)).toEqual(["instance-metadata-v2 aws_launch_template.optional", "instance-metadata-v2 aws_launch_template.hops"]);
  });

  test("an unencrypted volume, or one without a customer-managed key, breaks volume-encryption", () => {
    const stack = stackWith((s) => {
      new LaunchTemplate(s, "plain", { ...goodTemplate, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false", kmsKeyId: KEY } }] });
      new LaunchTemplate(s, "aws-key", { ...goodTemplate, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] });
    });
    expect(broken(stack)).toEqual(["volume-encryption aws_launch_template.plain", "volume-encryption aws_launch_template.aws-key"]);
  });

  test("viewers on plain HTTP, or a custom certificate below TLS 1.2, break viewer-tls", () => {
    const stack = stackWith((s) => {
      const logged = (d: CloudfrontDistribution) => new CloudwatchLogDeliverySource(s, `${d.node.id}-logs`, { name: d.node.id, logType: "ACCESS_LOGS", resourceArn: d.arn });
      logged(new CloudfrontDistribution(s, "ok", distribution()));
      logged(new CloudfrontDistribution(s, "http", distribution({ defaultCacheBehavior: { ...distribution().defaultCacheBehavior, viewerProtocolPolicy: "allow-all" } })));
      logged(
        new CloudfrontDistribution(s, "tls1", distribution({ viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:333333333333:certificate/x", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1" } })),
      );
    });
    expect(broken(stack)).toEqual(["viewer-tls aws_cloudfront_distribution.http", "viewer-tls aws_cloudfront_distribution.tls1"]);
  });

  test("an HTTPS listener with an old TLS policy breaks listener-tls-policy; a modern one does not", () => {
    const stack = stackWith((s) => {
      const lb = new Lb(s, "lb", { accessLogs: { bucket: "logs", enabled: true } });
      const forward = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403" } }];
      new LbListener(s, "old", { loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08", defaultAction: forward });
      new LbListener(s, "modern", { loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultAction: forward });
    });
    expect(broken(stack)).toEqual(["listener-tls-policy aws_lb_listener.old"]);
  });

  test("a load balancer without access logs, or a distribution without standard logs, breaks edge-logging", () => {
    const stack = stackWith((s) => {
      new Lb(s, "unlogged", {});
      new CloudfrontDistribution(s, "unlogged-cdn", distribution());
    });
    expect(broken(stack)).toEqual(["edge-logging aws_lb.unlogged", "edge-logging aws_cloudfront_distribution.unlogged-cdn"]);
  });
});
