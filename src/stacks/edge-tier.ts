import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { Annotations, TerraformOutput } from "cdktf";
import { CLOUDFRONT_REGION } from "../config/edge-tier";
import type { EdgeTierConfig } from "../config/types";
import { artifactsBucketName } from "../cross-account/trust-map";
import { enginePort } from "../database/engine";
import { ApplicationAlarms, DistributionAlarms } from "../edge/edge-alarms";
import { ApplicationSecurityGroups } from "../edge/application-security-groups";
import { ApplicationTier } from "../edge/application-tier";
import { ContentBuckets } from "../edge/content-buckets";
import { CONTENT_PATH_PATTERN, ContentDistribution } from "../edge/content-distribution";
import { EDGE_LOG_PREFIXES, EdgeLogBucket } from "../edge/edge-log-bucket";
import { INSTANCE_AWS_SERVICES } from "../edge/instance-endpoints";
import { InstanceRole } from "../edge/instance-role";
import { EdgeNames } from "../edge/names";
import { OriginVerification } from "../edge/origin-verification";
import { KMS_DATA_ACTIONS } from "../iam/policy";
import { namesOf, NetworkNames } from "../network/names";
import { PublicSubnets } from "../network/public-subnets";
import type { DataTier } from "./data-tier";
import type { EnvironmentStack } from "./environment-stack";

/**
 * Composes the edge and application tier of one environment stack, when the environment turns it on
 * (`edgeTier`); otherwise adds nothing. See docs/edge-tier.md.
 *
 * Both regions' stacks hold their region's public subnets and internet gateway, the instance
 * endpoints, the edge log bucket, and the application (security groups, role, launch template, Auto
 * Scaling group, load balancer, alarms). The primary-region stack also holds the content buckets
 * (the DR replica through `otherRegionProvider`), the secret origin header with the listener rules of
 * both load balancers (the DR one found by name, its stack having deployed first), and the
 * distribution.
 */
export function addEdgeTier(stack: EnvironmentStack, dataTier: DataTier): void {
  const config = stack.environment.edgeTier;
  if (!config) return;
  const { platform, environment, region } = stack;
  const accountId = environment.accountId;
  const names = new EdgeNames(stack.names);
  const networkNames = new NetworkNames(stack.names);

  const publicSubnets = new PublicSubnets(stack, "public-subnets", { vpcId: dataTier.vpcId, vpcCidr: dataTier.vpcCidr, availabilityZones: dataTier.availabilityZones, names: networkNames });
  const logBucket = new EdgeLogBucket(stack, "edge-logs", {
    bucketName: names.logBucket,
    accountId,
    contentBucketName: names.contentBucket,
    cloudFrontLogsFrom: stack.isPrimaryRegion ? CLOUDFRONT_REGION : undefined,
    preventDestroy: environment.deletionProtection,
  });
  grantKeyUse(stack);

  const listenerPort = ApplicationTier.listenerPort(config, region);
  const groups = new ApplicationSecurityGroups(stack, "app-security-groups", {
    vpcId: dataTier.vpcId,
    loadBalancerGroupName: names.loadBalancerSecurityGroup,
    instanceGroupName: names.instanceSecurityGroup,
    listenerPort,
    applicationPort: config.applicationPort,
    databasePorts: environment.databases.map((d) => enginePort(d.engine)),
    databaseSecurityGroupId: dataTier.databaseSecurityGroupId,
    s3PrefixListId: dataTier.gatewayPrefixListIds.s3,
  });
  dataTier.endpoints.require(...INSTANCE_AWS_SERVICES);
  dataTier.endpoints.admit("app-instances", groups.instances.id);
  const role = new InstanceRole(stack, "app-instance-role", {
    roleName: names.instanceRole,
    accountId,
    region,
    parameterPrefix: stack.names.parameterPrefix,
    kmsKeyArn: stack.key.arn,
    artifacts: { bucketName: artifactsBucketName(platform, environment, region), prefix: config.artifactsPrefix, kms: environment.artifacts.encryption === "aws:kms" },
    logGroupName: names.applicationLogGroup,
  });
  const tier = new ApplicationTier(stack, "app", {
    names,
    config,
    region,
    vpcId: dataTier.vpcId,
    privateSubnetIds: dataTier.privateSubnetIds,
    publicSubnetIds: publicSubnets.subnetIds,
    loadBalancerSecurityGroupId: groups.loadBalancer.id,
    instanceSecurityGroupId: groups.instances.id,
    instanceProfileArn: role.profile.arn,
    kmsKeyArn: stack.key.arn,
    logBucketName: logBucket.name,
    deletionProtection: environment.deletionProtection,
    // An internet-facing load balancer needs the gateway; its log delivery is checked on creation.
    after: [publicSubnets.defaultRoute, logBucket.logs.bucket.policy],
  });
  new ApplicationAlarms(stack, "app-alarms", {
    namePrefix: `${stack.names.environmentScoped("app")}-${region}`,
    topicArn: stack.alarmTopic.arn,
    loadBalancerArnSuffix: tier.loadBalancer.arnSuffix,
    targetGroupArnSuffix: tier.targetGroup.arnSuffix,
    autoScalingGroupName: tier.group.name,
  });

  const where = `${environment.name} in ${region}`;
  new TerraformOutput(stack, "edge_load_balancer_dns_name", { value: tier.loadBalancer.dnsName, description: `DNS name of the application load balancer of ${where}` });
  new TerraformOutput(stack, "edge_autoscaling_group_name", { value: tier.group.name, description: `Auto Scaling group of the application instances of ${where}` });
  if (stack.isPrimaryRegion) addDistribution(stack, config, tier, logBucket);
}

