import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** Services reached through interface endpoints, by the last part of their endpoint service name. */
export const INTERFACE_ENDPOINT_SERVICES = ["secretsmanager", "ssm", "kms", "sts", "monitoring", "logs", "events", "rds"] as const;

/** Services reached through gateway endpoints on the private route tables. */
export const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;

export type GatewayService = (typeof GATEWAY_ENDPOINT_SERVICES)[number];

export interface VpcEndpointsProps {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly region: string;
  readonly subnetIds: readonly string[];
  readonly routeTableIds: readonly string[];
  readonly securityGroupName: string;
  /** @default INTERFACE_ENDPOINT_SERVICES */
  readonly interfaceServices?: readonly string[];
}

/**
 * Lets functions in private subnets reach AWS without a NAT gateway: S3 and DynamoDB through gateway
 * endpoints on the private route tables, and the other services the platform calls through interface
 * endpoints with private DNS, so the SDK's default endpoints resolve to addresses inside the VPC.
 * The interface endpoints accept HTTPS from the VPC's own block only.
 */
export class VpcEndpoints extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly gateways: Readonly<Record<GatewayService, VpcEndpoint>>;
  readonly interfaces: Readonly<Record<string, VpcEndpoint>>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: props.securityGroupName,
      description: "Interface VPC endpoints: HTTPS from inside the VPC",
      vpcId: props.vpcId,
      tags: { Name: props.securityGroupName },
    });
    new VpcSecurityGroupIngressRule(this, "https-from-vpc", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidr,
    });

    const gateway = (service: GatewayService) =>
      new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...props.routeTableIds],
        tags: { Name: `${props.securityGroupName}-${service}` },
      });
    this.gateways = { s3: gateway("s3"), dynamodb: gateway("dynamodb") };

    const interfaces: Record<string, VpcEndpoint> = {};
    for (const service of props.interfaceServices ?? INTERFACE_ENDPOINT_SERVICES) {
      interfaces[service] = new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [this.securityGroup.id],
        tags: { Name: `${props.securityGroupName}-${service}` },
      });
    }
    this.interfaces = interfaces;
  }
}
