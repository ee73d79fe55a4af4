import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { KMS_DATA_ACTIONS, policyDocument, type PolicyStatement } from "../iam/policy";

export interface PlatformKeyProps {
  readonly description: string;
  /** Alias, starting with `alias/`. */
  readonly alias: string;
  readonly accountId: string;
  readonly region: string;
  /** Refuse `terraform destroy` and keep the key for 30 days instead of 7 once deletion is scheduled. */
  readonly deletionProtection: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A customer-managed KMS key with yearly rotation, an alias, and a key policy that names each service
 * and role that uses it. Only the account root holds `kms:*` (which lets IAM policies in the account
 * grant access); every other statement lists data actions only.
 *
 * Constructs that use the key call `grantToService` or `grantToRoles` while the stack is built; the
 * policy is rendered at synth time from everything granted.
 *
 * @example
 * const key = new PlatformKey(this, "key", { description: "dev data", alias: "alias/app-dev", accountId, region, deletionProtection: false });
 * key.grantToService("CloudWatchAlarms", "cloudwatch.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey"], { StringEquals: { "aws:SourceAccount": [accountId] } });
 */
export class PlatformKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** Account and region of the key: grants name the service resources that use it by these. */
  readonly accountId: string;
  readonly region: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    this.accountId = props.accountId;
    this.region = props.region;
    this.statements = [
      {
        sid: "AccountRootAdministers",
        actions: ["kms:*"],
        principals: { AWS: [`arn:aws:iam::${props.accountId}:root`] },
        resources: ["*"],
      },
      {
        sid: "CloudWatchLogsEncrypts",
        actions: KMS_DATA_ACTIONS,
        principals: { Service: [`logs.${props.region}.amazonaws.com`] },
        resources: ["*"],
        conditions: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": [`arn:aws:logs:${props.region}:${props.accountId}:log-group:*`] } },
      },
    ];
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: props.deletionProtection ? 30 : 7,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
    });
    this.alias = new KmsAlias(this, "alias", { provider: props.provider, name: props.alias, targetKeyId: this.key.keyId });
  }

  get arn(): string {
    return this.key.arn;
  }

  /**
   * Lets an AWS service principal use the key, only for the resources `conditions` names: the
   * confused-deputy guard (`aws:SourceAccount` / `aws:SourceArn`) or the encryption context the
   * service binds to its resource (`kms:EncryptionContext:aws:sns:topicArn`, `...:aws:sqs:arn`, ...).
   * A service grant without conditions is refused. Granting the same `sid` twice keeps the first.
   */
  grantToService(sid: string, service: string, actions: readonly string[], conditions: NonNullable<PolicyStatement["conditions"]>): void {
    if (Object.keys(conditions).length === 0) throw new Error(`Key grant ${sid} to ${service}: name the resources it is for (aws:SourceArn, aws:SourceAccount or an encryption-context condition).`);
    if (this.statements.some((s) => s.sid === sid)) return;
    this.statements.push({ sid, actions, principals: { Service: [service] }, resources: ["*"], conditions });
  }

  /**
   * Lets the named roles (possibly in other accounts) use the key for data. The principal is each
   * role's account, narrowed by `aws:PrincipalArn`, because KMS rejects a policy that names a role
   * which does not exist yet, and roles in other accounts are created by other stacks. `conditions`
   * narrow the grant further (e.g. `kms:GrantIsForAWSResource`).
   */
  grantToRoles(sid: string, roleArns: readonly string[], actions: readonly string[] = KMS_DATA_ACTIONS, conditions: NonNullable<PolicyStatement["conditions"]> = {}): void {
    const accounts = [...new Set(roleArns.map((arn) => `arn:aws:iam::${arn.split(":")[4]}:root`))];
    this.statements.push({ sid, actions, principals: { AWS: accounts }, resources: ["*"], conditions: { ...conditions, ArnEquals: { "aws:PrincipalArn": roleArns } } });
  }
}
