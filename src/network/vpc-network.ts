import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { NetworkNames } from "./names";
import { privateSubnetCidrs } from "./subnets";

export interface VpcNetworkProps {
  readonly cidr: string;
  /** Number of availability zones, each with one private subnet and route table (2 or 3). */
  readonly availabilityZoneCount: number;
  readonly names: NetworkNames;
}

/**
 * A VPC with private subnets only (no internet gateway, no NAT): one subnet and one route table per
 * availability zone, CIDRs carved deterministically from the VPC block. The VPC's default security
 * group is adopted with no rules (closed).
 *
 * Availability zones come from `data aws_availability_zones`, restricted to the region's regular zones
 * (`opt-in-not-required`, so opted-in Local Zones, which sort first, never enter the list) and not
 * filtered on state: a zone that is briefly impaired therefore does not shift the list and replace
 * subnets. AZ names differ between accounts and some regions lack an `a` or `b` zone, so guessed
 * names (`<region>a`) would be less safe than asking the account. The list is ordered by name and a
 * new zone is appended, so the first N zones stay the same over time.
 *
 * @example
 * const network = new VpcNetwork(this, "network", { cidr: "10.10.0.0/16", availabilityZoneCount: 2, names });
 */
export class VpcNetwork extends Construct {
  readonly vpc: Vpc;
  readonly privateSubnets: readonly Subnet[];
  readonly privateRouteTables: readonly RouteTable[];
  readonly cidr: string;

  constructor(scope: Construct, id: string, props: VpcNetworkProps) {
    super(scope, id);
    this.cidr = props.cidr;
    const zones = new DataAwsAvailabilityZones(this, "zones", {
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.names.vpc },
    });
    // The default group allows all traffic among its members and all egress; adopting it with no
    // rules empties it, so anything placed there by mistake can reach nothing.
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: this.vpc.id,
      tags: { Name: `${props.names.vpc}-default-closed` },
    });
    const cidrs = privateSubnetCidrs(props.cidr, props.availabilityZoneCount);
    const subnets: Subnet[] = [];
    const tables: RouteTable[] = [];
    cidrs.forEach((cidr, i) => {
      const subnet = new Subnet(this, `private-${i + 1}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidr,
        availabilityZone: Fn.element(zones.names, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: props.names.privateSubnet(i), Tier: props.names.privateTier },
      });
      const table = new RouteTable(this, `private-rt-${i + 1}`, {
        vpcId: this.vpc.id,
        tags: { Name: props.names.privateRouteTable(i), Tier: props.names.privateTier },
      });
      new RouteTableAssociation(this, `private-rta-${i + 1}`, { subnetId: subnet.id, routeTableId: table.id });
      subnets.push(subnet);
      tables.push(table);
    });
    this.privateSubnets = subnets;
    this.privateRouteTables = tables;
  }

  get vpcId(): string {
    return this.vpc.id;
  }

  get privateSubnetIds(): string[] {
    return this.privateSubnets.map((s) => s.id);
  }

  get privateRouteTableIds(): string[] {
    return this.privateRouteTables.map((t) => t.id);
  }
}
