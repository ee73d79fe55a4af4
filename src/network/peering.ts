import { DataAwsRouteTables } from "@cdktf/provider-aws/lib/data-aws-route-tables";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { VpcPeeringConnection } from "@cdktf/provider-aws/lib/vpc-peering-connection";
import { VpcPeeringConnectionAccepterA } from "@cdktf/provider-aws/lib/vpc-peering-connection-accepter";
import { VpcPeeringConnectionOptions } from "@cdktf/provider-aws/lib/vpc-peering-connection-options";
import { TerraformIterator } from "cdktf";
import { Construct } from "constructs";

export interface NeighbourPeeringProps {
  /** This (upstream) environment's VPC, the requester. */
  readonly vpcId: string;
  readonly cidr: string;
  readonly routeTableIds: readonly string[];
  /** Name of this peering, e.g. `replica-dev-to-staging`. */
  readonly name: string;
  /** The next environment of the promotion order, in the same region: the accepter. */
  readonly peer: {
    readonly environment: string;
    readonly accountId: string;
    readonly cidr: string;
    /** Name tag of its VPC. */
    readonly vpcName: string;
    /** `Tier` tag value of its private route tables. */
    readonly privateTier: string;
    /** Provider assuming the deployment role in the peer's account and region (alias `next`, or `other_region`). */
    readonly provider: AwsProvider;
    /** The peer VPC's region when it differs from this one (inter-region peering). @default this stack's region */
    readonly region?: string;
  };
}

/**
 * Cross-account VPC peering with the next environment of the promotion order, built entirely by the
 * upstream environment's stack so nobody accepts anything by hand:
 *
 * - requester side (default provider): the peering request, routes from every private route table to
 *   the peer's block, and DNS resolution of the peer's private host names;
 * - accepter side (the `next` provider, in the peer's account): the acceptance, routes from the peer's
 *   private route tables back, and the accepter's DNS option.
 *
 * The peer's VPC and route tables are found by their deterministic tags (the next environment's stack
 * deploys first), never by reading that stack's state.
 */
export class NeighbourPeering extends Construct {
  readonly connection: VpcPeeringConnection;
  readonly accepter: VpcPeeringConnectionAccepterA;
  /** The peer's VPC ID (looked up in the peer's account). */
  readonly peerVpcId: string;

  constructor(scope: Construct, id: string, props: NeighbourPeeringProps) {
    super(scope, id);
    const { peer } = props;
    const peerVpc = new DataAwsVpc(this, "peer-vpc", {
      provider: peer.provider,
      cidrBlock: peer.cidr,
      tags: { Name: peer.vpcName },
    });
    this.peerVpcId = peerVpc.id;
    this.connection = new VpcPeeringConnection(this, "connection", {
      vpcId: props.vpcId,
      peerVpcId: peerVpc.id,
      peerOwnerId: peer.accountId,
      peerRegion: peer.region,
      tags: { Name: props.name, Side: "requester" },
    });
    this.accepter = new VpcPeeringConnectionAccepterA(this, "accepter", {
      provider: peer.provider,
      vpcPeeringConnectionId: this.connection.id,
      autoAccept: true,
      tags: { Name: props.name, Side: "accepter" },
    });

    // Options can only be set once the connection is active, by each side's own account.
    new VpcPeeringConnectionOptions(this, "requester-options", {
      vpcPeeringConnectionId: this.accepter.vpcPeeringConnectionId,
      requester: { allowRemoteVpcDnsResolution: true },
    });
    new VpcPeeringConnectionOptions(this, "accepter-options", {
      provider: peer.provider,
      vpcPeeringConnectionId: this.accepter.vpcPeeringConnectionId,
      accepter: { allowRemoteVpcDnsResolution: true },
    });

    props.routeTableIds.forEach((routeTableId, i) => {
      new Route(this, `to-${peer.environment}-${i + 1}`, {
        routeTableId,
        destinationCidrBlock: peer.cidr,
        vpcPeeringConnectionId: this.accepter.vpcPeeringConnectionId,
      });
    });

    const peerTables = new DataAwsRouteTables(this, "peer-route-tables", {
      provider: peer.provider,
      vpcId: peerVpc.id,
      tags: { Tier: peer.privateTier },
    });
    const tables = TerraformIterator.fromList(peerTables.ids);
    new Route(this, "from-peer", {
      provider: peer.provider,
      forEach: tables,
      routeTableId: tables.value,
      destinationCidrBlock: props.cidr,
      vpcPeeringConnectionId: this.accepter.vpcPeeringConnectionId,
    });
  }
}
