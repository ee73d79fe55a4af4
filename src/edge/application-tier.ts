import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EdgeTierConfig, OriginTlsConfig } from "../config/types";
import { EDGE_LOG_PREFIXES } from "./edge-log-bucket";
import type { EdgeNames } from "./names";

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward-secret ciphers only. */
export const LOAD_BALANCER_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Root device of Amazon Linux 2023 (and most current Linux AMIs). */
export const ROOT_DEVICE_NAME = "/dev/xvda";
/** Metrics of the group the alarms read (the "at maximum" alarm compares desired with maximum). */
export const GROUP_METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize"];

/** The default AMI: the latest Amazon Linux 2023 for the instance type's architecture, resolved by EC2 at launch. */
export function defaultImage(instanceType: string): string {
  // Graviton families carry a "g" after the generation digit (t4g, m7gd, c6gn); GPU families (g5) lead with it.
  const arm = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arm ? "arm64" : "x86_64"}`;
}

export interface ApplicationTierProps {
  readonly names: EdgeNames;
  readonly config: EdgeTierConfig;
  readonly region: string;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly loadBalancerSecurityGroupId: string;
  readonly instanceSecurityGroupId: string;
  readonly instanceProfileArn: string;
  /** The region's environment key: root volumes and the log group. */
  readonly kmsKeyArn: string;
  readonly logBucketName: string;
  /** Deletion protection of the load balancer. */
  readonly deletionProtection: boolean;
  /** What the load balancer needs before it is created (the internet route, the log bucket's policy). */
  readonly after: readonly ITerraformDependable[];
}

/**
 * The application in one region: a launch template (IMDSv2 only with hop limit 1, an encrypted gp3
 * root volume under the environment key, no key pair: Session Manager only), an Auto Scaling group
 * across the private subnets that replaces instances the load balancer finds unhealthy, and an
 * internet-facing Application Load Balancer in the public subnets with access logs.
 *
 * The listener answers 403 to everything by default; the primary-region stack adds the rule that
 * forwards requests carrying CloudFront's secret origin header (`OriginVerification`). With
 * `originTls` for the region the listener is HTTPS on 443 with the region's certificate; without it,
 * HTTP on 80 (the load balancer's own DNS name cannot carry an ACM certificate).
 */
export class ApplicationTier extends Construct {
  readonly loadBalancer: Lb;
  readonly listener: LbListener;
  readonly targetGroup: LbTargetGroup;
  readonly group: AutoscalingGroup;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ApplicationTierProps) {
    super(scope, id);
    const { names, config } = props;
    const tls: OriginTlsConfig | undefined = config.originTls?.[props.region];

    this.logGroup = new CloudwatchLogGroup(this, "log-group", { name: names.applicationLogGroup, retentionInDays: config.logRetentionDays, kmsKeyId: props.kmsKeyArn });

    const template = new LaunchTemplate(this, "launch-template", {
      name: names.launchTemplate,
      description: "Application instances of the edge tier",
      imageId: config.amiIds?.[props.region] ?? defaultImage(config.instanceType),
      instanceType: config.instanceType,
      iamInstanceProfile: { arn: props.instanceProfileArn },
      vpcSecurityGroupIds: [props.instanceSecurityGroupId],
      // IMDSv2 only, and a hop limit of 1 so a container or proxy on the instance cannot reach the credentials.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE_NAME,
          ebs: { volumeSize: config.rootVolumeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: props.kmsKeyArn, deleteOnTermination: "true" },
        },
      ],
      monitoring: { enabled: true },
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: names.autoScalingGroup } },
        { resourceType: "volume", tags: { Name: names.autoScalingGroup } },
      ],
    });

    this.targetGroup = new LbTargetGroup(this, "target-group", {
      name: names.targetGroup,
      vpcId: props.vpcId,
      port: config.applicationPort,
      protocol: "HTTP",
      targetType: "instance",
      deregistrationDelay: "30",
      healthCheck: { enabled: true, path: config.healthCheckPath, protocol: "HTTP", port: "traffic-port", matcher: "200-399", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3, timeout: 5 },
    });

    this.loadBalancer = new Lb(this, "load-balancer", {
      name: names.loadBalancer,
      internal: false,
      loadBalancerType: "application",
      subnets: [...props.publicSubnetIds],
      securityGroups: [props.loadBalancerSecurityGroupId],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection,
      accessLogs: { bucket: props.logBucketName, prefix: EDGE_LOG_PREFIXES.loadBalancer, enabled: true },
      dependsOn: [...props.after],
    });

    const forbidden = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } }];
    this.listener = new LbListener(this, "listener", {
      loadBalancerArn: this.loadBalancer.arn,
      ...(tls ? { port: 443, protocol: "HTTPS", sslPolicy: LOAD_BALANCER_TLS_POLICY, certificateArn: tls.certificateArn } : { port: 80, protocol: "HTTP" }),
      defaultAction: forbidden,
    });

    this.group = new AutoscalingGroup(this, "group", {
      name: names.autoScalingGroup,
      vpcZoneIdentifier: [...props.privateSubnetIds],
      minSize: config.minSize,
      maxSize: config.maxSize,
      desiredCapacity: config.desiredCapacity,
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      targetGroupArns: [this.targetGroup.arn],
      healthCheckType: "ELB",
      healthCheckGracePeriod: 300,
      enabledMetrics: GROUP_METRICS,
      // A new launch template version rolls through the group, keeping half of it in service.
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
      tag: [{ key: "Name", value: names.autoScalingGroup, propagateAtLaunch: true }],
    });
  }

  /** Listener port: 443 with origin TLS in the region, 80 without. */
  static listenerPort(config: EdgeTierConfig, region: string): number {
    return config.originTls?.[region] ? 443 : 80;
  }
}
