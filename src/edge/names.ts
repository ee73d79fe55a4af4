import type { ResourceNames } from "../naming";

/**
 * Names of the edge tier's resources of one environment in one region. The primary-region stack finds
 * the DR region's load balancer, listener and target group by these names (the DR-region stack
 * deploys first), so treat them as a public contract: changing one replaces live resources.
 */
export class EdgeNames {
  constructor(private readonly names: ResourceNames) {}

  /** Load balancer and target group (regional names, at most 32 characters: project 12 + env 10 + "-app"). */
  get loadBalancer(): string {
    return this.names.environmentScoped("app");
  }

  get targetGroup(): string {
    return this.names.environmentScoped("app");
  }

  /** Auto Scaling group and launch template (regional names). */
  get autoScalingGroup(): string {
    return this.names.environmentScoped("app");
  }

  get launchTemplate(): string {
    return this.names.environmentScoped("app");
  }

  /** Instance role and profile (IAM is account-global, so the region is in the name). */
  get instanceRole(): string {
    return this.names.regionScoped("app-instance");
  }

  /** Security groups of the load balancer and of the instances. */
  get loadBalancerSecurityGroup(): string {
    return this.names.regionScoped("app-alb");
  }

  get instanceSecurityGroup(): string {
    return this.names.regionScoped("app-instances");
  }

  /** Log group the instances write the application's logs to. */
  get applicationLogGroup(): string {
    return `/${this.names.project}/${this.names.environment}/app`;
  }

  /** The region's edge log bucket: load balancer access logs, the content bucket's access logs, CloudFront's logs (primary). */
  get logBucket(): string {
    return this.names.bucket("edge-logs");
  }

  /** The region's content bucket (CloudFront's S3 origin): the source in the primary region, its replica in the DR region. */
  get contentBucket(): string {
    return this.names.bucket("content");
  }

  /** The content bucket's replication role (primary region). */
  get contentReplicationRole(): string {
    return this.names.regionScoped("content-replication");
  }
}
