/**
 * The names of both ends of every cross-account link of the replication fabric.
 *
 * A role and the resource policy or trust policy that names it live in different accounts and are
 * deployed by different stacks. Both stacks compute the other end here, from the same validated
 * configuration, so they agree by construction and no stack reads another account's state.
 */
import type { EnvironmentConfig, PlatformConfig } from "../config/types";
import type { PolicyStatement } from "../iam/policy";
import { ResourceNames, roleArn } from "../naming";

/** Global (IAM) and per-environment names of one environment's fabric resources. */
export interface FabricNames {
  /** Role that S3 assumes to replicate the artifacts bucket. */
  readonly replicationRole: string;
  /** Role other environments' validator and monitor functions assume to read this environment. */
  readonly agentRole: string;
  /** Role the previous environment's config mirror assumes to write `/app/<env>/config/`. */
  readonly configWriterRole: string;
  /** Role EventBridge assumes to forward events to the central bus. */
  readonly eventForwarderRole: string;
  readonly streamProcessorFunction: string;
  readonly configMirrorFunction: string;
  readonly replicationMonitorFunction: string;
  readonly configValidatorFunction: string;
  readonly snapshotCopyFunction: string;
  readonly ledgerTable: string;
}

/**
 * Names of the environment's fabric resources. Every IAM name here is created only by the
 * environment's primary-region stack, so the two region stacks of one account never collide.
 */
export function fabricNames(project: string, environment: string): FabricNames {
  const scoped = (suffix: string) => `${project}-${environment}-${suffix}`;
  return {
    replicationRole: scoped("s3-replication"),
    agentRole: scoped("replication-agent"),
    configWriterRole: scoped("config-writer"),
    eventForwarderRole: scoped("event-forwarder"),
    streamProcessorFunction: scoped("stream-processor"),
    configMirrorFunction: scoped("config-mirror"),
    replicationMonitorFunction: scoped("replication-monitor"),
    configValidatorFunction: scoped("config-validator"),
    snapshotCopyFunction: scoped("snapshot-copy"),
    ledgerTable: scoped("replication-ledger"),
  };
}

/** The environment's resource names in one region. */
export function namesIn(platform: PlatformConfig, environment: EnvironmentConfig, region: string): ResourceNames {
  return new ResourceNames(platform.project, environment.name, environment.accountId, region);
}

/** The environment's artifacts bucket (primary region) or its DR copy (DR region): same purpose, region in the name. */
export function artifactsBucketName(platform: PlatformConfig, environment: EnvironmentConfig, region: string): string {
  return namesIn(platform, environment, region).bucket("artifacts");
}

/** The per-region bucket that receives S3 server access logs (SSE-S3: log delivery cannot use SSE-KMS). */
export function accessLogBucketName(platform: PlatformConfig, environment: EnvironmentConfig, region: string): string {
  return namesIn(platform, environment, region).bucket("s3-logs");
}

/** ARN of one of the environment's fabric roles. */
export function fabricRoleArn(platform: PlatformConfig, environment: EnvironmentConfig, role: keyof FabricNames): string {
  return roleArn(environment.accountId, fabricNames(platform.project, environment.name)[role]);
}

/**
 * External ID the previous environment's config mirror presents to this environment's config-writer
 * role. Not a secret: it stops another party from tricking a deputy into using the trust (confused deputy).
 */
export function configWriterExternalId(project: string, from: string, to: string): string {
  return `${project}-${from}-to-${to}`;
}

/** External ID a caller environment's validator or monitor presents to the target environment's agent role. */
export function agentExternalId(project: string, caller: string, target: string): string {
  return `${project}-${caller}-reads-${target}`;
}

/** The central event bus, in the operations environment's primary region. */
export function centralBusName(project: string): string {
  return `${project}-central`;
}

export function centralBusArn(platform: PlatformConfig): string {
  const operations = operationsEnvironment(platform);
  return `arn:aws:events:${platform.primaryRegion}:${operations.accountId}:event-bus/${centralBusName(platform.project)}`;
}

export function operationsEnvironment(platform: PlatformConfig): EnvironmentConfig {
  return platform.environments.find((e) => e.name === platform.operationsEnvironment)!;
}

/** Every environment except `environment`, in promotion order. */
export function otherEnvironments(platform: PlatformConfig, environment: EnvironmentConfig): EnvironmentConfig[] {
  return platform.promotionOrder.filter((name) => name !== environment.name).map((name) => platform.environments.find((e) => e.name === name)!);
}

/**
 * The principal block and condition that name roles of other accounts in a resource or trust
 * policy: each role's account root, narrowed by `aws:PrincipalArn`. AWS rejects a policy that names a
 * role which does not exist yet, and the roles are created by other stacks, possibly later.
 */
export function rolesAsPrincipals(roleArns: readonly string[]): Pick<PolicyStatement, "principals" | "conditions"> {
  const accounts = [...new Set(roleArns.map((arn) => `arn:aws:iam::${arn.split(":")[4]}:root`))];
  return { principals: { AWS: accounts }, conditions: { ArnEquals: { "aws:PrincipalArn": [...roleArns] } } };
}

/** A trust-policy statement that lets the named roles assume a role when they present `externalId`. */
export function crossAccountTrust(sid: string, roleArns: readonly string[], externalId: string): PolicyStatement {
  const { principals, conditions } = rolesAsPrincipals(roleArns);
  return {
    sid,
    actions: ["sts:AssumeRole"],
    principals,
    conditions: { ...conditions, StringEquals: { "sts:ExternalId": [externalId] } },
  };
}
