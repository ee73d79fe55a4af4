import { DataAwsSecurityGroup } from "@cdktf/provider-aws/lib/data-aws-security-group";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/** One side of a peering, as the database rules see it. */
interface PeeringSide {
  readonly environment: string;
  readonly accountId: string;
  /** Ports of the side's databases (none: nobody needs to reach it). */
  readonly databasePorts: readonly number[];
  /** The side's `network.peerDatabaseAccess`: whether the other side's database functions may reach its databases. */
  readonly admitsPeer: boolean;
}

export interface PeerDatabaseAccessProps {
  /** This (upstream) environment: its groups are created by this stack. */
  readonly requester: PeeringSide & { readonly lambdaSecurityGroupId: string; readonly databaseSecurityGroupId: string };
  /** The next environment: its groups are found by their deterministic names through `provider`. */
  readonly accepter: PeeringSide & {
    readonly vpcId: string;
    readonly lambdaSecurityGroupName: string;
    readonly databaseSecurityGroupName: string;
    /** Provider assuming the deployment role in the accepter's account, same region (alias `next`). */
    readonly provider: AwsProvider;
  };
  /** The accepted peering: a peer's security group can be referenced only over an active connection. */
  readonly peering: ITerraformDependable;
}

/**
 * Database access across one cross-account VPC peering, built entirely by the upstream stack (it
 * has a provider in both accounts; the next environment deploys first, so its groups exist).
 *
 * Only database functions reach databases: each rule references the other side's security group as
 * `<account>/<sg-id>` (AWS allows cross-account references over peering within a region), never the
 * peer's VPC block. A side's databases are reachable only when that side's configuration admits the
 * peer (`network.peerDatabaseAccess`, off by default), and then the peer's `lambda` group gets the
 * matching egress rule, so both directions stay closed unless asked for.
 *
 * The peer's group IDs are not known across accounts: they are looked up by `group-name` in the
 * peer's VPC through the peer's provider, since every group name is derived from the configuration.
 */
export class PeerDatabaseAccess extends Construct {
  constructor(scope: Construct, id: string, props: PeerDatabaseAccessProps) {
    super(scope, id);
    const { requester, accepter, peering } = props;
    const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
    const lookup = (lookupId: string, name: string) =>
      new DataAwsSecurityGroup(this, lookupId, {
        provider: accepter.provider,
        filter: [
          { name: "vpc-id", values: [accepter.vpcId] },
          { name: "group-name", values: [name] },
        ],
      });

    // Requester's database functions → accepter's databases.
    if (accepter.admitsPeer && accepter.databasePorts.length > 0) {
      const accepterDatabases = lookup("accepter-database-group", accepter.databaseSecurityGroupName);
      for (const port of unique(accepter.databasePorts)) {
        new VpcSecurityGroupIngressRule(this, `${accepter.environment}-db-${port}-from-${requester.environment}-lambda`, {
          provider: accepter.provider,
          securityGroupId: accepterDatabases.id,
          description: `Database port ${port} from the ${requester.environment} database functions (peering)`,
          referencedSecurityGroupId: `${requester.accountId}/${requester.lambdaSecurityGroupId}`,
          dependsOn: [peering],
          ...tcp(port),
        });
        new VpcSecurityGroupEgressRule(this, `${requester.environment}-lambda-to-${accepter.environment}-db-${port}`, {
          securityGroupId: requester.lambdaSecurityGroupId,
          description: `Database port ${port} of the ${accepter.environment} databases (peering)`,
          referencedSecurityGroupId: `${accepter.accountId}/${accepterDatabases.id}`,
          dependsOn: [peering],
          ...tcp(port),
        });
      }
    }

    // Accepter's database functions → requester's databases.
    if (requester.admitsPeer && requester.databasePorts.length > 0) {
      const accepterFunctions = lookup("accepter-lambda-group", accepter.lambdaSecurityGroupName);
      for (const port of unique(requester.databasePorts)) {
        new VpcSecurityGroupIngressRule(this, `${requester.environment}-db-${port}-from-${accepter.environment}-lambda`, {
          securityGroupId: requester.databaseSecurityGroupId,
          description: `Database port ${port} from the ${accepter.environment} database functions (peering)`,
          referencedSecurityGroupId: `${accepter.accountId}/${accepterFunctions.id}`,
          dependsOn: [peering],
          ...tcp(port),
        });
        new VpcSecurityGroupEgressRule(this, `${accepter.environment}-lambda-to-${requester.environment}-db-${port}`, {
          provider: accepter.provider,
          securityGroupId: accepterFunctions.id,
          description: `Database port ${port} of the ${requester.environment} databases (peering)`,
          referencedSecurityGroupId: `${requester.accountId}/${requester.databaseSecurityGroupId}`,
          dependsOn: [peering],
          ...tcp(port),
        });
      }
    }
  }
}

function unique(ports: readonly number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}
