import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument } from "../iam/policy";

export interface VpcFlowLogsProps {
  readonly vpcId: string;
  readonly logGroupName: string;
  /** Name of the (account-global) IAM role the flow-log service assumes; unique per region. */
  readonly roleName: string;
  /** KMS key ARN the log group is encrypted with; its policy must let CloudWatch Logs use it. */
  readonly kmsKeyArn: string;
  readonly accountId: string;
  readonly region: string;
  /** Days the flow logs are kept. @default 90 */
  readonly retentionDays?: number;
}

/**
 * Flow logs of every packet accepted or rejected in a VPC, delivered to an encrypted log group.
 *
 * The delivery role can be assumed only by the flow-log service acting for this account (and for
 * flow logs of this account and region), and may only write streams of its own log group.
 */
export class VpcFlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: props.logGroupName,
      retentionInDays: props.retentionDays ?? 90,
      kmsKeyId: props.kmsKeyArn,
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Delivers VPC flow logs to ${props.logGroupName}`,
      assumeRolePolicy: policyDocument([
        {
          actions: ["sts:AssumeRole"],
          principals: { Service: ["vpc-flow-logs.amazonaws.com"] },
          conditions: {
            StringEquals: { "aws:SourceAccount": [props.accountId] },
            ArnLike: { "aws:SourceArn": [`arn:aws:ec2:${props.region}:${props.accountId}:vpc-flow-log/*`] },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "policy", {
      name: "deliver-flow-logs",
      role: this.role.id,
      policy: policyDocument([
        {
          sid: "WriteOwnLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [this.logGroup.arn, `${this.logGroup.arn}:log-stream:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: this.role.arn,
      maxAggregationInterval: 60,
    });
  }
}
