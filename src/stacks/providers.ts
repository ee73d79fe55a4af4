import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import { roleArn } from "../naming";

export interface AccountProviderProps {
  /** Account the provider works in; the provider refuses to run with credentials for any other. */
  readonly accountId: string;
  /**
   * Role assumed in that account. Omitted for the bootstrap stacks, which an administrator applies
   * with the account's own credentials before any role exists.
   */
  readonly roleName?: string;
  readonly region: string;
  /** Tags the provider puts on every taggable resource it creates. */
  readonly tags: Readonly<Record<string, string>>;
  /** Terraform alias; omit for the stack's default provider. */
  readonly alias?: string;
  /** Shown in CloudTrail as the session name, so a change can be traced to the stack that made it. */
  readonly sessionName?: string;
}

/**
 * An AWS provider that assumes a role in one account and region (or, without `roleName`, uses the
 * ambient credentials). `allowed_account_ids` makes a mistaken profile or role fail at plan time
 * instead of deploying into the wrong account.
 */
export function accountProvider(scope: Construct, id: string, props: AccountProviderProps): AwsProvider {
  return new AwsProvider(scope, id, {
    alias: props.alias,
    region: props.region,
    allowedAccountIds: [props.accountId],
    assumeRole: props.roleName === undefined ? undefined : [{ roleArn: roleArn(props.accountId, props.roleName), sessionName: props.sessionName }],
    defaultTags: [{ tags: { ...props.tags } }],
  });
}
