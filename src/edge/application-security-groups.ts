import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** AWS-managed prefix list of CloudFront's origin-facing addresses (the only sources of origin requests). */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

export interface ApplicationSecurityGroupsProps {
  readonly vpcId: string;
  readonly loadBalancerGroupName: string;
  readonly instanceGroupName: string;
  /** Port of the load balancer's listener (443 with origin TLS, 80 without). */
  readonly listenerPort: number;
  readonly applicationPort: number;
  /** The environment's database ports and their security group (which admits the instances on them). */
  readonly databasePorts: readonly number[];
  readonly databaseSecurityGroupId: string;
  /** Prefix list of the S3 gateway endpoint (artifacts). */
  readonly s3PrefixListId: string;
}

/**
 * The two security groups of the application tier, with standalone rules only (no default egress):
 * - load balancer: the listener port from CloudFront's origin-facing prefix list only, and the
 *   application port to the instances;
 * - instances: the application port from the load balancer only; egress to the environment's
 *   databases on their ports and HTTPS to S3 through its gateway endpoint (HTTPS to the interface
 *   endpoints is added by the VPC's endpoints, which the instances' group is admitted to). No internet route exists from the private subnets anyway.
 * The database group gets an ingress rule per port from the instances.
 */
export class ApplicationSecurityGroups extends Construct {
  readonly loadBalancer: SecurityGroup;
  readonly instances: SecurityGroup;

  constructor(scope: Construct, id: string, props: ApplicationSecurityGroupsProps) {
    super(scope, id);
    const tcp = (port: number) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
    const cloudFront = new DataAwsEc2ManagedPrefixList(this, "cloudfront-origin-facing", { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
    this.loadBalancer = new SecurityGroup(this, "load-balancer", {
      name: props.loadBalancerGroupName,
      description: "Application load balancer: the listener port from CloudFront's origin-facing addresses only",
      vpcId: props.vpcId,
      tags: { Name: props.loadBalancerGroupName },
    });
    this.instances = new SecurityGroup(this, "instances", {
      name: props.instanceGroupName,
      description: "Application instances: the application port from the load balancer; egress to the databases and VPC endpoints only",
      vpcId: props.vpcId,
      tags: { Name: props.instanceGroupName },
    });

    new VpcSecurityGroupIngressRule(this, "alb-from-cloudfront", {
      securityGroupId: this.loadBalancer.id,
      description: `Port ${props.listenerPort} from CloudFront's origin-facing addresses`,
      prefixListId: cloudFront.id,
      ...tcp(props.listenerPort),
    });
    new VpcSecurityGroupEgressRule(this, "alb-to-instances", {
      securityGroupId: this.loadBalancer.id,
      description: `Application port ${props.applicationPort} of the instances`,
      referencedSecurityGroupId: this.instances.id,
      ...tcp(props.applicationPort),
    });
    new VpcSecurityGroupIngressRule(this, "instances-from-alb", {
      securityGroupId: this.instances.id,
      description: `Application port ${props.applicationPort} from the load balancer`,
      referencedSecurityGroupId: this.loadBalancer.id,
      ...tcp(props.applicationPort),
    });
    for (const port of [...new Set(props.databasePorts)].sort((a, b) => a - b)) {
      new VpcSecurityGroupEgressRule(this, `instances-to-db-${port}`, {
        securityGroupId: this.instances.id,
        description: `Database port ${port} of this environment's clusters`,
        referencedSecurityGroupId: props.databaseSecurityGroupId,
        ...tcp(port),
      });
      new VpcSecurityGroupIngressRule(this, `db-${port}-from-instances`, {
        securityGroupId: props.databaseSecurityGroupId,
        description: `Database port ${port} from the application instances`,
        referencedSecurityGroupId: this.instances.id,
        ...tcp(port),
      });
    }
    new VpcSecurityGroupEgressRule(this, "instances-to-s3", {
      securityGroupId: this.instances.id,
      description: "HTTPS to S3 through its gateway endpoint",
      prefixListId: props.s3PrefixListId,
      ...tcp(443),
    });
  }
}
