import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Construct } from "constructs";
import type { NetworkNames } from "./names";
import { publicSubnetCidrs } from "./subnets";

export interface PublicSubnetsProps {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Availability zones of the private subnets, in order: one public subnet in each. */
  readonly availabilityZones: readonly string[];
  readonly names: NetworkNames;
}

/**
 * Public subnets for an internet-facing load balancer: one per availability zone of the private
 * subnets, carved from the last slots of the VPC block, sharing one route table whose default route
 * goes to the VPC's internet gateway. Instances never launch here (no public IPs on launch); only the
 * load balancer's nodes do. Only environments that turn the edge tier on get them.
 *
 * @example
 * const publics = new PublicSubnets(this, "public-subnets", { vpcId, vpcCidr, availabilityZones, names });
 */
export class PublicSubnets extends Construct {
  readonly subnets: readonly Subnet[];
  readonly internetGateway: InternetGateway;
  /** The default route: a load balancer is reachable only once it exists. */
  readonly defaultRoute: Route;

  constructor(scope: Construct, id: string, props: PublicSubnetsProps) {
    super(scope, id);
    const { names } = props;
    this.internetGateway = new InternetGateway(this, "internet-gateway", { vpcId: props.vpcId, tags: { Name: names.internetGateway } });
    const table = new RouteTable(this, "route-table", { vpcId: props.vpcId, tags: { Name: names.publicRouteTable, Tier: names.publicTier } });
    this.defaultRoute = new Route(this, "default-route", { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: this.internetGateway.id });
    const cidrs = publicSubnetCidrs(props.vpcCidr, props.availabilityZones.length);
    this.subnets = cidrs.map((cidr, i) => {
      const subnet = new Subnet(this, `public-${i + 1}`, {
        vpcId: props.vpcId,
        cidrBlock: cidr,
        availabilityZone: props.availabilityZones[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: names.publicSubnet(i), Tier: names.publicTier },
      });
      new RouteTableAssociation(this, `public-rta-${i + 1}`, { subnetId: subnet.id, routeTableId: table.id });
      return subnet;
    });
  }

  get subnetIds(): string[] {
    return this.subnets.map((s) => s.id);
  }
}
