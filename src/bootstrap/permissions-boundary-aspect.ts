import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * Puts the permissions boundary on every IAM role of a stack. The deployment role may only create
 * roles that carry it (see the bootstrap stack), so this is what lets the environment stacks create
 * their roles at all; doing it in one aspect means no construct has to remember it.
 *
 * A role is created in the account of its provider (a stack's `next` provider reaches the next
 * environment's account), so the boundary is that account's: `boundaryOf(accountId)`.
 */
export class PermissionsBoundaryAspect implements IAspect {
  constructor(
    private readonly defaultAccountId: string,
    private readonly boundaryOf: (accountId: string) => string,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof IamRole)) return;
    const provider = node.provider instanceof AwsProvider ? node.provider : undefined;
    const accountId = provider?.allowedAccountIds?.[0] ?? this.defaultAccountId;
    node.permissionsBoundary = this.boundaryOf(accountId);
  }
}
