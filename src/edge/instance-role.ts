import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "../iam/policy";

/**
 * What the SSM Agent calls for Session Manager: registering the instance and opening session
 * channels. These actions support no resource-level scoping, hence `*`.
 */
export const SESSION_MANAGER_ACTIONS = [
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
] as const;

export interface InstanceRoleProps {
  readonly roleName: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment's parameter prefix (`/app/<env>`, no trailing slash): the instances read below it. */
  readonly parameterPrefix: string;
  /** The environment key of the region: SecureString parameters and SSE-KMS artifacts decrypt with it. */
  readonly kmsKeyArn: string;
  /** The region's artifacts bucket and the prefix the instances may read. */
  readonly artifacts: { readonly bucketName: string; readonly prefix: string; readonly kms: boolean };
  /** Log group the application writes to. */
  readonly logGroupName: string;
}

/**
 * The application instances' role and instance profile, with only what the application needs:
 * Session Manager (no SSH), its parameters under `/app/<env>/`, read access to its artifacts prefix
 * and writes to its own log group. KMS use is limited to the services that decrypt on its behalf.
 * EC2 passes no source-account context when it assumes an instance role, so the trust policy names
 * the service alone.
 */
export class InstanceRole extends Construct {
  readonly role: IamRole;
  readonly profile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "Application instances of the edge tier",
      assumeRolePolicy: policyDocument([{ actions: ["sts:AssumeRole"], principals: { Service: ["ec2.amazonaws.com"] } }]),
    });
    new IamRolePolicy(this, "policy", { name: "application", role: this.role.name, policy: policyDocument(statements(props)) });
    this.profile = new IamInstanceProfile(this, "profile", { name: props.roleName, role: this.role.name });
  }
}

function statements(props: InstanceRoleProps): PolicyStatement[] {
  const { accountId, region, artifacts } = props;
  const bucketArn = `arn:aws:s3:::${artifacts.bucketName}`;
  const logGroupArn = `arn:aws:logs:${region}:${accountId}:log-group:${props.logGroupName}`;
  const viaServices = [`ssm.${region}.amazonaws.com`, ...(artifacts.kms ? [`s3.${region}.amazonaws.com`] : [])];
  return [
    { sid: "SessionManager", actions: SESSION_MANAGER_ACTIONS, resources: ["*"] },
    {
      sid: "ReadOwnParameters",
      actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      resources: [`arn:aws:ssm:${region}:${accountId}:parameter${props.parameterPrefix}/*`],
    },
    { sid: "ReadArtifacts", actions: ["s3:GetObject"], resources: [`${bucketArn}/${artifacts.prefix}*`] },
    { sid: "ListArtifacts", actions: ["s3:ListBucket"], resources: [bucketArn], conditions: { StringLike: { "s3:prefix": [`${artifacts.prefix}*`] } } },
    { sid: "DecryptThroughServices", actions: ["kms:Decrypt"], resources: [props.kmsKeyArn], conditions: { StringEquals: { "kms:ViaService": viaServices } } },
    { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [logGroupArn, `${logGroupArn}:log-stream:*`] },
  ];
}
