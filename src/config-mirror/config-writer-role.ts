import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { crossAccountTrust } from "../cross-account/trust-map";
import { policyDocument, type PolicyStatement } from "../iam/policy";
import { configParameterArns } from "./parameters";

export interface ConfigWriterRoleProps {
  readonly roleName: string;
  /** This (the target) environment: its `/app/<env>/config/` hierarchy is what the role writes. */
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  /** The environment key that encrypts SecureStrings. */
  readonly kmsKeyArn: string;
  /** The previous environment's config-mirror function role, the only principal that may assume this role. */
  readonly mirrorRoleArn: string;
  readonly externalId: string;
  /** Whether the mirror deletes target parameters (`deletePolicy: "delete"` upstream). */
  readonly allowDeletes: boolean;
}

/**
 * The role the previous environment's config mirror assumes to write this environment's
 * configuration: trusted only by that function's role (account root + `aws:PrincipalArn`) presenting
 * the deterministic external ID, and allowed only the SSM calls the mirror makes on
 * `/app/<env>/config/*`, plus the key operations SSM performs for SecureStrings (Decrypt too: the
 * mirror reads the target value to compare before it writes).
 */
export class ConfigWriterRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ConfigWriterRoleProps) {
    super(scope, id);
    const parameters = configParameterArns(props.region, props.accountId, props.environment);
    const statements: PolicyStatement[] = [
      {
        sid: "WriteMirroredConfiguration",
        actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:PutParameter", "ssm:AddTagsToResource", "ssm:ListTagsForResource"],
        resources: parameters,
      },
      ...(props.allowDeletes ? [{ sid: "DeleteMirroredConfiguration", actions: ["ssm:DeleteParameter"], resources: parameters }] : []),
      {
        sid: "EncryptSecureStrings",
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
        resources: [props.kmsKeyArn],
        conditions: { StringEquals: { "kms:ViaService": [`ssm.${props.region}.amazonaws.com`] } },
      },
    ];
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Writes /app/${props.environment}/config/ for the previous environment's config mirror`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([crossAccountTrust("PreviousEnvironmentConfigMirror", [props.mirrorRoleArn], props.externalId)]),
    });
    new IamRolePolicy(this, "policy", { name: "write-config", role: this.role.name, policy: policyDocument(statements) });
  }

  get arn(): string {
    return this.role.arn;
  }
}
