import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** Services reached through gateway endpoints on the private route tables (free, so always there). */
export const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;

/**
 * Services that can be reached through an interface endpoint, by the last part of their endpoint
 * service name. Each one exists in a VPC only once something placed there asks for it.
 */
export const INTERFACE_ENDPOINT_SERVICES = [
  "secretsmanager", "ssm", "ssmmessages", "ec2messages", "kms", "sts", "monitoring", "logs", "events", "rds", "sqs", "sns", "lambda", "xray",
] as const;

export type GatewayService = (typeof GATEWAY_ENDPOINT_SERVICES)[number];
export type InterfaceService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];
/** An AWS service something in the VPC calls: through a gateway endpoint or an interface endpoint. */
export type AwsService = GatewayService | InterfaceService;

export interface VpcEndpointsProps {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly region: string;
  readonly subnetIds: readonly string[];
  readonly routeTableIds: readonly string[];
  readonly securityGroupName: string;
}

/** What a construct placed in a VPC needs of the VPC's endpoints (see `VpcEndpoints`). */
export interface VpcEndpointRequests {
  /** Makes sure each service is reachable from the VPC; returns the endpoints that serve them. */
  require(...services: readonly AwsService[]): VpcEndpoint[];
  /** Lets a security group reach the interface endpoints (HTTPS egress), now and once they exist. */
  admit(name: string, securityGroupId: string): void;
}

function isGateway(service: AwsService): service is GatewayService {
  return (GATEWAY_ENDPOINT_SERVICES as readonly string[]).includes(service);
}

/**
 * Lets what runs in private subnets reach AWS without a NAT gateway: S3 and DynamoDB through gateway
 * endpoints on the private route tables (free, always created), and other services through interface
 * endpoints with private DNS, so the SDK's default endpoints resolve to addresses inside the VPC.
 *
 * An interface endpoint costs per availability zone and hour whether used or not, so none is created
 * up front: whatever is placed in the VPC declares the services it calls, and each endpoint (and the
 * endpoint security group, HTTPS from the VPC's block only) is created on the first request. A VPC in
 * which nothing runs keeps its gateway endpoints only. Functions declare theirs through
 * `BundledFunction`'s `awsServices` (the function's `vpc.endpoints` is this construct); anything else
 * calls `require` and `admit` itself.
 *
 * @example
 * // EC2 instances managed through Session Manager, in a group of their own:
 * dataTier.endpoints.require("ssm", "ssmmessages", "ec2messages", "logs");
 * dataTier.endpoints.admit("edge", edgeSecurityGroup.id);
 */
export class VpcEndpoints extends Construct implements VpcEndpointRequests {
  readonly gateways: Readonly<Record<GatewayService, VpcEndpoint>>;
  private readonly props: VpcEndpointsProps;
  private readonly created = new Map<InterfaceService, VpcEndpoint>();
  private readonly clients = new Map<string, string>();
  private group?: SecurityGroup;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    this.props = props;
    const gateway = (service: GatewayService) =>
      new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...props.routeTableIds],
        tags: { Name: `${props.securityGroupName}-${service}` },
      });
    this.gateways = { s3: gateway("s3"), dynamodb: gateway("dynamodb") };
  }

  /** The interface endpoints requested so far, by service. */
  get interfaces(): Readonly<Partial<Record<InterfaceService, VpcEndpoint>>> {
    return Object.fromEntries(this.created);
  }

  /** The endpoint security group, once an interface endpoint has been requested. */
  get securityGroup(): SecurityGroup | undefined {
    return this.group;
  }

  require(...services: readonly AwsService[]): VpcEndpoint[] {
    return [...new Set(services)].map((service) => (isGateway(service) ? this.gateways[service] : this.interfaceEndpoint(service)));
  }

  admit(name: string, securityGroupId: string): void {
    if (this.clients.has(name)) return;
    this.clients.set(name, securityGroupId);
    if (this.group) this.allowEgress(name, securityGroupId);
  }

  private interfaceEndpoint(service: InterfaceService): VpcEndpoint {
    const existing = this.created.get(service);
    if (existing) return existing;
    const group = this.endpointGroup();
    const endpoint = new VpcEndpoint(this, service, {
      vpcId: this.props.vpcId,
      serviceName: `com.amazonaws.${this.props.region}.${service}`,
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds: [...this.props.subnetIds],
      securityGroupIds: [group.id],
      tags: { Name: `${this.props.securityGroupName}-${service}` },
    });
    this.created.set(service, endpoint);
    return endpoint;
  }

  private endpointGroup(): SecurityGroup {
    if (this.group) return this.group;
    const props = this.props;
    this.group = new SecurityGroup(this, "security-group", {
      name: props.securityGroupName,
      description: "Interface VPC endpoints: HTTPS from inside the VPC",
      vpcId: props.vpcId,
      tags: { Name: props.securityGroupName },
    });
    new VpcSecurityGroupIngressRule(this, "https-from-vpc", {
      securityGroupId: this.group.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidr,
    });
    for (const [name, groupId] of this.clients) this.allowEgress(name, groupId);
    return this.group;
  }

  private allowEgress(name: string, securityGroupId: string): void {
    new VpcSecurityGroupEgressRule(this, `${name}-to-endpoints`, {
      securityGroupId,
      description: "HTTPS to the interface VPC endpoints",
      referencedSecurityGroupId: this.group!.id,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });
  }
}
