import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

/**
 * Interface endpoints the application instances call from their private subnets (no NAT): the SSM
 * Agent's registration, parameters and Session Manager channels, and CloudWatch Logs. S3 (artifacts)
 * goes through the gateway endpoint every VPC has.
 */
export const INSTANCE_ENDPOINT_SERVICES = ["ssm", "ssmmessages", "ec2messages", "logs"] as const;

export interface InstanceEndpointsProps {
  readonly vpcId: string;
  readonly region: string;
  readonly subnetIds: readonly string[];
  /** The VPC's endpoint security group (HTTPS from the VPC). */
  readonly securityGroupId: string;
  /** Services the VPC already has interface endpoints for; only the others are created here. */
  readonly existing: readonly string[];
  /** Prefix of the endpoints' Name tags (the endpoint security group's name, like the data tier's endpoints). */
  readonly namePrefix: string;
}

/**
 * The interface endpoints of `INSTANCE_ENDPOINT_SERVICES` that the VPC does not have yet, in the same
 * subnets and security group as the data tier's endpoints. Two endpoints with private DNS for one
 * service cannot share a VPC, hence only the missing ones.
 */
export class InstanceEndpoints extends Construct {
  readonly services: readonly string[];

  constructor(scope: Construct, id: string, props: InstanceEndpointsProps) {
    super(scope, id);
    this.services = INSTANCE_ENDPOINT_SERVICES.filter((service) => !props.existing.includes(service));
    for (const service of this.services) {
      new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [props.securityGroupId],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
    }
  }
}
