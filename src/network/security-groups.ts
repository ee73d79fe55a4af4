import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

export interface DataSecurityGroupsProps {
  readonly vpcId: string;
  readonly lambdaGroupName: string;
  readonly databaseGroupName: string;
  /** Ports of this environment's databases. */
  readonly databasePorts: readonly number[];
  /** Prefix lists of the gateway endpoints (S3, DynamoDB), by service. */
  readonly gatewayPrefixLists: Readonly<Record<string, string>>;
}

/**
 * The two security groups of the data tier, with standalone rule resources only (Terraform removes
 * the default allow-all egress of a new group, so nothing is open that is not listed here):
 *
 * - database: the database ports, from the Lambda group;
 * - lambda: egress to the databases and to the S3 and DynamoDB gateway endpoints (by prefix list),
 *   all on their own ports only. Egress to the interface endpoints is added by `VpcEndpoints.admit`,
 *   and only once the VPC has an interface endpoint.
 *
 * Nothing here opens anything to a peered VPC: `PeerDatabaseAccess` adds group-to-group rules across
 * a peering only where the configuration asks for them.
 */
export class DataSecurityGroups extends Construct {
  readonly lambda: SecurityGroup;
  readonly database: SecurityGroup;

  constructor(scope: Construct, id: string, props: DataSecurityGroupsProps) {
    super(scope, id);
    this.lambda = new SecurityGroup(this, "lambda", {
      name: props.lambdaGroupName,
      description: "Functions that talk to the databases: egress to the databases and VPC endpoints only",
      vpcId: props.vpcId,
      tags: { Name: props.lambdaGroupName },
    });
    this.database = new SecurityGroup(this, "database", {
      name: props.databaseGroupName,
      description: "Aurora clusters: the database port from the Lambda group (and peers' database functions where configured)",
      vpcId: props.vpcId,
      tags: { Name: props.databaseGroupName },
    });

    const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
    for (const port of unique(props.databasePorts)) {
      new VpcSecurityGroupIngressRule(this, `db-${port}-from-lambda`, {
        securityGroupId: this.database.id,
        description: `Database port ${port} from the Lambda security group`,
        referencedSecurityGroupId: this.lambda.id,
        ...tcp(port),
      });
      new VpcSecurityGroupEgressRule(this, `lambda-to-db-${port}`, {
        securityGroupId: this.lambda.id,
        description: `Database port ${port} of this environment's clusters`,
        referencedSecurityGroupId: this.database.id,
        ...tcp(port),
      });
    }
    for (const [service, prefixListId] of Object.entries(props.gatewayPrefixLists)) {
      new VpcSecurityGroupEgressRule(this, `lambda-to-${service}`, {
        securityGroupId: this.lambda.id,
        description: `HTTPS to ${service} through its gateway endpoint`,
        prefixListId,
        ...tcp(443),
      });
    }
  }
}

function unique(ports: readonly number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}
