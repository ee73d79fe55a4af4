import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface DrRegionDatabaseAccessProps {
  /** Ports of the environment's databases. */
  readonly databasePorts: readonly number[];
  /** The primary region's `lambda` group (this stack): gets egress to the DR databases. */
  readonly lambdaSecurityGroupId: string;
  /** Blocks of the primary region's private subnets, where the database functions run. */
  readonly functionSubnetCidrs: readonly string[];
  /** The DR region's `database` group (found by name through `provider`). */
  readonly drDatabaseSecurityGroupId: string;
  readonly drVpcCidr: string;
  /** Provider of the same account in the DR region. */
  readonly provider: AwsProvider;
  /** The accepted peering: rules are useless before the route exists. */
  readonly peering: ITerraformDependable;
}

/**
 * Lets the primary region's database functions reach a global database's writer after it moved to
 * the DR region (switchover or failover), over the inter-region peering of the environment's two
 * VPCs. Security groups cannot be referenced across regions, so the DR side admits the primary
 * region's private subnet blocks (only platform functions run there) on the database ports only, and
 * the `lambda` group may send to the DR VPC on those ports only.
 */
export class DrRegionDatabaseAccess extends Construct {
  constructor(scope: Construct, id: string, props: DrRegionDatabaseAccessProps) {
    super(scope, id);
    for (const port of [...new Set(props.databasePorts)].sort((a, b) => a - b)) {
      const tcp = { ipProtocol: "tcp", fromPort: port, toPort: port };
      props.functionSubnetCidrs.forEach((cidr, i) => {
        new VpcSecurityGroupIngressRule(this, `dr-db-${port}-from-primary-subnet-${i + 1}`, {
          provider: props.provider,
          securityGroupId: props.drDatabaseSecurityGroupId,
          description: `Database port ${port} from the database functions in the primary region (writer after a switchover)`,
          cidrIpv4: cidr,
          dependsOn: [props.peering],
          ...tcp,
        });
      });
      new VpcSecurityGroupEgressRule(this, `lambda-to-dr-db-${port}`, {
        securityGroupId: props.lambdaSecurityGroupId,
        description: `Database port ${port} in the DR region (the global writer after a switchover)`,
        cidrIpv4: props.drVpcCidr,
        dependsOn: [props.peering],
        ...tcp,
      });
    }
  }
}
