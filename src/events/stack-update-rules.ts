import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../iam/policy";
import type { BundledFunction } from "../lambda-packaging/bundled-function";
import type { EventsDeadLetterQueue } from "./dead-letter-queue";
import { EventRule, type InputTransformer } from "./event-rule";
import { stateObjectPattern } from "./state-change-events";

/** One Terraform stack whose state writes trigger its environment's validator. */
export interface WatchedStack {
  readonly stackName: string;
  readonly environment: string;
  /** The state object the S3 backend writes for the stack. */
  readonly stateKey: string;
  /** The validator of the stack's environment: in this account (a function) or another (its ARN). */
  readonly validator: { readonly local: BundledFunction } | { readonly functionArn: string };
}

export interface StackUpdateRulesProps {
  readonly busName: string;
  readonly stateBucketName: string;
  readonly stacks: readonly WatchedStack[];
  readonly deadLetterQueue: EventsDeadLetterQueue;
  /** Name of the role the rules invoke other accounts' validators as (`stateEventNames(project).invokerRole`). */
  readonly invokerRoleName: string;
  readonly accountId: string;
  /** Prefix of the rule names (`<project>-<env>`). */
  readonly namePrefix: string;
}

/** Detail-type the validator is told it runs for, as CloudFormation's rule would say "Stack Status Change". */
export const STACK_UPDATED = "Stack Updated";

/**
 * Rules on the central bus that turn a Terraform state write into a "Stack Updated" validation of
 * the stack's environment: one rule per stack (its state key is known at synth time), whose input
 * transformer names the stack, its environment, the state object and its version. EventBridge
 * invokes validators of other accounts directly (cross-account Lambda targets, same Region) as one
 * role that may invoke exactly those functions; each function's stack lets that role invoke it.
 */
export class StackUpdateRules extends Construct {
  readonly rules: EventRule[] = [];
  readonly invokerRole?: IamRole;

  constructor(scope: Construct, id: string, props: StackUpdateRulesProps) {
    super(scope, id);
    const remote = props.stacks.flatMap((s) => ("functionArn" in s.validator ? [s.validator.functionArn] : []));
    const invokerArn = `arn:aws:iam::${props.accountId}:role/${props.invokerRoleName}`;
    if (remote.length > 0) {
      this.invokerRole = new IamRole(this, "invoker", {
        name: props.invokerRoleName,
        description: "EventBridge invokes the other environments' validators when their Terraform state changes",
        assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", props.accountId),
      });
      new IamRolePolicy(this, "invoker-policy", {
        name: "invoke-validators",
        role: this.invokerRole.name,
        policy: policyDocument([{ sid: "InvokeValidators", actions: ["lambda:InvokeFunction"], resources: [...new Set(remote)] }]),
      });
    }
    for (const stack of props.stacks) {
      const rule = new EventRule(this, stack.stackName, {
        ruleName: `${props.namePrefix}-stack-updated-${stack.stackName}`.slice(0, 64),
        description: `Terraform applied ${stack.stackName}: validate ${stack.environment}`,
        eventBusName: props.busName,
        eventPattern: stateObjectPattern(props.stateBucketName, stack.stateKey),
        deadLetterQueue: props.deadLetterQueue,
      });
      const input = stackUpdatedInput(stack);
      if ("local" in stack.validator) rule.addFunction("validator", stack.validator.local, input);
      else rule.addCrossAccountFunction("validator", stack.validator.functionArn, invokerArn, input);
      this.rules.push(rule);
    }
  }
}

/** `{"action":"validate","trigger":{...}}`: what the validator runs, and which stack made it run. */
export function stackUpdatedInput(stack: Pick<WatchedStack, "stackName" | "environment">): InputTransformer {
  const trigger = `{"type":"${STACK_UPDATED}","stack":"${stack.stackName}","environment":"${stack.environment}","stateObject":<key>,"stateVersion":<version>,"time":<time>}`;
  return {
    inputPaths: { key: "$.detail.object.key", version: "$.detail.object.version-id", time: "$.time" },
    inputTemplate: `{"action":"validate","trigger":${trigger}}`,
  };
}
