import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * Puts the account's permissions boundary on every IAM role of a stack. The deployment role may only
 * create roles that carry it (see the bootstrap stack), so this is what lets the environment stacks
 * create their roles at all; doing it in one aspect means no construct has to remember it.
 */
export class PermissionsBoundaryAspect implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.boundaryArn;
  }
}
