import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsSecurityGroup } from "@cdktf/provider-aws/lib/data-aws-security-group";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { NetworkNames } from "../network/names";

export interface DrRegionLookupsProps {
  /** Provider of the same account in the DR region. */
  readonly provider: AwsProvider;
  /** Names of the environment's network resources in the DR region. */
  readonly names: NetworkNames;
  readonly vpcCidr: string;
  /** The environment key's alias (the same in both regions). */
  readonly keyAlias: string;
  readonly availabilityZoneCount: number;
}

/**
 * What the primary-region stack needs of the environment's DR region to place secondary clusters
 * there, found through data sources by the deterministic names the DR-region stack (deployed first)
 * gave them: its key (by alias), its VPC (Name tag), database security group (name) and DB subnet
 * group (name), and its availability zones (same query as the DR VPC's subnets, so the same zones).
 */
export class DrRegionLookups extends Construct {
  readonly keyArn: string;
  readonly databaseSecurityGroupId: string;
  readonly subnetGroupName: string;
  readonly availabilityZones: readonly string[];

  constructor(scope: Construct, id: string, props: DrRegionLookupsProps) {
    super(scope, id);
    const { provider } = props;
    this.keyArn = new DataAwsKmsAlias(this, "key", { provider, name: props.keyAlias }).targetKeyArn;
    const vpc = new DataAwsVpc(this, "vpc", { provider, cidrBlock: props.vpcCidr, tags: { Name: props.names.vpc } });
    this.databaseSecurityGroupId = new DataAwsSecurityGroup(this, "database-security-group", {
      provider,
      vpcId: vpc.id,
      name: props.names.databaseSecurityGroup,
    }).id;
    this.subnetGroupName = props.names.dbSubnetGroup;
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      provider,
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    this.availabilityZones = Array.from({ length: props.availabilityZoneCount }, (_, i) => Fn.element(zones.names, i));
  }
}