/**
 * The environment key serves the edge tier twice: CloudFront decrypts content objects through origin
 * access control (any distribution of this account: the key policy cannot name the distribution, whose
 * ARN depends on the bucket that depends on the key), and Auto Scaling's service-linked role encrypts
 * the instances' root volumes (and creates the grants EC2 uses while they run).
 */
function grantKeyUse(stack: EnvironmentStack): void {
  const accountId = stack.environment.accountId;
  stack.key.grantToService("CloudFrontReadsContent", "cloudfront.amazonaws.com", ["kms:Decrypt"], {
    StringEquals: { "aws:SourceAccount": [accountId] },
    ArnLike: { "aws:SourceArn": [`arn:aws:cloudfront::${accountId}:distribution/*`] },
  });
  const autoScaling = `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
  stack.key.grantToRoles("AutoScalingEncryptsVolumes", [autoScaling], KMS_DATA_ACTIONS);
  stack.key.grantToRoles("AutoScalingGrantsToEc2", [autoScaling], ["kms:CreateGrant"], { Bool: { "kms:GrantIsForAWSResource": true } });
}

function addDistribution(stack: EnvironmentStack, config: EdgeTierConfig, tier: ApplicationTier, logBucket: EdgeLogBucket): void {
  const { platform, environment, region } = stack;
  const drRegion = stack.otherRegion;
  const names = new EdgeNames(stack.names);
  const drNames = new EdgeNames(namesOf(platform, environment, drRegion));

  const drKey = new DataAwsKmsAlias(stack, "edge-dr-key", { provider: stack.otherRegionProvider, name: stack.names.keyAlias });
  const content = new ContentBuckets(stack, "edge-content", {
    accountId: environment.accountId,
    primary: { bucketName: names.contentBucket, region, keyArn: stack.key.arn, logBucketName: logBucket.name },
    dr: { bucketName: drNames.contentBucket, region: drRegion, keyArn: drKey.targetKeyArn, logBucketName: drNames.logBucket, provider: stack.otherRegionProvider },
    replicationRoleName: names.contentReplicationRole,
    preventDestroy: environment.deletionProtection,
  });

  const verification = new OriginVerification(stack, "origin-verification", { version: config.originSecretVersion });
  verification.admit("primary-rule", { listenerArn: tier.listener.arn, targetGroupArn: tier.targetGroup.arn });
  const dr = OriginVerification.lookUp(stack, "edge-dr", {
    loadBalancerName: drNames.loadBalancer,
    targetGroupName: drNames.targetGroup,
    listenerPort: ApplicationTier.listenerPort(config, drRegion),
    provider: stack.otherRegionProvider,
  });
  verification.admit("dr-rule", dr);

  const origin = (targetRegion: string, dnsName: string) => {
    const tls = config.originTls?.[targetRegion];
    return { domainName: tls?.domainName ?? dnsName, protocolPolicy: tls ? ("https-only" as const) : ("http-only" as const) };
  };
  const prefix = stack.names.environmentScoped("edge");
  const distribution = new ContentDistribution(stack, "edge-distribution", {
    namePrefix: prefix,
    comment: `${platform.project} ${environment.name}: content and application, failing over from ${region} to ${drRegion}`,
    priceClass: config.priceClass,
    webAclArn: config.webAclArn,
    domainNames: config.domainNames,
    certificateArn: config.certificateArn,
    content: { primary: content.primary.bucket.bucketRegionalDomainName, replica: content.replica.bucket.bucketRegionalDomainName },
    application: { primary: origin(region, tier.loadBalancer.dnsName), dr: origin(drRegion, dr.dnsName) },
    originSecret: verification.value,
    logBucketArn: logBucket.arn,
    logPrefix: EDGE_LOG_PREFIXES.cloudFront,
  });
  content.allowDistribution(distribution.distribution.arn);

  // CloudFront's metrics exist only in us-east-1, and an alarm notifies topics of its own region.
  const topicRegion = [region, drRegion].find((r) => r === CLOUDFRONT_REGION);
  if (topicRegion) {
    new DistributionAlarms(stack, "edge-distribution-alarms", {
      namePrefix: prefix,
      distributionId: distribution.distribution.id,
      topicArn: `arn:aws:sns:${topicRegion}:${environment.accountId}:${stack.names.environmentScoped("alarms")}`,
    });
  } else {
    Annotations.of(distribution).addWarning(`Neither region of ${environment.name} is ${CLOUDFRONT_REGION}, where CloudFront's metrics are: the edge 5xx alarm is not created (the load balancers' alarms still are).`);
  }

  const output = (id: string, value: string, description: string) => new TerraformOutput(stack, id, { value, description });
  output("edge_distribution_id", distribution.distribution.id, `CloudFront distribution of ${environment.name}`);
  output("edge_distribution_domain_name", distribution.distribution.domainName, `Domain name of the ${environment.name} distribution (point custom domains here)`);
  output("edge_content_bucket_name", content.primary.name, `Content bucket of ${environment.name} (served under ${CONTENT_PATH_PATTERN}, replicated into ${drRegion})`);
  output("edge_dr_load_balancer_dns_name", dr.dnsName, `DNS name of the application load balancer of ${environment.name} in ${drRegion}`);
  output("edge_dr_autoscaling_group_name", drNames.autoScalingGroup, `Auto Scaling group of the application instances of ${environment.name} in ${drRegion}`);
}
