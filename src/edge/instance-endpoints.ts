import type { AwsService } from "../network/endpoints";

/**
 * AWS services the application instances call from their private subnets (no NAT): the SSM Agent's
 * registration, parameters and Session Manager channels, CloudWatch Logs, and S3 (artifacts) through
 * its gateway endpoint. The edge tier requests them from the VPC's endpoints, which create the
 * interface endpoints the VPC does not have yet.
 */
export const INSTANCE_AWS_SERVICES: readonly AwsService[] = ["ssm", "ssmmessages", "ec2messages", "logs", "s3"];
