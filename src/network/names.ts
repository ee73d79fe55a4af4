import type { EnvironmentConfig, PlatformConfig } from "../config/types";
import { ResourceNames } from "../naming";

/**
 * Names of the network resources of one environment in one region. Both sides of a link compute them
 * here: the peering requester finds the neighbour's VPC and route tables by these Name tags, and the
 * primary-region stack finds the DR region's subnet group and database security group by these names.
 * Changing one of them renames (and so replaces) live resources: treat them as a public contract.
 */
export class NetworkNames {
  constructor(private readonly names: ResourceNames) {}

  /** Name tag of the VPC, e.g. `replica-dev-us-east-1-vpc`. */
  get vpc(): string {
    return this.names.regionScoped("vpc");
  }

  /** Name tag of the private subnet in the `index`-th availability zone. */
  privateSubnet(index: number): string {
    return this.names.regionScoped(`private-${index + 1}`);
  }

  /** Name tag of the private route table of the `index`-th availability zone. */
  privateRouteTable(index: number): string {
    return this.names.regionScoped(`private-rt-${index + 1}`);
  }

  /** Value of the `Tier` tag on every private subnet and route table. */
  readonly privateTier = "private";

  /** Name tag of the public subnet in the `index`-th availability zone (edge tier only). */
  publicSubnet(index: number): string {
    return this.names.regionScoped(`public-${index + 1}`);
  }

  /** Name tag of the public route table and of the internet gateway (edge tier only). */
  get publicRouteTable(): string {
    return this.names.regionScoped("public-rt");
  }

  get internetGateway(): string {
    return this.names.regionScoped("igw");
  }

  /** Value of the `Tier` tag on every public subnet and its route table. */
  readonly publicTier = "public";

  /** Security group of the functions that talk to the databases. */
  get lambdaSecurityGroup(): string {
    return this.names.regionScoped("lambda");
  }

  /** Security group of the Aurora clusters. */
  get databaseSecurityGroup(): string {
    return this.names.regionScoped("database");
  }

  /** Security group of the interface VPC endpoints. */
  get endpointSecurityGroup(): string {
    return this.names.regionScoped("endpoints");
  }

  /** The DB subnet group on the private subnets. */
  get dbSubnetGroup(): string {
    return this.names.regionScoped("db");
  }

  /** Log group receiving the VPC flow logs. */
  get flowLogGroup(): string {
    return `/vpc/${this.names.regionScoped("flow-logs")}`;
  }
}

/** The resource names of another environment in a region, as that environment's own stack computes them. */
export function namesOf(platform: PlatformConfig, environment: EnvironmentConfig, region: string): ResourceNames {
  return new ResourceNames(platform.project, environment.name, environment.accountId, region);
}
